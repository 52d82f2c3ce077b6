// Large blocks: whole pages from mmap, recorded in a hash table in pages of its own.
import { Process, hex } from '../../machine/index.ts';
import { ENTRY, ENTRY_SIZE, LARGE } from '../../solutions/05-zones/large.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const sizes = [40_000, 100_000, 300_000];
const blocks = sizes.map((size) => zone.malloc(size));
const table = proc.load32(zone.large.base + LARGE.table);
const capacity = proc.load32(zone.large.base + LARGE.capacity);

console.log(`the table at ${hex(table)}: ${capacity} entries of ${ENTRY_SIZE} bytes (address, bytes)\n`);
console.log('malloc          block       bytes   page number  home slot  slot');
blocks.forEach((block, i) => {
  const page = block >>> 12;
  const home = Math.imul(page, 0x9e3779b1) >>> (32 - Math.log2(capacity));
  let slot = 0;
  while (proc.load32(table + slot * ENTRY_SIZE + ENTRY.address) !== block) slot++;
  const bytes = proc.load32(table + slot * ENTRY_SIZE + ENTRY.bytes);
  console.log(`malloc(${sizes[i]})`.padEnd(16) + `${hex(block)}  ${String(bytes).padStart(6)}   ${hex(page, 5).padStart(11)}  ${String(home).padStart(9)}  ${String(slot).padStart(4)}`);
});

const mine = () => proc.maps().split('\n').filter((line) => line.includes('malloc')).map((line) => `  ${line}`).join('\n');
console.log(`\nthe zone's mappings:\n${mine()}`);
zone.free(blocks[1]);
console.log(`\nfree(${hex(blocks[1])}): munmap, and the entry leaves the table\n${mine()}`);
console.log(`\nmappedBytes: ${proc.stats().mappedBytes.toLocaleString('en-US')}, munmap calls: ${proc.stats().syscalls.munmap}`);
