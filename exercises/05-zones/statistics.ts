// Chapter 5, step 3: zone statistics, after macOS's malloc_statistics_t. Each scale keeps four
// counters (u32) in its own bookkeeping, the rack or the large-block record, and updates them
// as blocks come and go, so reading them costs nothing and needs no walk of the heap.
// Check your work with `npm run check -- statistics`; stuck? `npm run hint -- statistics`.
// Needs only layouts that are given (RACK in rack.ts, LARGE in large.ts). The racks and the
// large blocks of the next steps count their blocks with countBlock and countAllocated.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { LARGE, type LargeBlocks } from './large.ts';
import { RACK, type Rack } from './rack.ts';
import type { Scale } from './size-classes.ts';

// #region counters
/** Where the four counters sit, from the start of a scale's counters. */
export const COUNTERS = { blocksInUse: 0, sizeInUse: 4, maxSizeInUse: 8, sizeAllocated: 12 } as const;
export const COUNTERS_BYTES = 16;

/** A block of `bytes` comes into use (`blocks` = 1) or goes out of use (`blocks` = -1). */
export function countBlock(proc: Process, counters: number, bytes: number, blocks: 1 | -1): void {
  // TODO: the counters are u32 at `counters` + COUNTERS.<name>. Add `blocks` to blocksInUse
  // and `blocks * bytes` to sizeInUse; when sizeInUse climbs above maxSizeInUse, raise the
  // high-water mark to it (it never comes down).
  todo('countBlock(proc, counters, bytes, blocks): a block comes or goes');
}

/** The scale now holds `bytes` more from the kernel (fewer, if negative). */
export function countAllocated(proc: Process, counters: number, bytes: number): void {
  // TODO: add `bytes` to sizeAllocated (`bytes` is negative when memory goes back).
  todo('countAllocated(proc, counters, bytes): memory from or to the kernel');
}
// #endregion counters

// #region statistics
export interface ZoneStatistics {
  /** Blocks the program holds. */
  blocksInUse: number;
  /** Bytes in those blocks, rounded up to their quanta. */
  sizeInUse: number;
  /** The most sizeInUse has ever been. */
  maxSizeInUse: number;
  /** Bytes the scale holds from the kernel: its regions, or its large blocks. */
  sizeAllocated: number;
}

export interface Scales {
  tiny: Rack;
  small: Rack;
  large: LargeBlocks;
}

/** One scale's counters, or the sum over all three (maxSizeInUse summed too, as macOS does). */
export function statisticsOf(proc: Process, scales: Scales, scale?: Scale): ZoneStatistics {
  // TODO: a tiny or small scale's counters start RACK.counters bytes into its rack
  // (scales.tiny.base, scales.small.base); the large ones LARGE.counters bytes into the
  // large-block record (scales.large.base). Read the four u32 of the scale asked for. With
  // no scale, return the zone's: the three scales summed field by field, maxSizeInUse too.
  todo('statisticsOf(proc, scales, scale): the counters of one scale, or of the zone');
}
// #endregion statistics
