// The same pointer freed twice.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';

const proc = new Process();
const heap = createAllocator(proc);
const ptr = heap.malloc(64);
heap.malloc(16);
heap.free(ptr);
console.log(`free(${hex(ptr)}) once, then again:\n`);
try {
  heap.free(ptr);
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
