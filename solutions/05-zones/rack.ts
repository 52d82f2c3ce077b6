// Chapter 5, step 4: malloc and free inside regions. A rack is everything one scale (tiny or
// small) owns: its regions, a free list per block size with a bitmap of the non-empty lists,
// the last block freed (death row), and its statistics. It lives in the data segment; the
// region kind (tiny-region.ts, small-region.ts) says how blocks are recorded.
//
// malloc takes the first block of the smallest non-empty list that fits, which the bitmap
// finds in a few word reads, and splits off the rest; when no list has one, it cuts the
// block from the tail of the newest region of its band (given a band limit, the smallest
// blocks carve from regions of their own). free merges a block with free neighbours inside
// its region (a block next to the tail rejoins it), and gives a region back to the kernel
// once nothing in it is in use.

import { ENOMEM, HeapCorruption, MADV_DONTNEED, PAGE_SIZE, alignUp, hex, type Process } from '../../machine/index.ts';
import { REGION, blockAddress, mapAligned, mappingOf, regionBase, regionIn, type RegionKind } from './region.ts';
import { countAllocated, countBlock } from './statistics.ts';

// #region rack-layout
/** Fields of a rack (u32 each), then its arrays. */
export const RACK = {
  regions: 0, // the first region, or 0
  regionCount: 4,
  lastFree: 8, // death row: the block freed last, not yet merged (0 if none)
  lastFreeMsize: 12,
  counters: 16, // statistics (statistics.ts): 16 bytes
  nonEmpty: 32, // the bitmap of non-empty free lists: u32[listWords]
} as const;

/** Free-block links, at the start of the block. */
export const LINK = { next: 0, prev: 4 } as const;

export interface RackLayout {
  /** Lists 0 … maxMsize-1 hold blocks of exactly 1 … maxMsize quanta; the last holds bigger ones. */
  lists: number;
  listWords: number;
  /** Offset of the list heads, u32[lists]. */
  freeLists: number;
  /** Offset of the region map: one bit per possible region in the 4 GiB address space. */
  regionMap: number;
  bytes: number;
}

export function rackLayout(kind: RegionKind, maxMsize: number): RackLayout {
  const lists = maxMsize + 1;
  const listWords = Math.ceil(lists / 32);
  const freeLists = RACK.nonEmpty + listWords * 4;
  const regionMap = freeLists + lists * 4;
  const mapWords = Math.ceil(2 ** 32 / kind.regionSize / 32);
  return { lists, listWords, freeLists, regionMap, bytes: regionMap + mapWords * 4 };
}
// #endregion rack-layout

export interface Rack {
  readonly kind: RegionKind;
  /** The rack's address in the data segment. */
  readonly base: number;
  readonly layout: RackLayout;
  /** A block of `msize` quanta, or 0 with errno = ENOMEM. */
  malloc(msize: number): number;
  /** The region of this scale that holds `ptr`, or 0. */
  regionOf(ptr: number): number;
  /** The quantum of the live block `ptr` in `region`; a HeapCorruption for anything else. */
  quantumOf(region: number, ptr: number, call: string): number;
  free(region: number, q: number): void;
  /** Shrinks the live block at q to `msize` quanta, freeing the rest. */
  shrink(region: number, q: number, msize: number): void;
  /** Grows the live block at q to `msize` quanta into a free neighbour; false if it cannot. */
  growInPlace(region: number, q: number, msize: number): boolean;
  /** Which free list holds blocks of `msize` quanta. */
  listIndex(msize: number): number;
  /** The address of the region map this rack marks its regions in. */
  readonly regionMap: number;
  /** Empty regions the rack keeps mapped (RackPlacement.keepEmpty). */
  readonly keepEmpty: number;
  /** Blocks of up to this many bytes carve from regions of their own (RackPlacement.bandLimit); 0 for none. */
  readonly bandLimit: number;
  /** Detaches `region` from this rack: its free blocks leave the lists, its counts leave the statistics. */
  takeRegion(region: number): void;
  /** Attaches a region detached from another rack of the same scale: the reverse of takeRegion. */
  giveRegion(region: number): void;
  /** The region with the fewest quanta in use, or 0 if the rack has none. */
  emptiestRegion(): number;
}

/** Where a rack lives and how it shares; chapter 6 keeps several racks per scale, one per magazine. */
export interface RackPlacement {
  /** The rack's address; by default a global named after the scale. */
  base?: number;
  /** A region map shared with other racks of the scale; by default the rack's own. */
  regionMap?: number;
  /** Written into each region the rack maps or is given (REGION.owner). */
  owner?: number;
  /** Regions kept mapped when they become empty, as long as the rack holds no more than this many. */
  keepEmpty?: number;
  /** Called before mapping a new region: may give this rack a region (giveRegion) and return true. */
  refill?: () => boolean;
  /** Blocks of up to this many bytes carve from regions of their own (band 1), the others from theirs (band 0); by default 0, one band. */
  bandLimit?: number;
}

/** The zone's band limit: tiny blocks of up to 64 bytes (4 quanta) carve apart from bigger ones. */
export const BAND_LIMIT = 64;

export function createRack(proc: Process, kind: RegionKind, maxMsize: number, placement: RackPlacement = {}): Rack {
  const layout = rackLayout(kind, maxMsize);
  const base = placement.base ?? proc.static(`${kind.name}_rack`, layout.bytes);
  const regionMap = placement.regionMap ?? base + layout.regionMap;
  const owner = placement.owner ?? 0;
  const keepEmpty = placement.keepEmpty ?? 0;
  const bandLimit = placement.bandLimit ?? 0;
  const { quantum, numQuanta, regionSize } = kind;
  const regionShift = Math.log2(regionSize);
  const field = (name: keyof typeof RACK) => base + RACK[name];
  const lastFree = field('lastFree');
  const lastFreeMsize = field('lastFreeMsize');
  const listHead = (index: number) => base + layout.freeLists + index * 4;
  const listIndex = (msize: number) => Math.min(msize, layout.lists) - 1;

  // #region free-lists
  function insertFree(block: number, msize: number): void {
    const index = listIndex(msize);
    const head = proc.load32(listHead(index));
    proc.store32(block + LINK.next, head);
    proc.store32(block + LINK.prev, 0);
    if (head !== 0) proc.store32(head + LINK.prev, block);
    proc.store32(listHead(index), block);
    const word = base + RACK.nonEmpty + (index >>> 5) * 4;
    proc.store32(word, (proc.load32(word) | (1 << (index & 31))) >>> 0);
  }

  function removeFree(block: number, msize: number): void {
    const index = listIndex(msize);
    const next = proc.load32(block + LINK.next);
    const prev = proc.load32(block + LINK.prev);
    if (next !== 0) proc.store32(next + LINK.prev, prev);
    if (prev !== 0) {
      proc.store32(prev + LINK.next, next);
      return;
    }
    proc.store32(listHead(index), next);
    if (next === 0) {
      const word = base + RACK.nonEmpty + (index >>> 5) * 4;
      proc.store32(word, (proc.load32(word) & ~(1 << (index & 31))) >>> 0);
    }
  }

  /** The first non-empty list at or after `index`, from the bitmap; -1 if there is none. */
  function firstNonEmpty(index: number): number {
    for (let w = index >>> 5; w < layout.listWords; w++) {
      let bits = proc.load32(base + RACK.nonEmpty + w * 4);
      if (w === index >>> 5) bits &= -1 << (index & 31);
      if (bits !== 0) return w * 32 + 31 - Math.clz32(bits & -bits);
    }
    return -1;
  }
  // #endregion free-lists

  const counters = field('counters');
  function account(msize: number, blocks: 1 | -1): void {
    countBlock(proc, counters, msize * quantum, blocks);
  }

  function addUsed(region: number, quanta: number): number {
    const used = proc.load32(region + REGION.usedQuanta) + quanta;
    proc.store32(region + REGION.usedQuanta, used);
    return used;
  }

  // #region regions
  /** A region for `band` with no block yet: one the rack kept when it emptied, or a new mapping. */
  function newRegion(band: number): number {
    const kept = keptEmpty();
    if (kept !== 0) {
      unlinkRegion(kept); // to the front of the list, where newestOf looks first
      linkRegion(kept);
      proc.store32(kept + REGION.band, band);
      return kept;
    }
    const start = mapAligned(proc, regionSize, `malloc ${kind.name}`);
    if (start === 0) return 0;
    const region = regionIn(kind, start);
    proc.store32(region + REGION.magic, kind.magic);
    proc.store32(region + REGION.owner, owner);
    proc.store32(region + REGION.band, band);
    linkRegion(region);
    setMapBit(region, true);
    return region; // all tail: no block yet
  }

  /** An empty region (all tail) that releaseRegion kept, or 0. */
  function keptEmpty(): number {
    if (keepEmpty === 0) return 0;
    for (let region = proc.load32(field('regions')); region !== 0; region = proc.load32(region + REGION.next)) {
      if (proc.load32(region + REGION.tail) === 0) return region;
    }
    return 0;
  }

  /** Moves the tail of `region` to quantum `q`. */
  function setTail(region: number, q: number): void {
    const old = proc.load32(region + REGION.tail);
    kind.markTail(proc, region, old, false);
    proc.store32(region + REGION.tail, q);
    kind.markTail(proc, region, q, true);
    if (q > old && q > proc.load32(region + REGION.highTail)) proc.store32(region + REGION.highTail, q);
  }

  // #region carve
  /** The band of a block of `msize` quanta: 1 for the smallest blocks, 0 for the others. */
  function bandOf(msize: number): number {
    return msize * quantum <= bandLimit ? 1 : 0;
  }

  /** The newest region of `band` (the first on the list), or 0. */
  function newestOf(band: number): number {
    let region = proc.load32(field('regions'));
    while (region !== 0 && proc.load32(region + REGION.band) !== band) region = proc.load32(region + REGION.next);
    return region;
  }

  /** A block of `msize` quanta cut from the tail of the newest region of its band, or of a new one; 0 if mmap fails. */
  function carve(msize: number): number {
    const band = bandOf(msize);
    let region = newestOf(band);
    if ((region === 0 || proc.load32(region + REGION.tail) + msize > numQuanta) && placement.refill?.() === true) {
      const index = firstNonEmpty(listIndex(msize)); // the region given may have a free block that fits
      if (index !== -1) return takeFree(proc.load32(listHead(index)), msize);
      region = newestOf(band);
    }
    if (region === 0 || proc.load32(region + REGION.tail) + msize > numQuanta) region = newRegion(band);
    if (region === 0) return 0;
    const q = proc.load32(region + REGION.tail);
    setTail(region, q + msize);
    kind.setBlock(proc, region, q, msize, false);
    return blockAddress(kind, region, q);
  }
  // #endregion carve

  /** Unmaps a region that holds no block any more (it is all tail), unless the rack keeps it. */
  function releaseRegion(region: number): void {
    if (proc.load32(field('regionCount')) <= keepEmpty) return dropPages(region);
    unlinkRegion(region);
    setMapBit(region, false);
    proc.munmap(mappingOf(kind, region), regionSize);
  }

  /**
   * Keeps an empty region mapped but gives back the pages its blocks wrote (madvise), so that
   * they stop counting as resident; they read as zeros when blocks reach them again. The page
   * of the fields stays, with the metadata of the first quanta.
   */
  function dropPages(region: number): void {
    const from = alignUp(blockAddress(kind, region, 0), PAGE_SIZE);
    const to = alignUp(blockAddress(kind, region, proc.load32(region + REGION.highTail)), PAGE_SIZE);
    if (to > from) proc.madvise(from, to - from, MADV_DONTNEED);
    proc.store32(region + REGION.highTail, 0);
  }

  /** Puts `region` at the front of the rack's list, and counts it. */
  function linkRegion(region: number): void {
    const head = proc.load32(field('regions'));
    proc.store32(region + REGION.prev, 0);
    proc.store32(region + REGION.next, head);
    if (head !== 0) proc.store32(head + REGION.prev, region);
    proc.store32(field('regions'), region);
    proc.store32(field('regionCount'), proc.load32(field('regionCount')) + 1);
    countAllocated(proc, counters, regionSize);
  }

  function unlinkRegion(region: number): void {
    const next = proc.load32(region + REGION.next);
    const prev = proc.load32(region + REGION.prev);
    if (next !== 0) proc.store32(next + REGION.prev, prev);
    if (prev !== 0) proc.store32(prev + REGION.next, next);
    else proc.store32(field('regions'), next);
    proc.store32(field('regionCount'), proc.load32(field('regionCount')) - 1);
    countAllocated(proc, counters, -regionSize);
  }

  function setMapBit(region: number, on: boolean): void {
    const index = region >>> regionShift;
    const word = regionMap + (index >>> 5) * 4;
    const mask = 1 << (index & 31);
    // Racks of one scale may share the map (chapter 6) and each holds only its own lock, so
    // the word changes by compare-and-swap: a plain read-modify-write could lose a neighbour's bit.
    for (let seen = proc.atomicLoad32(word); ; ) {
      const wanted = (on ? seen | mask : seen & ~mask) >>> 0;
      const found = proc.atomicCompareExchange32(word, seen, wanted);
      if (found === seen) return;
      seen = found;
    }
  }

  function regionOf(ptr: number): number {
    if (!(ptr >= 0 && ptr < 2 ** 32)) return 0;
    const index = ptr >>> regionShift; // regionSize is a power of two: a shift, not a division
    const bits = proc.load32(regionMap + (index >>> 5) * 4);
    return (bits & (1 << (index & 31))) !== 0 ? regionIn(kind, index * regionSize) : 0;
  }
  // #endregion regions

  // #region malloc
  function malloc(msize: number): number {
    const last = proc.load32(lastFree);
    if (last !== 0) {
      if (proc.load32(lastFreeMsize) === msize) {
        proc.store32(lastFree, 0); // death row pardons the block: still marked in use
        addUsed(regionBase(kind, last), msize);
        account(msize, 1);
        return last;
      }
      flushDeathRow(); // merged with its neighbours, it may make the fit this request needs
    }
    const index = firstNonEmpty(listIndex(msize));
    const block = index === -1 ? carve(msize) : takeFree(proc.load32(listHead(index)), msize);
    if (block === 0) {
      proc.errno = ENOMEM;
      return 0;
    }
    addUsed(regionBase(kind, block), msize);
    account(msize, 1);
    return block;
  }

  /** Takes the free block `block` off its list and uses its first `msize` quanta. */
  function takeFree(block: number, msize: number): number {
    const region = regionBase(kind, block);
    const q = (block - blockAddress(kind, region, 0)) / quantum;
    const have = kind.msizeOf(proc, region, q);
    removeFree(block, have);
    if (have > msize) {
      kind.setBlock(proc, region, q + msize, have - msize, true);
      insertFree(block + msize * quantum, have - msize);
    }
    kind.setBlock(proc, region, q, msize, false);
    return block;
  }
  // #endregion malloc

  // #region free
  function quantumOf(region: number, ptr: number, call: string): number {
    const offset = ptr - blockAddress(kind, region, 0);
    const q = offset / quantum;
    if (!Number.isInteger(q) || q < 0 || q >= numQuanta) {
      const why = offset < 0 ? 'inside the region header' : `not on a ${quantum}-byte quantum boundary of its blocks`;
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)} (${kind.name} region ${hex(region)}: ${why})`, ptr);
    }
    if (q >= proc.load32(region + REGION.tail)) {
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)} (${kind.name} region ${hex(region)}, quantum ${q}: past the last block, where nothing was ever allocated)`, ptr);
    }
    if (!kind.isBlockStart(proc, region, q)) {
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)} (${kind.name} region ${hex(region)}, quantum ${q}: inside a block, not at its start)`, ptr);
    }
    if (kind.isFree(proc, region, q)) {
      throw new HeapCorruption(`${call}: double free detected: ${hex(ptr)} (${kind.name} region ${hex(region)}, quantum ${q}) is already free`, ptr);
    }
    if (ptr === proc.load32(lastFree)) {
      throw new HeapCorruption(`${call}: double free detected: ${hex(ptr)} (${kind.name} region ${hex(region)}, quantum ${q}) was the last block freed`, ptr);
    }
    return q;
  }

  function free(region: number, q: number): void {
    const msize = kind.msizeOf(proc, region, q);
    const block = blockAddress(kind, region, q);
    account(msize, -1);
    if (addUsed(region, -msize) === 0) {
      // Nothing else in the region is in use: merge now, so the region can go back.
      flushDeathRow();
      release(region, q, msize);
      return;
    }
    const condemned = proc.load32(lastFree);
    const condemnedMsize = proc.load32(lastFreeMsize);
    proc.store32(lastFree, block);
    proc.store32(lastFreeMsize, msize);
    if (condemned !== 0) {
      const home = regionBase(kind, condemned);
      release(home, (condemned - blockAddress(kind, home, 0)) / quantum, condemnedMsize);
    }
  }

  function flushDeathRow(): void {
    const condemned = proc.load32(lastFree);
    if (condemned === 0) return;
    proc.store32(lastFree, 0);
    const home = regionBase(kind, condemned);
    release(home, (condemned - blockAddress(kind, home, 0)) / quantum, proc.load32(lastFreeMsize));
  }

  /** Really frees the block at q: merges it with free neighbours and files it, or returns it to the tail. */
  function release(region: number, q: number, msize: number): void {
    let start = q;
    let size = msize;
    const before = kind.freeBefore(proc, region, q);
    const after = q + msize;
    const tail = proc.load32(region + REGION.tail);
    // The block stops being a block of its own only if it merges backwards or into the tail.
    if (before !== -1 || after === tail) kind.forget(proc, region, q, msize);
    if (before !== -1) {
      const beforeSize = q - before;
      removeFree(blockAddress(kind, region, before), beforeSize);
      kind.forget(proc, region, before, beforeSize);
      start = before;
      size += beforeSize;
    }
    if (after === tail) {
      setTail(region, start); // the block rejoins the untouched end
      if (start === 0) releaseRegion(region);
      return;
    }
    if (kind.isFree(proc, region, after)) {
      const afterSize = kind.msizeOf(proc, region, after);
      removeFree(blockAddress(kind, region, after), afterSize);
      kind.forget(proc, region, after, afterSize);
      size += afterSize;
    }
    kind.setBlock(proc, region, start, size, true);
    insertFree(blockAddress(kind, region, start), size);
  }
  // #endregion free

  // #region in-place
  function shrink(region: number, q: number, msize: number): void {
    const have = kind.msizeOf(proc, region, q);
    if (msize >= have) return;
    kind.setBlock(proc, region, q, msize, false);
    kind.setBlock(proc, region, q + msize, have - msize, false);
    account(have, -1);
    account(msize, 1);
    addUsed(region, msize - have);
    release(region, q + msize, have - msize);
  }

  function growInPlace(region: number, q: number, msize: number): boolean {
    const have = kind.msizeOf(proc, region, q);
    const after = q + have;
    if (after === proc.load32(region + REGION.tail)) {
      if (q + msize > numQuanta) return false;
      setTail(region, q + msize); // the last block grows into the tail
    } else {
      if (!kind.isFree(proc, region, after)) return false;
      const afterSize = kind.msizeOf(proc, region, after);
      if (have + afterSize < msize) return false;
      removeFree(blockAddress(kind, region, after), afterSize);
      kind.forget(proc, region, after, afterSize);
      const rest = have + afterSize - msize;
      if (rest > 0) {
        kind.setBlock(proc, region, q + msize, rest, true);
        insertFree(blockAddress(kind, region, q + msize), rest);
      }
    }
    kind.setBlock(proc, region, q, msize, false);
    account(have, -1);
    account(msize, 1);
    addUsed(region, msize - have);
    return true;
  }
  // #endregion in-place

  // #region move-regions
  /** Calls `visit` for each block of `region`, in address order. */
  function eachBlock(region: number, visit: (q: number, msize: number, free: boolean) => void): void {
    const tail = proc.load32(region + REGION.tail);
    for (let q = 0; q < tail; ) {
      const msize = kind.msizeOf(proc, region, q);
      visit(q, msize, kind.isFree(proc, region, q));
      q += msize;
    }
  }

  function takeRegion(region: number): void {
    flushDeathRow(); // its block may lie in this region
    eachBlock(region, (q, msize, free) => {
      if (free) removeFree(blockAddress(kind, region, q), msize);
      else countBlock(proc, counters, msize * quantum, -1);
    });
    unlinkRegion(region);
  }

  function giveRegion(region: number): void {
    proc.store32(region + REGION.owner, owner);
    linkRegion(region);
    eachBlock(region, (q, msize, free) => {
      if (free) insertFree(blockAddress(kind, region, q), msize);
      else countBlock(proc, counters, msize * quantum, 1);
    });
  }

  function emptiestRegion(): number {
    let best = 0;
    for (let region = proc.load32(field('regions')); region !== 0; region = proc.load32(region + REGION.next)) {
      if (best === 0 || proc.load32(region + REGION.usedQuanta) < proc.load32(best + REGION.usedQuanta)) best = region;
    }
    return best;
  }
  // #endregion move-regions

  return { kind, base, layout, regionMap, keepEmpty, bandLimit, malloc, regionOf, quantumOf, free, shrink, growInPlace, listIndex, takeRegion, giveRegion, emptiestRegion };
}
