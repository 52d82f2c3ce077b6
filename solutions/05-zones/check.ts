// Chapter 5: the zone's check(), as malloc_zone_check. It reads the zone from memory alone and
// names the first broken invariant, with the address and the bytes around it:
//   - every region is on its scale's list once, marked in the region map, and tagged;
//   - every region is of a band its rack carves (band 1 only if the rack has a band limit);
//   - the blocks of a region tile it up to its tail, and their metadata agrees with itself;
//   - no two free blocks touch (they would have merged), and no region is entirely free;
//   - every free block is on the list of its size exactly once, and the list bitmap is right;
//   - the statistics match the blocks; every large block is mapped and in the table.

//
// It reads the metadata with its own few lines rather than the allocator's functions, so a
// bug in those cannot hide itself: only the layout (offsets and sizes) is shared.

import { PAGE_SIZE, hex, type Process } from '../../machine/index.ts';
import { ENTRY, ENTRY_SIZE, LARGE } from './large.ts';
import { LINK, RACK, type RackLayout } from './rack.ts';
import { REGION, REGION_BYTES } from './region.ts';
import { NUM_SMALL_QUANTA, SMALL_FREE, SMALL_HEADER_BYTES, SMALL_MAGIC, SMALL_REGION_SIZE, metaEntry } from './small-region.ts';
import { COUNTERS } from './statistics.ts';
import { FREE_MSIZE_OFFSET, NUM_TINY_QUANTA, TINY_HEADER_BYTES, TINY_MAGIC, TINY_REGION_SIZE, headerWord } from './tiny-region.ts';

class Broken extends Error {}

/** `1 quantum`, `3 quanta`: a count of quanta as a message says it. */
const quanta = (count: number) => `${count} ${count === 1 ? 'quantum' : 'quanta'}`;

/** What the checker needs of a zone: where its racks and large-block record are. */
export interface RackPlace {
  base: number;
  layout: RackLayout;
  /** The region map's address (a rack may share one with others of its scale). */
  regionMap: number;
  /** Empty regions the rack may keep mapped. */
  keepEmpty: number;
  /** Blocks of up to this many bytes carve from regions of band 1; 0 or absent: every region is of band 0. */
  bandLimit?: number;
}

export interface ZoneLayout {
  tiny: RackPlace;
  small: RackPlace;
  large: { base: number };
}

/** How the checker reads one scale's regions. */
export interface Reader {
  name: 'tiny' | 'small';
  magic: number;
  quantum: number;
  regionSize: number;
  numQuanta: number;
  headerBytes: number;
  isStart(proc: Process, region: number, q: number): boolean;
  isFree(proc: Process, region: number, q: number): boolean;
  /** The block's size in quanta as its metadata records it. */
  msize(proc: Process, region: number, q: number): number;
}

const bit = (proc: Process, word: number, q: number) => ((proc.load32(word) >>> (q & 31)) & 1) === 1;

export const TINY_READER: Reader = {
  name: 'tiny',
  magic: TINY_MAGIC,
  quantum: 16,
  regionSize: TINY_REGION_SIZE,
  numQuanta: NUM_TINY_QUANTA,
  headerBytes: TINY_HEADER_BYTES,
  isStart: (proc, region, q) => bit(proc, headerWord(region, q), q),
  isFree: (proc, region, q) => !bit(proc, headerWord(region, q) + 4, q),
  msize(proc, region, q) {
    if (!bit(proc, headerWord(region, q) + 4, q)) return proc.load16(region + REGION_BYTES + q * 16 + FREE_MSIZE_OFFSET);
    let next = q + 1;
    while (next < NUM_TINY_QUANTA && !bit(proc, headerWord(region, next), next)) next++;
    return next - q;
  },
};

export const SMALL_READER: Reader = {
  name: 'small',
  magic: SMALL_MAGIC,
  quantum: 512,
  regionSize: SMALL_REGION_SIZE,
  numQuanta: NUM_SMALL_QUANTA,
  headerBytes: SMALL_HEADER_BYTES,
  isStart: (proc, region, q) => proc.load16(metaEntry(region, q)) !== 0,
  isFree: (proc, region, q) => (proc.load16(metaEntry(region, q)) & SMALL_FREE) !== 0,
  msize: (proc, region, q) => proc.load16(metaEntry(region, q)) & ~SMALL_FREE,
};

const listIndex = (layout: RackLayout, msize: number) => Math.min(msize, layout.lists) - 1;

export function checkZone(proc: Process, scales: ZoneLayout): string {
  try {
    checkRack(proc, scales.tiny, TINY_READER);
    checkRack(proc, scales.small, SMALL_READER);
    checkLarge(proc, scales);
    return '';
  } catch (error) {
    if (error instanceof Broken) return error.message;
    return `the zone cannot be walked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** checkRack's finding as a string ('' when sound), for racks outside a zone (chapter 6). */
export function checkOneRack(proc: Process, rack: RackPlace, kind: Reader): string {
  try {
    checkRack(proc, rack, kind);
    return '';
  } catch (error) {
    if (error instanceof Broken) return error.message;
    return `the ${kind.name} rack at ${hex(rack.base)} cannot be walked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Throws the problem with the bytes around [at, at + length) marked; the dump reaches `through` too, for a second byte the message names. */
function fail(proc: Process, problem: string, at: number, length = 16, through = at + length): never {
  const end = Math.max(at + length, through) + 16;
  throw new Broken(`${problem}\n${proc.hexdump(at - 16, end - (at - 16), { from: at, to: at + length })}`);
}

export function checkRack(proc: Process, rack: RackPlace, kind: Reader): void {
  const { base, layout } = rack;
  const name = kind.name;
  const read = (field: keyof typeof RACK) => proc.load32(base + RACK[field]);
  const condemned = read('lastFree');
  const freeBlocks = new Map<number, number>(); // address -> msize
  let blocksInUse = 0;
  let sizeInUse = 0;
  let regions = 0;
  let previous = 0;
  for (let region = read('regions'); region !== 0; region = proc.load32(region + REGION.next)) {
    if (++regions > read('regionCount')) fail(proc, `${name} regions: the list holds more than regionCount = ${read('regionCount')} regions (a cycle?)`, base + RACK.regions, 4);
    if ((region - kind.headerBytes + REGION_BYTES) % kind.regionSize !== 0) {
      fail(proc, `${name} region ${hex(region)}: its fields are not ${kind.headerBytes - REGION_BYTES} bytes into a mapping aligned to its size (${kind.regionSize} bytes)`, base + RACK.regions, 4);
    }
    if (proc.load32(region + REGION.magic) !== kind.magic) fail(proc, `${name} region ${hex(region)}: its magic is ${hex(proc.load32(region + REGION.magic))}, not ${hex(kind.magic)}`, region, 4);
    if (proc.load32(region + REGION.prev) !== previous) fail(proc, `${name} region ${hex(region)}: prev is ${hex(proc.load32(region + REGION.prev))}, but the region before it on the list is ${hex(previous)}`, region + REGION.prev, 4);
    if (!inRegionMap(proc, rack.regionMap, region, kind.regionSize)) fail(proc, `${name} region ${hex(region)} is on the list but not marked in the region map`, rack.regionMap, 16);
    const band = proc.load32(region + REGION.band);
    if (band > ((rack.bandLimit ?? 0) > 0 ? 1 : 0)) fail(proc, `${name} region ${hex(region)}: its band is ${band}, but the rack carves ${(rack.bandLimit ?? 0) > 0 ? 'bands 0 and 1' : 'band 0 only (it has no band limit)'}`, region + REGION.band, 4);
    const tail = proc.load32(region + REGION.tail);
    if (tail > kind.numQuanta) fail(proc, `${name} region ${hex(region)}: its tail is quantum ${tail}, past the last (${kind.numQuanta - 1})`, region + REGION.tail, 4);
    if (proc.load32(region + REGION.highTail) < tail) fail(proc, `${name} region ${hex(region)}: highTail (quantum ${proc.load32(region + REGION.highTail)}) is below its tail (quantum ${tail}), so the pages of its last blocks would not be dropped when it empties`, region + REGION.highTail, 4);
    if (kind.name === 'tiny' && tail < kind.numQuanta && !kind.isStart(proc, region, tail)) fail(proc, `tiny region ${hex(region)}: the header bit of its tail (quantum ${tail}) is not set, so the last block has no end`, headerWord(region, tail), 8);
    let used = 0;
    let previousFree = false;
    for (let q = 0; q < tail; ) {
      const block = region + REGION_BYTES + q * kind.quantum;
      if (!kind.isStart(proc, region, q)) fail(proc, `${name} region ${hex(region)}, quantum ${q} (${hex(block)}): the block before ends here, but no block starts here`, block);
      const msize = kind.msize(proc, region, q);
      if (msize < 1) fail(proc, `${name} block ${hex(block)} (quantum ${q}) has a size of ${quanta(msize)}: its metadata is broken`, block);
      if (q + msize > tail) fail(proc, `${name} block ${hex(block)} (quantum ${q}) has size ${quanta(msize)}, which runs past the region's tail (quantum ${tail})`, block);
      if (kind.name === 'small') {
        // Only a block's first and last entries may be set: a stray one inside would pass for a block start.
        for (let inside = q + 1; inside < q + msize - 1; inside++) {
          const entry = proc.load16(metaEntry(region, inside));
          if (entry !== 0) fail(proc, `small block ${hex(block)} (quanta ${q} to ${q + msize - 1}): the entry of quantum ${inside}, inside it, is ${hex(entry, 4)}, not 0 (the entry of a block merged into it, never erased?)`, metaEntry(region, inside), 2);
        }
      }
      const free = kind.isFree(proc, region, q);
      if (free) {
        if (previousFree) fail(proc, `${name} block ${hex(block)} (quantum ${q}) is free and so is the block before it: they should have merged`, block);
        if (q + msize === tail) fail(proc, `${name} block ${hex(block)} (quantum ${q}) is free and ends at the tail: it should have rejoined the tail`, block);
        checkFreeRecord(proc, kind, region, q, msize);
        freeBlocks.set(block, msize);
      } else {
        if (kind.name === 'small' && msize > 1 && proc.load16(metaEntry(region, q + msize - 1)) !== 0) {
          fail(proc, `small block ${hex(block)} is in use, but the entry of its last quantum is not 0`, metaEntry(region, q + msize - 1), 2);
        }
        if (block !== condemned) {
          used += msize;
          blocksInUse++;
          sizeInUse += msize * kind.quantum;
        }
      }
      previousFree = free;
      q += msize;
    }
    if (proc.load32(region + REGION.usedQuanta) !== used) fail(proc, `${name} region ${hex(region)}: usedQuanta says ${proc.load32(region + REGION.usedQuanta)}, its blocks in use hold ${used}`, region + REGION.usedQuanta, 4);
    if (used === 0 && read('regionCount') > rack.keepEmpty) {
      const waiting = condemned !== 0 && condemned > region && condemned < region + REGION_BYTES + tail * kind.quantum;
      const why = waiting ? `: only death row's block ${hex(condemned)} is left in it (free() of a region's last block in use must flush death row, then give the region back)` : '';
      fail(proc, `${name} region ${hex(region)} holds no block in use but was not given back${why}`, region, 16);
    }
    previous = region;
  }
  if (regions !== read('regionCount')) fail(proc, `${name}: regionCount is ${read('regionCount')} but the list holds ${regions} regions`, base + RACK.regionCount, 4);
  if (condemned !== 0) {
    const home = condemned - (condemned % kind.regionSize);
    if (!inRegionMap(proc, rack.regionMap, home, kind.regionSize) || freeBlocks.has(condemned)) fail(proc, `${name} death row holds ${hex(condemned)}, which is not a block in use in a ${name} region`, base + RACK.lastFree, 8);
  }
  checkLists(proc, rack, kind, freeBlocks);
  const counters = base + RACK.counters;
  const counter = (field: keyof typeof COUNTERS) => proc.load32(counters + COUNTERS[field]);
  if (counter('blocksInUse') !== blocksInUse) fail(proc, `${name} statistics: blocksInUse is ${counter('blocksInUse')}, the regions hold ${blocksInUse} blocks in use`, counters + COUNTERS.blocksInUse, 4);
  if (counter('sizeInUse') !== sizeInUse) fail(proc, `${name} statistics: sizeInUse is ${counter('sizeInUse')}, the blocks in use hold ${sizeInUse} bytes`, counters + COUNTERS.sizeInUse, 4);
  if (counter('sizeAllocated') !== regions * kind.regionSize) fail(proc, `${name} statistics: sizeAllocated is ${counter('sizeAllocated')}, ${regions} regions make ${regions * kind.regionSize}`, counters + COUNTERS.sizeAllocated, 4);
}

/** A free block's size is recorded twice: both copies must agree, and nothing may start inside it. */
function checkFreeRecord(proc: Process, kind: Reader, region: number, q: number, msize: number): void {
  const block = region + REGION_BYTES + q * kind.quantum;
  if (kind.name === 'tiny') {
    const last = proc.load16(block + msize * 16 - 2);
    if (last !== msize) fail(proc, `tiny free block ${hex(block)} of ${quanta(msize)}: its last two bytes say ${last}`, block + msize * 16 - 2, 2);
    let next = q + 1;
    while (next < NUM_TINY_QUANTA && !bit(proc, headerWord(region, next), next)) next++;
    if (next !== q + msize) fail(proc, `tiny free block ${hex(block)} says ${quanta(msize)} at +${FREE_MSIZE_OFFSET}, but the header bitmap starts the next block ${quanta(next - q)} on`, block, 16);
  } else {
    const first = proc.load16(metaEntry(region, q));
    const last = proc.load16(metaEntry(region, q + msize - 1));
    // Entries run downwards from quantum 0's: the dump reaches up to the first entry.
    if (last !== first) fail(proc, `small free block ${hex(block)}: its first entry is ${hex(first, 4)} (at ${hex(metaEntry(region, q))}), its last ${hex(last, 4)}; both should be ${hex(msize | SMALL_FREE, 4)}`, metaEntry(region, q + msize - 1), 2, metaEntry(region, q) + 2);
  }
}

function checkLists(proc: Process, rack: RackPlace, kind: Reader, freeBlocks: Map<number, number>): void {
  const { base, layout } = rack;
  let listed = 0;
  for (let index = 0; index < layout.lists; index++) {
    const head = base + layout.freeLists + index * 4;
    const bit = (proc.load32(base + RACK.nonEmpty + (index >>> 5) * 4) >>> (index & 31)) & 1;
    if (bit !== (proc.load32(head) !== 0 ? 1 : 0)) fail(proc, `${kind.name} free list ${index}: its bit in the bitmap is ${bit}, but the list is ${bit ? 'empty' : 'not empty'}`, base + RACK.nonEmpty + (index >>> 5) * 4, 4);
    let prev = 0;
    for (let block = proc.load32(head); block !== 0; block = proc.load32(block + LINK.next)) {
      const msize = freeBlocks.get(block);
      if (msize === undefined) fail(proc, `${kind.name} free list ${index} reaches ${hex(block)}, which is not a free block: ${whatIsAt(proc, rack, kind, block)}`, prev === 0 ? head : prev, prev === 0 ? 4 : 8);
      if (listIndex(layout, msize) !== index) fail(proc, `${kind.name} free block ${hex(block)} of ${quanta(msize)} is on list ${index}; it belongs on list ${listIndex(layout, msize)}`, block, 8);
      if (proc.load32(block + LINK.prev) !== prev) fail(proc, `${kind.name} free block ${hex(block)}: prev is ${hex(proc.load32(block + LINK.prev))}, but the block before it on list ${index} is ${hex(prev)}`, block, 8);
      freeBlocks.delete(block);
      if (++listed > 1_000_000) fail(proc, `${kind.name} free list ${index} does not end (a cycle?)`, head, 4);
      prev = block;
    }
  }
  for (const [block, msize] of freeBlocks) fail(proc, `${kind.name} free block ${hex(block)} of ${quanta(msize)} is on no free list`, block, 8);
}

/** What a free list reached instead of a free block, said so that the mistake shows. */
function whatIsAt(proc: Process, rack: RackPlace, kind: Reader, address: number): string {
  const region = address - (address % kind.regionSize) + kind.headerBytes - REGION_BYTES;
  if (!inRegionMap(proc, rack.regionMap, region, kind.regionSize)) return `no ${kind.name} region holds it: was its region given back while it was still listed?`;
  if (address < region + REGION_BYTES) return `it lies in the header of ${kind.name} region ${hex(region)}`;
  const tail = proc.load32(region + REGION.tail);
  for (let q = 0; q < tail; ) {
    const block = region + REGION_BYTES + q * kind.quantum;
    const msize = kind.msize(proc, region, q);
    if (msize < 1) break;
    if (address < block + msize * kind.quantum) {
      if (address !== block) return `it lies inside the ${kind.isFree(proc, region, q) ? 'free' : 'in-use'} block ${hex(block)} (quanta ${q} to ${q + msize - 1} of region ${hex(region)}): merged into that block, but never taken off its list?`;
      if (address === proc.load32(rack.base + RACK.lastFree)) return `it is the block on death row (quantum ${q} of region ${hex(region)}), still marked in use`;
      return `it is a block in use (quantum ${q} of region ${hex(region)}): handed out, but never taken off its list?`;
    }
    q += msize;
  }
  return `it lies at or past the tail of region ${hex(region)} (quantum ${tail}): back in the tail, but never taken off its list?`;
}

function inRegionMap(proc: Process, map: number, region: number, regionSize: number): boolean {
  const index = Math.floor(region / regionSize); // any address in the region: its mapping's slot
  return ((proc.load32(map + (index >>> 5) * 4) >>> (index & 31)) & 1) === 1;
}

function checkLarge(proc: Process, scales: ZoneLayout): void {
  const base = scales.large.base;
  const table = proc.load32(base + LARGE.table);
  const capacity = proc.load32(base + LARGE.capacity);
  const mappings = proc.mappingList();
  let count = 0;
  let bytes = 0;
  for (let i = 0; i < capacity; i++) {
    const entry = table + i * ENTRY_SIZE;
    const address = proc.load32(entry + ENTRY.address);
    if (address === 0) continue;
    const size = proc.load32(entry + ENTRY.bytes);
    if (size === 0 || size % PAGE_SIZE !== 0) fail(proc, `large entry ${i}: block ${hex(address)} has ${size} bytes, not a whole number of pages`, entry, 8);
    if (!mappings.some((m) => m.start <= address && address + size <= m.end)) fail(proc, `large entry ${i}: block ${hex(address)} of ${size} bytes is not mapped`, entry, 8);
    count++;
    bytes += size;
  }
  if (proc.load32(base + LARGE.count) !== count) fail(proc, `large blocks: count is ${proc.load32(base + LARGE.count)}, the table holds ${count}`, base + LARGE.count, 4);
  const counter = (field: keyof typeof COUNTERS) => proc.load32(base + LARGE.counters + COUNTERS[field]);
  const at = (field: keyof typeof COUNTERS) => base + LARGE.counters + COUNTERS[field];
  if (counter('blocksInUse') !== count) fail(proc, `large statistics: blocksInUse is ${counter('blocksInUse')}, the table holds ${count} blocks`, at('blocksInUse'), 4);
  if (counter('sizeInUse') !== bytes) fail(proc, `large statistics: sizeInUse is ${counter('sizeInUse')}, the blocks hold ${bytes} bytes`, at('sizeInUse'), 4);
  // Each large block is its own mapping: the scale holds from the kernel exactly its blocks' pages.
  if (counter('sizeAllocated') !== bytes) fail(proc, `large statistics: sizeAllocated is ${counter('sizeAllocated')}, the blocks' mappings make ${bytes} bytes`, at('sizeAllocated'), 4);
}
