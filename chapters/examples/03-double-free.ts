// A double free after coalescing: b merged into a, but b's old header is still there, and says free.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/03-coalescing/coalescing.ts';
import { formatBlocks } from './03-heap.ts';

const proc = new Process();
const heap = createAllocator(proc);
const a = heap.malloc(64);
const b = heap.malloc(64);
heap.malloc(16);
heap.free(a);
heap.free(b); // merges into a
console.log(`free(${hex(a)}), free(${hex(b)}): one free block\n\n${formatBlocks(proc)}\n\nfree(${hex(b)}) again:\n`);
try {
  heap.free(b);
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
