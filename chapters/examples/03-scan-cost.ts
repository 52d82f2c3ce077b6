// The cost of one more malloc(16) when the heap already holds n live blocks, in chapter 2's
// allocator and in this one; and in this one when it holds n free blocks too small to use.
import { Process, type Allocator } from '../../machine/index.ts';
import { createAllocator as chapter2 } from '../../solutions/02-free-list/free-list.ts';
import { createAllocator as chapter3 } from '../../solutions/03-coalescing/coalescing.ts';

/** Loads and stores of one malloc(size) after `setUp`. */
function cost(create: (proc: Process) => Allocator, setUp: (heap: Allocator) => void, size: number): number {
  const proc = new Process();
  const heap = create(proc);
  setUp(heap);
  const before = proc.stats().memoryOps;
  heap.malloc(size);
  return proc.stats().memoryOps - before;
}

const live = (n: number) => (heap: Allocator) => {
  for (let i = 0; i < n; i++) heap.malloc(16);
};
// n free 48-byte blocks, each kept apart from the next by a live one: none can hold 100 bytes.
const holes = (n: number) => (heap: Allocator) => {
  const ptrs = Array.from({ length: n }, () => [heap.malloc(16), heap.malloc(16)][0]);
  for (const p of ptrs) heap.free(p);
};

console.log('loads and stores for one malloc: malloc(16) in the first two columns, malloc(100) in the last\n');
const headings = ['n', 'chapter 2: n live', 'chapter 3: n live', 'chapter 3: n free, too small'];
console.log(`${headings[0].padStart(6)}  ${headings.slice(1).join('  ')}`);
for (const n of [0, 10, 100, 1000, 10000]) {
  const cells = [cost(chapter2, live(n), 16), cost(chapter3, live(n), 16), cost(chapter3, holes(n), 100)];
  console.log(`${String(n).padStart(6)}  ${cells.map((c, i) => String(c).padStart(headings[i + 1].length)).join('  ')}`);
}
