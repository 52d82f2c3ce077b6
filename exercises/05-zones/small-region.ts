// Chapter 5, step 5: the small region. 8 MiB: a header of 33,280 bytes, then 16,319 quanta
// of 512 bytes. The metadata is one u16 per quantum, as in macOS, stored downwards from the
// region's fields (quantum 0's entry just below them): a block's first entry holds
// its size in quanta (15 bits) and, in the top bit, whether it is free. A free block repeats
// that entry in its last quantum, so the block after it can find it and merge. Every other
// entry is 0. The blocks themselves hold nothing but, when free, their two list links.
// Check your work with `npm run check -- small-region`; stuck? `npm run hint -- small-region`.
// Builds on region.ts (given) and size-classes.ts (step 1). The rack of step 4 serves this
// kind unchanged: only how a block is recorded differs from the tiny region's.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
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

  isBlockStart(proc, region, q) {
    // TODO: a block starts at q when the entry of q (metaEntry) is not 0.
    todo('SMALL.isBlockStart(proc, region, q)');
  },

  isFree(proc, region, q) {
    // TODO: the top bit of the entry (SMALL_FREE) says the block is free.
    todo('SMALL.isFree(proc, region, q)');
  },

  msizeOf(proc, region, q) {
    // TODO: the other 15 bits of the entry are the block's size in quanta.
    todo('SMALL.msizeOf(proc, region, q)');
  },

  setBlock(proc, region, q, msize, free) {
    // TODO: the entry of q holds msize, with SMALL_FREE set for a free block. The entry of the
    // block's last quantum repeats that value in a free block, so the block after it can find
    // it, and is 0 in a block in use. A one-quantum block has one entry: its first is its last.
    todo('SMALL.setBlock(proc, region, q, msize, free): write the entries');
  },

  forget(proc, region, q, msize) {
    // TODO: zero the entries setBlock wrote: the first, and the last of a block of more than
    // one quantum.
    todo('SMALL.forget(proc, region, q, msize): erase the entries');
  },

  freeBefore(proc: Process, region: number, q: number) {
    // TODO: -1 at quantum 0. Otherwise read the entry of quantum q - 1, the last of the block
    // before: if its top bit is clear, that block is in use (its last entry is 0, or its size
    // if it is one quantum long): -1. If set, its 15 bits give the size, so the free block
    // starts that many quanta back; return that quantum if its first entry holds the same
    // value (and it is not before quantum 0), else -1.
    todo('SMALL.freeBefore(proc, region, q): the free block just before q');
  },

  markTail() {
    // Every block's entry holds its size: nothing needs to mark where the last one ends.
  },
};
// #endregion small-meta
