// A used block and a free block, byte by byte: the header, the free list links and the footer.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/03-coalescing/coalescing.ts';
import { formatBlocks } from './03-heap.ts';

const proc = new Process();
const heap = createAllocator(proc);
const [a, b, c, d] = [heap.malloc(40), heap.malloc(40), heap.malloc(16), heap.malloc(40)];
heap.malloc(16);
proc.memset(a, 'A'.charCodeAt(0), 40);
proc.memset(b, 'B'.charCodeAt(0), 40);
heap.free(d);
heap.free(b);
console.log(`a = ${hex(a)}, b = ${hex(b)}, c = ${hex(c)}, d = ${hex(d)}; then free(d), free(b)\n`);
console.log(`${formatBlocks(proc)}\n`);
console.log('a, in use: header (size 64, flags USED, magic), then the payload');
console.log(proc.hexdump(a - 16, 64, { from: a - 16, to: a }));
console.log('\nb, free: header, links (next, prev), old bytes, footer');
console.log(proc.hexdump(b - 16, 64, { from: b, to: b + 16 }));
console.log('\nc, in use: its header says PREV_FREE');
console.log(proc.hexdump(c - 16, 16, { from: c - 8, to: c - 4 }));
