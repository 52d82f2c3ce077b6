// A tiny region's first bitmap words, and a free block's own bytes, as blocks come and go.
import { Process, hex } from '../../machine/index.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { TINY_BITMAP_OFFSET, TINY_HEADER_BYTES } from '../../solutions/05-zones/tiny-region.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const proc = new Process();
const zone = createZone(proc);
const sizes = { a: 16, b: 40, c: 64, d: 16, e: 20 };
const blocks = Object.fromEntries(Object.entries(sizes).map(([name, size]) => {
  const ptr = zone.malloc(size);
  proc.memset(ptr, name.charCodeAt(0), size); // the program's bytes: a's are 'a', …
  return [name, ptr];
})) as Record<keyof typeof sizes, number>;
const region = zone.tiny.regionOf(blocks.a);
const QUANTA = 16;
const grouped = (chars: string[]) => chars.join('').replace(/(.{4})(?=.)/g, '$1 ');

/** The first 16 quanta: who owns each, then the two bits of each, in quantum order. */
function show(title: string): void {
  const header = proc.load32(region + TINY_BITMAP_OFFSET);
  const inUse = proc.load32(region + TINY_BITMAP_OFFSET + 4);
  const tail = proc.load32(region + REGION.tail);
  const owner = Array.from({ length: QUANTA }, (_, q) => {
    if (q >= tail) return '.';
    const address = region + TINY_HEADER_BYTES + q * 16;
    return Object.entries(blocks).find(([name, ptr]) => address >= ptr && address < ptr + Math.max(16, Math.ceil(sizes[name as keyof typeof sizes] / 16) * 16))?.[0] ?? '?';
  });
  const bit = (word: number) => Array.from({ length: QUANTA }, (_, q) => String((word >>> q) & 1));
  console.log(title);
  console.log(`  quantum       ${grouped(Array.from({ length: QUANTA }, (_, q) => String(q % 10)))}`);
  console.log(`  blocks        ${grouped(owner)}`);
  console.log(`  header bits   ${grouped(bit(header))}`);
  console.log(`  in-use bits   ${grouped(bit(inUse))}\n`);
}

console.log(`a = malloc(16), b = malloc(40), c = malloc(64), d = malloc(16), e = malloc(20)`);
console.log(`in the tiny region at ${hex(region)}; each filled with its own letter; '.' is the tail\n`);
show('after the five mallocs');
const before = [proc.load32(region + TINY_BITMAP_OFFSET), proc.load32(region + TINY_BITMAP_OFFSET + 4)];
zone.free(blocks.b);
const same = before[0] === proc.load32(region + TINY_BITMAP_OFFSET) && before[1] === proc.load32(region + TINY_BITMAP_OFFSET + 4);
console.log(`free(b): ${same ? 'no bit changes; b waits on death row' : 'the bits change'}\n`);
zone.free(blocks.d);
show('free(d): d takes its place on death row, and b is really freed');

console.log('the region header: magic, next, prev, usedQuanta, tail, owner, band');
console.log(proc.hexdump(region, 32, { from: region, to: region + 28 }));
console.log('\nthe bitmaps: header word and in-use word of quanta 0 to 31, then of quanta 32 to 63');
console.log(proc.hexdump(region + TINY_BITMAP_OFFSET, 16, { from: region + TINY_BITMAP_OFFSET, to: region + TINY_BITMAP_OFFSET + 8 }));
console.log(`\nb, now free: next, prev, msize (3) at +8, the old b's, msize in its last two bytes`);
console.log(proc.hexdump(blocks.b, 48, { from: blocks.b, to: blocks.b + 10 }));
