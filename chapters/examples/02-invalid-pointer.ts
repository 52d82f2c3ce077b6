// free() of an address malloc never returned: 16 bytes into a live block.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';

const proc = new Process();
const heap = createAllocator(proc);
heap.malloc(24);
const ptr = heap.malloc(64);
console.log(`malloc(64) = ${hex(ptr)}; now free(${hex(ptr + 16)}):\n`);
try {
  heap.free(ptr + 16);
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
