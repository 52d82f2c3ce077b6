// check() on a sound zone, then after two stray stores: one into a tiny region's header
// bitmap, one into a small region's metadata.
import { Process, hex } from '../../machine/index.ts';
import { metaEntry } from '../../solutions/05-zones/small-region.ts';
import { headerWord } from '../../solutions/05-zones/tiny-region.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

function zoneWithBlocks() {
  const proc = new Process();
  const zone = createZone(proc);
  const tiny = [16, 40, 100, 16].map((size) => zone.malloc(size));
  zone.free(tiny[1]);
  zone.free(tiny[3]); // the 40-byte block is now really free; the last one waits on death row
  const small = [1500, 5000, 2000, 1100].map((size) => zone.malloc(size));
  zone.free(small[1]);
  zone.free(small[3]); // the 5000-byte block is now really free; the last one waits on death row
  return { proc, zone, tiny, small };
}

const sound = zoneWithBlocks();
console.log(`a sound zone: check() = ${JSON.stringify(sound.zone.check())}\n`);

const one = zoneWithBlocks();
const tinyRegion = one.zone.tiny.regionOf(one.tiny[0]);
const word = headerWord(tinyRegion, 0); // quanta 0 to 31: just below the region's fields
console.log(`a stray store writes 0 over the first header word, at ${hex(word)} (it held ${hex(one.proc.load32(word))})`);
one.proc.store32(word, 0);
console.log(`check():\n${one.zone.check()}\n`);

const two = zoneWithBlocks();
const smallRegion = two.zone.small.regionOf(two.small[0]);
const last = metaEntry(smallRegion, 12); // the last entry of the free 10-quantum block at quantum 3
console.log(`a stray store writes 0x0000 over the entry at ${hex(last)} (it held ${hex(two.proc.load16(last), 4)} = free | 10)`);
two.proc.store16(last, 0);
console.log(`check():\n${two.zone.check()}`);
