// Chapter 5, step 5: the small region. 8 MiB: a header of 33,280 bytes, then 16,319 quanta
// of 512 bytes. The metadata is one u16 per quantum, as in macOS, stored downwards from the
// region's fields (quantum 0's entry just below them): a block's first entry holds
// its size in quanta (15 bits) and, in the top bit, whether it is free. A free block repeats
// that entry in its last quantum, so the block after it can find it and merge. Every other
// entry is 0. The blocks themselves hold nothing but, when free, their two list links.

import type { Process } from '../../machine/index.ts';
import { SMALL_QUANTUM } from './size-classes.ts';
import { REGION_BYTES, type RegionKind } from './region.ts';

// #region small-geometry
export const SMALL_REGION_SIZE = 8 * 1024 * 1024;
export const NUM_SMALL_QUANTA = 16_319;
export const SMALL_HEADER_BYTES = SMALL_REGION_SIZE - NUM_SMALL_QUANTA * SMALL_QUANTUM; // 33,280
/** Where the u16 entries begin, from the mapping's start: the last quantum's. Quantum 0's is at region - 2. */
export const SMALL_META_OFFSET = SMALL_HEADER_BYTES - REGION_BYTES - NUM_SMALL_QUANTA * 2; // 610
export const SMALL_FREE = 0x8000;
export const SMALL_MAGIC = 0x6c6c6d73; // 'smll'
// #endregion small-geometry

// #region small-meta
/** The address of quantum q's metadata entry: q entries below the one just under the fields. */
export function metaEntry(region: number, q: number): number {
  return region - 2 - q * 2;
}

export const SMALL: RegionKind = {
  name: 'small',
  magic: SMALL_MAGIC,
  quantum: SMALL_QUANTUM,
  regionSize: SMALL_REGION_SIZE,
  numQuanta: NUM_SMALL_QUANTA,
  headerBytes: SMALL_HEADER_BYTES,

  isBlockStart: (proc, region, q) => proc.load16(metaEntry(region, q)) !== 0,

  isFree: (proc, region, q) => (proc.load16(metaEntry(region, q)) & SMALL_FREE) !== 0,

  msizeOf: (proc, region, q) => proc.load16(metaEntry(region, q)) & ~SMALL_FREE,

  setBlock(proc, region, q, msize, free) {
    proc.store16(metaEntry(region, q), free ? msize | SMALL_FREE : msize);
    // The last entry repeats a free block's size, and is 0 in a block in use.
    if (msize > 1) proc.store16(metaEntry(region, q + msize - 1), free ? msize | SMALL_FREE : 0);
  },

  forget(proc, region, q, msize) {
    proc.store16(metaEntry(region, q), 0);
    if (msize > 1) proc.store16(metaEntry(region, q + msize - 1), 0);
  },

  freeBefore(proc: Process, region: number, q: number) {
    if (q === 0) return -1;
    const last = proc.load16(metaEntry(region, q - 1));
    if ((last & SMALL_FREE) === 0) return -1;
    const start = q - (last & ~SMALL_FREE);
    return start >= 0 && proc.load16(metaEntry(region, start)) === last ? start : -1;
  },

  markTail() {
    // Every block's entry holds its size: nothing needs to mark where the last one ends.
  },
};
// #endregion small-meta
