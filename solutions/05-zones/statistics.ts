// Chapter 5, step 3: zone statistics, after macOS's malloc_statistics_t. Each scale keeps four
// counters (u32) in its own bookkeeping, the rack or the large-block record, and updates them
// as blocks come and go, so reading them costs nothing and needs no walk of the heap.

import type { Process } from '../../machine/index.ts';
import { LARGE, type LargeBlocks } from './large.ts';
import { RACK, type Rack } from './rack.ts';
import type { Scale } from './size-classes.ts';

// #region counters
/** Where the four counters sit, from the start of a scale's counters. */
export const COUNTERS = { blocksInUse: 0, sizeInUse: 4, maxSizeInUse: 8, sizeAllocated: 12 } as const;
export const COUNTERS_BYTES = 16;

/** A block of `bytes` comes into use (`blocks` = 1) or goes out of use (`blocks` = -1). */
export function countBlock(proc: Process, counters: number, bytes: number, blocks: 1 | -1): void {
  proc.store32(counters + COUNTERS.blocksInUse, proc.load32(counters + COUNTERS.blocksInUse) + blocks);
  const size = proc.load32(counters + COUNTERS.sizeInUse) + blocks * bytes;
  proc.store32(counters + COUNTERS.sizeInUse, size);
  // The high-water mark can only rise when a block comes into use.
  if (blocks > 0 && size > proc.load32(counters + COUNTERS.maxSizeInUse)) proc.store32(counters + COUNTERS.maxSizeInUse, size);
}

/** The scale now holds `bytes` more from the kernel (fewer, if negative). */
export function countAllocated(proc: Process, counters: number, bytes: number): void {
  proc.store32(counters + COUNTERS.sizeAllocated, proc.load32(counters + COUNTERS.sizeAllocated) + bytes);
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
  if (scale === undefined) {
    const all = (['tiny', 'small', 'large'] as const).map((s) => statisticsOf(proc, scales, s));
    return {
      blocksInUse: all.reduce((sum, s) => sum + s.blocksInUse, 0),
      sizeInUse: all.reduce((sum, s) => sum + s.sizeInUse, 0),
      maxSizeInUse: all.reduce((sum, s) => sum + s.maxSizeInUse, 0),
      sizeAllocated: all.reduce((sum, s) => sum + s.sizeAllocated, 0),
    };
  }
  const counters = scale === 'large' ? scales.large.base + LARGE.counters : scales[scale].base + RACK.counters;
  return {
    blocksInUse: proc.load32(counters + COUNTERS.blocksInUse),
    sizeInUse: proc.load32(counters + COUNTERS.sizeInUse),
    maxSizeInUse: proc.load32(counters + COUNTERS.maxSizeInUse),
    sizeAllocated: proc.load32(counters + COUNTERS.sizeAllocated),
  };
}
// #endregion statistics
