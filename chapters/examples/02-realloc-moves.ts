// realloc grows a block by moving it, even the last block, right below the break.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { formatHeap } from '../../solutions/02-free-list/walk.ts';

const proc = new Process();
const heap = createAllocator(proc);
let ptr = heap.malloc(16);
for (const size of [32, 48, 64]) {
  ptr = heap.realloc(ptr, size);
  console.log(`realloc(…, ${size}) = ${hex(ptr)}`);
}
console.log(`\n${formatHeap(proc)}`);
