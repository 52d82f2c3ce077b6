// No coalescing: two free neighbours of 32 bytes cannot hold 64.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { formatHeap } from '../../solutions/02-free-list/walk.ts';

const proc = new Process();
const heap = createAllocator(proc);
const a = heap.malloc(32);
const b = heap.malloc(32);
heap.malloc(16);
heap.free(a);
heap.free(b);
const before = proc.currentBreak;
const c = heap.malloc(64);
console.log(`malloc(64) = ${hex(c)}; the break moved from ${hex(before)} to ${hex(proc.currentBreak)}\n`);
console.log(formatHeap(proc));
