// The heap walker, before and after a write that runs 24 bytes past the end of a block.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { formatHeap } from '../../solutions/02-free-list/walk.ts';

const proc = new Process();
const heap = createAllocator(proc);
const a = heap.malloc(24);
const b = heap.malloc(100);
heap.malloc(8);
heap.free(b);
console.log(formatHeap(proc));

proc.memset(a, 0x41, 32 + 24); // 'A' over the 32-byte payload, and on into the next header
console.log(`\nafter memset(${hex(a)}, 'A', 56):\n`);
try {
  console.log(formatHeap(proc));
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
