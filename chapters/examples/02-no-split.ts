// No splitting: a 16-byte request takes a whole freed 4 KiB block.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { formatHeap } from '../../solutions/02-free-list/walk.ts';

const proc = new Process();
const heap = createAllocator(proc);
const big = heap.malloc(4096);
heap.malloc(16);
heap.free(big);
const small = heap.malloc(16);
console.log(`malloc(16) = ${hex(small)}, usable size ${heap.usableSize?.(small)}\n`);
console.log(formatHeap(proc));
