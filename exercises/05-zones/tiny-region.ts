// Chapter 5, step 2: the tiny region and its bitmaps. A tiny region is 1 MiB: a header of
// 16,512 bytes (two bitmaps, then the region's fields), then 64,504 quanta of 16 bytes. One
// bit per quantum in the header bitmap marks where a block starts; the same bit in the in-use
// bitmap says whether that block is allocated. The bitmaps are interleaved a 32-bit word at a
// time, so one cache line holds both facts about the same quanta, as in macOS, and they run
// downwards from the fields: the bits of the first quanta share a page with the first blocks.
//
// An allocated block stores nothing about itself: its size is the distance to the next set
// header bit (the tail of the region has its bit set too). A free block stores its list links and its size in its own bytes:
//
//   +0 next (u32)   +4 prev (u32)   +8 msize (u16)   …   last 2 bytes: msize (u16)
//
// Addresses in this process fit in 32 bits, so a link takes 4 bytes and even a one-quantum
// free block has room for both links and both copies of its size.
// Check your work with `npm run check -- tiny-region`; stuck? `npm run hint -- tiny-region`.
// Builds on step 1 (size-classes.ts: TINY_QUANTUM) and on region.ts, which is given.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { TINY_QUANTUM } from './size-classes.ts';
import { REGION_BYTES, blockAddress, type RegionKind } from './region.ts';

// #region tiny-geometry
export const TINY_REGION_SIZE = 1024 * 1024;
export const NUM_TINY_QUANTA = 64_504;
export const TINY_HEADER_BYTES = TINY_REGION_SIZE - NUM_TINY_QUANTA * TINY_QUANTUM; // 16,512
/** Two u32 per 32 quanta (header word, then in-use word), ending where the fields begin. */
export const TINY_BITMAP_BYTES = Math.ceil(NUM_TINY_QUANTA / 32) * 8; // 16,128
/** Where the bitmaps begin, from the mapping's start: the pair of the last quanta. Quantum 0's pair is at region - 8. */
export const TINY_BITMAP_OFFSET = TINY_HEADER_BYTES - REGION_BYTES - TINY_BITMAP_BYTES; // 352
export const TINY_MAGIC = 0x796e6974; // 'tiny' in a little-endian hex dump
// #endregion tiny-geometry

/** Where a free tiny block keeps its size: after its two links, and in its last two bytes. */
export const FREE_MSIZE_OFFSET = 8;

// #region bitmaps
/**
 * The address of the header-bitmap word holding quantum q's bit; the in-use word is 4 bytes
 * after. Quanta 0–31 have the pair just below the fields, quanta 32–63 the pair below that, …
 */
export function headerWord(region: number, q: number): number {
  return region - ((q >>> 5) + 1) * 8;
}

export function headerBit(proc: Process, region: number, q: number): boolean {
  // TODO: read the header-bitmap word that holds quantum q (headerWord) and test its bit
  // q & 31.
  todo('headerBit(proc, region, q): does a block start at q?');
}

export function inUseBit(proc: Process, region: number, q: number): boolean {
  // TODO: the same bit in the in-use word, the u32 just after the header word.
  todo('inUseBit(proc, region, q): is the block at q in use?');
}

function setBit(proc: Process, word: number, q: number, on: boolean): void {
  // TODO: set (on) or clear (off) bit q & 31 of the u32 at `word`, and leave its other 31
  // bits as they were.
  todo('setBit(proc, word, q, on): one bit of a bitmap word');
}

export function setHeaderBit(proc: Process, region: number, q: number, on: boolean): void {
  // TODO: quantum q's bit in the header bitmap.
  todo('setHeaderBit(proc, region, q, on)');
}

export function setInUseBit(proc: Process, region: number, q: number, on: boolean): void {
  // TODO: quantum q's bit in the in-use bitmap.
  todo('setInUseBit(proc, region, q, on)');
}

/** The first quantum after `q` whose header bit is set, or NUM_TINY_QUANTA: where the next block starts. */
export function nextBlockStart(proc: Process, region: number, q: number): number {
  // TODO: the first set header bit after q, found a word at a time rather than a bit at a
  // time: in the word holding q + 1, ignore the bits below q + 1; a word of zeros means that
  // no block starts in its 32 quanta, so go on with the next word. Return NUM_TINY_QUANTA
  // when no bit is set up to the end of the region, and never more than NUM_TINY_QUANTA.
  // `bits & -bits` keeps only the lowest set bit; Math.clz32 tells where it is.
  todo('nextBlockStart(proc, region, q): the next set header bit');
}
// #endregion bitmaps

// #region tiny-kind
export const TINY: RegionKind = {
  name: 'tiny',
  magic: TINY_MAGIC,
  quantum: TINY_QUANTUM,
  regionSize: TINY_REGION_SIZE,
  numQuanta: NUM_TINY_QUANTA,
  headerBytes: TINY_HEADER_BYTES,

  isBlockStart: headerBit,

  isFree: (proc, region, q) => !inUseBit(proc, region, q),

  msizeOf(proc, region, q) {
    // TODO: a free block keeps its size in its own bytes, the u16 at FREE_MSIZE_OFFSET; a
    // block in use stores nothing, so its size is the distance to the next block start.
    todo('TINY.msizeOf(proc, region, q): the size of the block at q, in quanta');
  },

  setBlock(proc, region, q, msize, free) {
    // TODO: a block starts at q: set its header bit; set its in-use bit for a block in use,
    // clear it for a free one. A free block also records its size, a u16 at FREE_MSIZE_OFFSET
    // and again in its last two bytes, where the block after it can read it. Write nothing
    // into a block in use: those bytes belong to the program.
    todo('TINY.setBlock(proc, region, q, msize, free): record a block');
  },

  forget(proc, region, q) {
    // TODO: no block starts at q any more: clear both of its bits. The bytes of the block
    // may keep whatever they hold.
    todo('TINY.forget(proc, region, q): erase the record of the block at q');
  },

  freeBefore(proc, region, q) {
    // TODO: the block at quantum 0 has no neighbour before it: -1. Otherwise the two bytes
    // just before the block are the last two of its neighbour, which hold its size if it is
    // free. If it is in use they are the program's bytes and may look like any number: trust
    // the size only if a block starts that many quanta back, is free, and records the same
    // size at FREE_MSIZE_OFFSET. Return that block's first quantum, or -1.
    todo('TINY.freeBefore(proc, region, q): the free block just before q');
  },

  // A header bit at the tail ends the last block, so measuring it never scans the empty rest.
  markTail(proc, region, q, on) {
    // TODO: set (or clear) the header bit of quantum q, so that measuring the last block
    // stops at the tail. A region filled to its end has its tail at NUM_TINY_QUANTA, a quantum
    // that does not exist: leave the bitmap alone then.
    todo('TINY.markTail(proc, region, q, on): the header bit at the tail');
  },
};
// #endregion tiny-kind
