// Chapter 5: what every region has, tiny or small. A region is one mmap, aligned to its own
// size, so `ptr - (ptr % regionSize)` finds the mapping of any block. It begins with a header,
// the metadata that says where blocks start and which are free, and ends in a few fields;
// blocks follow, back to back from the first quantum up to the region's tail, the quanta never
// handed out yet. malloc carves from the tail only when no free block fits, so a region's
// pages are touched in order, as they are needed.
//
// The header is laid out backwards: the fields sit just below the first block and the
// metadata grows down from them, quantum 0's first. A region holding a few blocks then keeps
// its fields, their metadata and the blocks themselves on one page, not two. Code names a
// region by the address of its fields.

import { MAP_FAILED, PROT_READ, PROT_WRITE, type Process } from '../../machine/index.ts';

// #region region-fields
/** The fields of every region (u32 each), just below its first block; the region's address is theirs. */
export const REGION = {
  magic: 0, // TINY_MAGIC or SMALL_MAGIC: tells a region from stray memory in a hex dump
  next: 4, // the next region of the same scale, or 0
  prev: 8, // the previous one, or 0
  usedQuanta: 12, // quanta in blocks the program holds: 0 means the region may be given back
  tail: 16, // the first quantum of the untouched end: blocks tile [0, tail)
  owner: 20, // which rack holds the region: 0 in a zone; a magazine's number in chapter 6
  band: 24, // which blocks the rack carves from it: 1 only the smallest (RackPlacement.bandLimit), 0 the others
  highTail: 28, // the furthest the tail has reached: the pages of blocks below it may be resident
} as const;
/** The fields' bytes: the first block starts this far above the region's address. */
export const REGION_BYTES = 32;
// #endregion region-fields

/**
 * One scale's regions: their geometry and how their metadata records blocks. Tiny and small
 * differ only here; the free lists and the malloc/free logic (rack.ts) serve both.
 */
export interface RegionKind {
  readonly name: 'tiny' | 'small';
  readonly magic: number;
  readonly quantum: number;
  readonly regionSize: number;
  /** Quanta available for blocks in one region. */
  readonly numQuanta: number;
  /** Bytes of header (metadata, then fields) from the mapping's start to the first block; a multiple of the quantum. */
  readonly headerBytes: number;
  /** Does a block (free or in use) start at quantum `q`? */
  isBlockStart(proc: Process, region: number, q: number): boolean;
  /** Is the block starting at `q` free? */
  isFree(proc: Process, region: number, q: number): boolean;
  /** Quanta of the block starting at `q`. */
  msizeOf(proc: Process, region: number, q: number): number;
  /** Records a block of `msize` quanta at `q`, free or in use. */
  setBlock(proc: Process, region: number, q: number, msize: number, free: boolean): void;
  /** Erases the record of the block at `q` (it is being merged into a neighbour). */
  forget(proc: Process, region: number, q: number, msize: number): void;
  /** The first quantum of the free block that ends just before `q`, or -1 if that block is in use. */
  freeBefore(proc: Process, region: number, q: number): number;
  /** Marks (or unmarks) quantum `q` as the region's tail, where the last block ends. */
  markTail(proc: Process, region: number, q: number, on: boolean): void;
}

/** The address of quantum `q`'s first byte. */
export function blockAddress(kind: RegionKind, region: number, q: number): number {
  return region + REGION_BYTES + q * kind.quantum;
}

/** The region (the address of its fields) in the mapping that starts at `start`. */
export function regionIn(kind: RegionKind, start: number): number {
  return start + kind.headerBytes - REGION_BYTES;
}

/** Where the mapping of `region` starts: what mmap returned and munmap takes back. */
export function mappingOf(kind: RegionKind, region: number): number {
  return region - kind.headerBytes + REGION_BYTES;
}

/** The region that would hold `ptr`, if `ptr` is in one of this kind. */
export function regionBase(kind: RegionKind, ptr: number): number {
  return regionIn(kind, (ptr & -kind.regionSize) >>> 0); // a power of two: clear the low bits (>>> 0 keeps it unsigned)
}

// #region map-region
/**
 * `size` fresh bytes aligned to `size` (a power of two), or 0 if mmap fails. mmap only
 * promises page alignment: when the first try is not aligned, map twice the size and unmap
 * the parts before and after the aligned region inside it.
 */
export function mapAligned(proc: Process, size: number, name: string): number {
  const first = proc.mmap(size, PROT_READ | PROT_WRITE, { name });
  if (first === MAP_FAILED) return 0;
  if (first % size === 0) return first;
  proc.munmap(first, size);
  const raw = proc.mmap(2 * size, PROT_READ | PROT_WRITE, { name });
  if (raw === MAP_FAILED) return 0;
  const aligned = raw + ((size - (raw % size)) % size);
  if (aligned > raw) proc.munmap(raw, aligned - raw);
  if (raw + 2 * size > aligned + size) proc.munmap(aligned + size, raw + 2 * size - (aligned + size));
  return aligned;
}
// #endregion map-region
