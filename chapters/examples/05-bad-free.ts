// What free says about pointers it never handed out, and about blocks freed twice.
import { HeapCorruption, Process, hex } from '../../machine/index.ts';
import { mappingOf } from '../../solutions/05-zones/region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const [a, b, c] = [16, 100, 16].map((size) => zone.malloc(size));
const d = zone.malloc(16); // keeps the tiny region from emptying
const s = zone.malloc(2000);
const big = zone.malloc(100_000);
console.log(`tiny: a = ${hex(a)}, b = ${hex(b)} (100 bytes), c = ${hex(c)}`);
console.log(`small: s = ${hex(s)}; large: big = ${hex(big)}\n`);

function attempt(what: string, ptr: number): void {
  try {
    zone.free(ptr);
    console.log(`free(${what}): no complaint`);
  } catch (error) {
    if (!(error instanceof HeapCorruption)) throw error;
    console.log(`free(${what}):\n  ${error.message.split('\n')[0]}`);
  }
}

attempt('b + 8', b + 8);
attempt('b + 32', b + 32);
const inHeader = mappingOf(TINY, zone.tiny.regionOf(a)) + 256; // 256 bytes into the mapping: below the bitmaps, bytes the header never uses
attempt(`${hex(inHeader)}, in the tiny region's header`, inHeader);
attempt('s + 512', s + 512);
attempt('big + 4096', big + 4096);
attempt(`${hex(proc.heapStart)}, never a block`, proc.heapStart);
zone.free(a);
attempt('a, again at once', a);
zone.free(c); // a leaves death row: merged, really free
attempt('a, again later', a);
zone.free(big);
attempt('big, again', big);
void d;
