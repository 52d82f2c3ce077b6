// Growing one buffer by 16 bytes, 1,000 times: how often does realloc move it, and how much does it copy?
import { Process, type Allocator } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { createAllocator as chapter3 } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as chapter4 } from '../../solutions/04-realloc/realloc.ts';

/** Grows a buffer from 16 to 16,016 bytes; after every `every` growths the program also mallocs 24 bytes. */
function grow(create: (proc: Process) => Allocator, every: number) {
  const proc = new Process();
  const heap = create(proc);
  let buffer = heap.malloc(16);
  let moves = 0;
  const before = proc.stats();
  for (let i = 1; i <= 1000; i++) {
    const next = heap.realloc(buffer, 16 + 16 * i);
    if (next !== buffer) moves++;
    buffer = next;
    if (every !== 0 && i % every === 0) heap.malloc(24);
  }
  const after = proc.stats();
  const free = checkHeap(proc).blocks.filter((b) => b.free).reduce((sum, b) => sum + b.size, 0);
  return { moves, copied: after.bytesMoved - before.bytesMoved, heap: after.heapBytes, free };
}

const n = (x: number, width: number) => x.toLocaleString('en-US').padStart(width);
for (const [title, every] of [['the buffer alone', 0], ['a malloc(24) after every growth', 1]] as const) {
  console.log(`${title.padEnd(32)} moves  bytes copied       heap  of it free`);
  for (const [name, create] of [['chapter 3', chapter3], ['chapter 4', chapter4]] as const) {
    const r = grow(create, every);
    console.log(`  ${name.padEnd(30)} ${n(r.moves, 5)} ${n(r.copied, 13)} ${n(r.heap, 10)} ${n(r.free, 10)}`);
  }
  if (every === 0) console.log('');
}
