// How many bytes calloc really zeroes (bytesMoved), on fresh memory and on reused memory.
import { Process, type Allocator } from '../../machine/index.ts';
import { createAllocator as chapter3 } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as chapter4 } from '../../solutions/04-realloc/realloc.ts';

/** Runs `call` and returns what it zeroed and how many bytes it made resident. */
function measure(proc: Process, call: () => number): { ptr: number; zeroed: number; resident: number } {
  const before = proc.stats();
  const ptr = call();
  const after = proc.stats();
  return { ptr, zeroed: after.bytesMoved - before.bytesMoved, resident: after.residentBytes - before.residentBytes };
}

function run(create: (proc: Process) => Allocator) {
  const proc = new Process();
  const heap = create(proc);
  heap.malloc(16);
  const rows = [];

  // 1. A large block from fresh pages at the top of the heap.
  const fresh = measure(proc, () => heap.calloc(1000, 100));
  rows.push(fresh);
  // 2. The program uses it and frees it; the same request reuses it.
  proc.memset(fresh.ptr, 0xff, 100_000);
  heap.free(fresh.ptr);
  rows.push(measure(proc, () => heap.calloc(1000, 100)));
  // 3. A 300 KiB block, used, freed and trimmed: the heap shrinks, then grows again.
  const big = heap.malloc(300 * 1024);
  proc.memset(big, 0xff, 300 * 1024);
  heap.free(big);
  rows.push(measure(proc, () => heap.calloc(300, 1024)));
  return rows;
}

const situations = ['calloc(1000, 100), fresh pages', 'calloc(1000, 100), reused', 'calloc(300, 1024), after a trim'];
const three = run(chapter3);
const four = run(chapter4);
console.log('                                      bytes zeroed           made resident');
console.log('                                   chapter 3  chapter 4    chapter 3  chapter 4');
const n = (x: number) => x.toLocaleString('en-US');
situations.forEach((what, i) => {
  console.log(`${what.padEnd(32)} ${n(three[i].zeroed).padStart(10)} ${n(four[i].zeroed).padStart(10)}  ${n(three[i].resident).padStart(11)} ${n(four[i].resident).padStart(10)}`);
});
