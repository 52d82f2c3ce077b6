// Freeing does not shrink the process until a whole region is free.
import { Process } from '../../machine/index.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const kib = (bytes: number) => (bytes / 1024).toLocaleString('en-US');
const columns = ['sizeInUse', 'regions', 'mappedBytes', 'mappedResidentBytes', 'virtualBytes', 'residentBytes'];

console.log('sizeInUse in bytes, the rest of proc.stats() in KiB\n');
console.log(`${'after'.padEnd(32)}${columns.map((c) => c.padStart(c.length + 2)).join('')}`);
function step(what: string): void {
  const s = proc.stats();
  const cells = [zone.statistics('tiny').sizeInUse.toLocaleString('en-US'), String(proc.load32(zone.tiny.base + RACK.regionCount)), kib(s.mappedBytes), kib(s.mappedResidentBytes), kib(s.virtualBytes), kib(s.residentBytes)];
  console.log(`${what.padEnd(32)}${cells.map((cell, i) => cell.padStart(columns[i].length + 2)).join('')}`);
}

step('nothing yet');
// 1,500 blocks of 1008 bytes: a tiny region holds 1,023 of them, so two regions.
const blocks = Array.from({ length: 1500 }, () => {
  const ptr = zone.malloc(1008);
  proc.memset(ptr, 0x41, 1008); // the program uses its blocks
  return ptr;
});
const first = zone.tiny.regionOf(blocks[0]);
const inFirst = blocks.filter((p) => zone.tiny.regionOf(p) === first);
const inSecond = blocks.filter((p) => zone.tiny.regionOf(p) !== first);
step(`${blocks.length.toLocaleString('en-US')} x malloc(1008)`);
const keepFirst = inFirst[0];
const keepSecond = inSecond[inSecond.length - 1];
for (const p of blocks) if (p !== keepFirst && p !== keepSecond) zone.free(p);
step('free all but one in each region');
zone.free(keepFirst);
step('free the last one of region 1');
zone.free(keepSecond);
step('free the last one of region 2');
console.log(`\nregion 1 held ${inFirst.length.toLocaleString('en-US')} of the blocks, region 2 the other ${inSecond.length}`);
