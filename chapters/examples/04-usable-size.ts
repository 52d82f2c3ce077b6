// malloc_usable_size reports the slack of a block; calloc zeroes only what was asked for.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/04-realloc/realloc.ts';

const proc = new Process();
const heap = createAllocator(proc);
const usable = (ptr: number) => heap.usableSize?.(ptr) ?? 0;

const old = heap.malloc(100);
heap.malloc(16); // a neighbour, so that the block is not trimmed or merged
console.log(`malloc(100)    = ${hex(old)}, usableSize ${usable(old)}`);
proc.memset(old, 0xff, usable(old)); // its owner fills all 112 bytes
heap.free(old);

const p = heap.calloc(1, 100);
console.log(`calloc(1, 100) = ${hex(p)}, usableSize ${usable(p)}\n`);
console.log(proc.hexdump(p + 96, 16, { from: p + 100, to: p + usable(p) }));
