// A tiny region's first bitmap words, and a free block's own bytes, as blocks come and go.
// The header runs backwards: the bitmaps of the first quanta lie just below the region's
// fields, and the first block just above them.
import { PAGE_SIZE, Process, hex } from '../../machine/index.ts';
import { REGION, REGION_BYTES, blockAddress, mappingOf } from '../../solutions/05-zones/region.ts';
import { TINY, headerWord } from '../../solutions/05-zones/tiny-region.ts';
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
  const header = proc.load32(headerWord(region, 0));
  const inUse = proc.load32(headerWord(region, 0) + 4);
  const tail = proc.load32(region + REGION.tail);
  const owner = Array.from({ length: QUANTA }, (_, q) => {
    if (q >= tail) return '.';
    const address = blockAddress(TINY, region, q);
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
console.log(`in the tiny region at ${hex(region)} (mapped at ${hex(mappingOf(TINY, region))}); each filled with its own letter; '.' is the tail\n`);
show('after the five mallocs');
const word = headerWord(region, 0);
const before = [proc.load32(word), proc.load32(word + 4)];
zone.free(blocks.b);
const same = before[0] === proc.load32(word) && before[1] === proc.load32(word + 4);
console.log(`free(b): ${same ? 'no bit changes; b waits on death row' : 'the bits change'}\n`);
zone.free(blocks.d);
show('free(d): d takes its place on death row, and b is really freed');

const pair32 = headerWord(region, 32);
console.log('the end of the header: the bitmaps of quanta 32 to 63, then of quanta 0 to 31 (header word, in-use word)');
console.log(proc.hexdump(pair32, 16, { from: word, to: word + 8 }));
console.log(`\nthen the region's fields, at ${hex(region)}: magic, next, prev, usedQuanta, tail, owner, band, highTail`);
console.log(proc.hexdump(region, REGION_BYTES, { from: region, to: region + REGION_BYTES }));
const pages = [...new Set([word, region, blocks.a].map((address) => hex(address - (address % PAGE_SIZE))))];
console.log(`\nthen quantum 0, a's block, at ${hex(blocks.a)}`);
console.log(`the bitmaps of quanta 0 to 31, the fields and a: ${pages.length === 1 ? `all in the page at ${pages[0]}` : `in the pages at ${pages.join(', ')}`}`);
console.log(`\nb, now free: next, prev, msize (3) at +8, the old b's, msize in its last two bytes`);
console.log(proc.hexdump(blocks.b, 48, { from: blocks.b, to: blocks.b + 10 }));
