// place splits a free block when the rest can be a block of its own, and hands out all of it when not.
import { Process, hex } from '../../machine/index.ts';
import { createHeap } from '../../solutions/03-coalescing/coalescing.ts';
import { formatBlocks } from './03-heap.ts';

const proc = new Process();
const heap = createHeap(proc);
const big = heap.malloc(1000);
heap.malloc(16); // keeps the freed block away from the top
heap.free(big);
console.log(`free(${hex(big)})\n\n${formatBlocks(proc)}\n`);

for (const size of [100, 860]) {
  const p = heap.malloc(size);
  console.log(`malloc(${size}) = ${hex(p)}: block needed ${heap.blockSizeFor(size)} bytes, block given ${heap.blockSize(p - 16)}\n\n${formatBlocks(proc)}\n`);
}
