// calloc without its overflow check, as C would run it: the product wraps and the block is short.
import { ENOMEM, Process, hex } from '../../machine/index.ts';
import { writeCString } from '../../solutions/00-the-process/memory.ts';
import { createAllocator } from '../../solutions/04-realloc/realloc.ts';

const proc = new Process();
const heap = createAllocator(proc);

// In C, size_t arithmetic is modulo 2^64.
const count = 2n ** 60n + 2n;
const size = 16n;
const wrapped = Number((count * size) % 2n ** 64n);
console.log(`calloc(2^60 + 2, 16) in C: count * size = 2^64 + ${(count * size) % 2n ** 64n}, which wraps to ${wrapped}`);

// A calloc with no check: malloc(count * size), then memset.
const table = heap.malloc(wrapped);
proc.memset(table, 0, wrapped);
const neighbour = heap.malloc(16);
writeCString(proc, neighbour, 'neighbour');
console.log(`table = ${hex(table)} (${heap.usableSize?.(table)} usable bytes), neighbour = ${hex(neighbour)}\n`);

// The program believes it holds 2^60 + 2 elements of 16 bytes, and fills the first four.
for (let i = 0; i < 4; i++) proc.memset(table + 16 * i, 0x41 + i, 16);
console.log(proc.hexdump(table, 64, { from: neighbour - 16, to: neighbour }));
try {
  heap.free(neighbour);
} catch (error) {
  console.log(`\nfree(neighbour): ${String(error).split('\n')[0]}`);
}

// Our calloc checks before it multiplies.
const ours = heap.calloc(2 ** 50, 1024);
console.log(`\ncalloc(2 ** 50, 1024) = ${ours === 0 ? 'NULL' : hex(ours)}, errno = ${proc.errno === ENOMEM ? 'ENOMEM' : proc.errno}`);
