// Bytes above a lowered break stay on their page, and come back when the break rises again.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/bump.ts';

const proc = new Process();
const heap = createAllocator(proc);

heap.malloc(16); // a block that stays, so the heap's first page stays mapped
const old = heap.malloc(32);
proc.memset(old, 0xff, 32);
proc.sbrk(-32); // the program gives the top 32 bytes back, dirty

const p = heap.malloc(32);
console.log(`malloc(32)    = ${hex(p)}:`);
console.log(proc.hexdump(p, 32));

proc.sbrk(-32); // and once more, for calloc
const q = heap.calloc(2, 16);
console.log(`\ncalloc(2, 16) = ${hex(q)}:`);
console.log(proc.hexdump(q, 32));
