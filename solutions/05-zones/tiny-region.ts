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

import type { Process } from '../../machine/index.ts';
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
  return (proc.load32(headerWord(region, q)) & (1 << (q & 31))) !== 0;
}

export function inUseBit(proc: Process, region: number, q: number): boolean {
  return (proc.load32(headerWord(region, q) + 4) & (1 << (q & 31))) !== 0;
}

function setBit(proc: Process, word: number, q: number, on: boolean): void {
  const mask = 1 << (q & 31);
  const value = proc.load32(word);
  proc.store32(word, (on ? value | mask : value & ~mask) >>> 0);
}

export function setHeaderBit(proc: Process, region: number, q: number, on: boolean): void {
  setBit(proc, headerWord(region, q), q, on);
}

export function setInUseBit(proc: Process, region: number, q: number, on: boolean): void {
  setBit(proc, headerWord(region, q) + 4, q, on);
}

/** The first quantum after `q` whose header bit is set, or NUM_TINY_QUANTA: where the next block starts. */
export function nextBlockStart(proc: Process, region: number, q: number): number {
  let i = q + 1;
  while (i < NUM_TINY_QUANTA) {
    const bits = proc.load32(headerWord(region, i)) >>> (i & 31);
    if (bits !== 0) return Math.min(NUM_TINY_QUANTA, i + 31 - Math.clz32(bits & -bits));
    i = (i | 31) + 1;
  }
  return NUM_TINY_QUANTA;
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
    if (!inUseBit(proc, region, q)) return proc.load16(blockAddress(TINY, region, q) + FREE_MSIZE_OFFSET);
    return nextBlockStart(proc, region, q) - q;
  },

  setBlock(proc, region, q, msize, free) {
    const word = headerWord(region, q);
    const mask = 1 << (q & 31);
    proc.store32(word, (proc.load32(word) | mask) >>> 0);
    proc.store32(word + 4, (free ? proc.load32(word + 4) & ~mask : proc.load32(word + 4) | mask) >>> 0);
    if (free) {
      const block = blockAddress(TINY, region, q);
      proc.store16(block + FREE_MSIZE_OFFSET, msize);
      proc.store16(block + msize * TINY_QUANTUM - 2, msize);
    }
  },

  forget(proc, region, q) {
    const word = headerWord(region, q);
    const mask = ~(1 << (q & 31));
    proc.store32(word, (proc.load32(word) & mask) >>> 0);
    proc.store32(word + 4, (proc.load32(word + 4) & mask) >>> 0);
  },

  freeBefore(proc, region, q) {
    if (q === 0) return -1;
    // The two bytes before the block are the last two of its neighbour: a size, if it is free.
    const msize = proc.load16(blockAddress(TINY, region, q) - 2);
    if (msize < 1 || msize > q) return -1;
    const start = q - msize;
    // Only trust the size if a free block of exactly that size starts there.
    if (!headerBit(proc, region, start) || inUseBit(proc, region, start)) return -1;
    return proc.load16(blockAddress(TINY, region, start) + FREE_MSIZE_OFFSET) === msize ? start : -1;
  },

  // A header bit at the tail ends the last block, so measuring it never scans the empty rest.
  markTail(proc, region, q, on) {
    if (q < NUM_TINY_QUANTA) setHeaderBit(proc, region, q, on);
  },
};
// #endregion tiny-kind
