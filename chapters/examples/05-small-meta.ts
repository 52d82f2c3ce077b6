// A small region's metadata: one u16 entry per 512-byte quantum, as blocks are freed,
// merged and split. The entries run down from the region's fields: quantum 0's is the
// highest, just below them, so a dump reads them right to left.
import { Process, hex } from '../../machine/index.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { SMALL_FREE, metaEntry } from '../../solutions/05-zones/small-region.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const [a, b, c, d, e] = [1500, 5000, 1200, 2000, 1100].map((size) => zone.malloc(size));
const region = zone.small.regionOf(a);
const QUANTA = 24;

/** The non-zero entries of the first quanta, decoded, then their bytes. */
function show(title: string, dump = true): void {
  console.log(title);
  const tail = proc.load32(region + REGION.tail);
  const decoded: string[] = [];
  for (let q = 0; q < QUANTA; q++) {
    const entry = proc.load16(metaEntry(region, q));
    if (entry !== 0) decoded.push(`${String(q).padStart(2)}: ${hex(entry, 4)}  ${entry & SMALL_FREE ? 'free' : 'in use'}, ${entry & ~SMALL_FREE} quanta`);
  }
  console.log(decoded.map((line) => `  ${line}`).join('\n'));
  console.log(`  tail: quantum ${tail}`);
  if (dump) console.log(proc.hexdump(metaEntry(region, QUANTA - 1), QUANTA * 2));
  console.log('');
}

console.log('malloc(1500), malloc(5000), malloc(1200), malloc(2000), malloc(1100): 3, 10, 3, 4 and 3 quanta');
console.log(`the entries of the small region at ${hex(region)} run down from ${hex(metaEntry(region, 0))} (quantum 0) to ${hex(metaEntry(region, QUANTA - 1))} (quantum ${QUANTA - 1})\n`);
show('after the mallocs: one entry per block, the rest 0', false);
zone.free(b);
zone.free(e); // b leaves death row
show('free(the 5000-byte block), free(the 1100-byte block):\nthe first is free for real, marked at both ends; the second waits on death row');
const tailBefore = proc.load32(region + REGION.tail);
zone.free(c); // e leaves death row and rejoins the tail
console.log(`free(the 1200-byte block): it waits on death row;\nthe 1100-byte block, freed for real, rejoins the tail: quantum ${tailBefore} -> ${proc.load32(region + REGION.tail)}\n`);
const f = zone.malloc(3000); // flushes death row: c merges with b; then a 6-quantum split
show(`malloc(3000) = ${hex(f)}:\nthe 1200-byte block merges with the free block before it; 6 of the 13 quanta are used`);
void d;
