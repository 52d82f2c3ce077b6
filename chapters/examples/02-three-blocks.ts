// Three blocks, listed by following the headers from global_base, as the list links them.
import { Process, hex } from '../../machine/index.ts';
import { BlockMeta, META_SIZE, createAllocator } from '../../solutions/02-free-list/free-list.ts';

const proc = new Process();
const heap = createAllocator(proc);
for (const size of [24, 100, 8]) heap.malloc(size);

let block = proc.load64(proc.static('global_base', 8));
console.log(`global_base = ${hex(block)}`);
console.log(`${'header'.padEnd(12)}${'size'.padStart(4)}  ${'next'.padEnd(12)}free  ${'magic'.padEnd(12)}payload`);
while (block !== 0) {
  const meta = BlockMeta.at(proc, block);
  console.log(`${hex(block).padEnd(12)}${String(meta.size).padStart(4)}  ${hex(meta.next).padEnd(12)}${String(meta.free).padEnd(6)}${hex(meta.magic).padEnd(12)}${hex(block + META_SIZE)}`);
  block = meta.next;
}
console.log(`the break is at ${hex(proc.currentBreak)}`);
