// Chapter 5, step 8: the zone. It sends each request to its scale (tiny, small or large) and finds
// the scale of any pointer from the address alone: the region maps say whether the 1 MiB or
// 8 MiB slot around it is a tiny or a small region, and anything else must be in the large
// table. realloc stays in place when the new size keeps its scale and the block can shrink
// or grow into a free neighbour; otherwise it moves.
// Check your work with `npm run check -- zone`; stuck? `npm run hint -- zone`.
// Builds on every step before: size classes, both region kinds, the rack, large blocks,
// statistics and enumeration. Given: the set-up, locate (pointer to block) and usableOf.

import { ENOMEM, HeapCorruption, PAGE_SIZE, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { checkZone } from './check.ts';
import { enumerateZone, type Recorder } from './enumerate.ts';
import { createLargeBlocks, type LargeBlocks } from './large.ts';
import { BAND_LIMIT, createRack, type Rack } from './rack.ts';
import { SMALL_QUANTUM, TINY_QUANTUM, quantaFor, scaleOf, sizeClassOf, sizeClassesFrom, type Scale, type SizeClassOptions, type SizeClasses } from './size-classes.ts';
import { SMALL } from './small-region.ts';
import { statisticsOf, type ZoneStatistics } from './statistics.ts';
import { TINY } from './tiny-region.ts';

export type ZoneOptions = SizeClassOptions;

/** An allocator that tells about itself, after macOS's malloc_introspection_t: chapters 5, 6 and 7's zones. */
export interface ZoneIntrospection extends Allocator {
  usableSize(ptr: number): number;
  /** malloc_zone_statistics: one scale's figures, or the whole zone's. */
  statistics(scale?: Scale): ZoneStatistics;
  /** malloc_zone_enumerate: reports in-use blocks, regions and admin ranges, as `typeMask` asks. */
  enumerate(recorder: Recorder, typeMask?: number): void;
  /** The first broken invariant, with its address and bytes; '' when the zone is sound. */
  check(): string;
}

export interface Zone extends ZoneIntrospection {
  readonly classes: SizeClasses;
  readonly tiny: Rack;
  readonly small: Rack;
  readonly large: LargeBlocks;
}

/** Where a live block is: a quantum of a tiny or small region, or a large block. */
type Located = { rack: Rack; region: number; q: number } | { rack: undefined; bytes: number };

/**
 * Empty regions each scale keeps mapped. One: a program that frees its last block in a region
 * and then mallocs again (a loop, a phase that repeats) reuses the region instead of paying
 * munmap and mmap each time. A second empty region goes back to the kernel.
 */
export const KEEP_EMPTY = 1;

export function createZone(proc: Process, options: ZoneOptions = {}): Zone {
  const classes = sizeClassesFrom(options);
  const tiny = createRack(proc, TINY, classes.tinyLimit / TINY_QUANTUM, { bandLimit: BAND_LIMIT, keepEmpty: KEEP_EMPTY });
  const small = createRack(proc, SMALL, Math.ceil(classes.smallLimit / SMALL_QUANTUM), { keepEmpty: KEEP_EMPTY });
  const large = createLargeBlocks(proc);

  // #region zone-malloc
  function malloc(size: number): number {
    // TODO: check the size (requireSize). Up to classes.tinyLimit bytes, a tiny block of
    // quantaFor(size, TINY_QUANTUM) quanta; up to classes.smallLimit, a small one in 512-byte
    // quanta; above, large: whole pages (PAGE_SIZE). A size of 2^32 or more cannot exist in a
    // 32-bit process: errno = ENOMEM and NULL.
    todo('malloc(size): send the request to its scale');
  }

  function free(ptr: number): void {
    // TODO: free(NULL) does nothing. A pointer inside a tiny region (tiny.regionOf) is a tiny
    // block: its rack finds and checks its quantum (quantumOf, with 'free()' as the call) and
    // frees it; the same for small. Anything else must be a large block (large.free); if it is
    // not one, throw notAllocated(ptr, 'free()').
    todo('free(ptr): find the scale from the pointer alone');
  }
  // #endregion zone-malloc

  function notAllocated(ptr: number, call: string): HeapCorruption {
    return new HeapCorruption(
      `${call}: invalid pointer ${hex(ptr)}: pointer being freed was not allocated`,
      ptr,
      `${hex(ptr)} is in no tiny or small region, and no live large block starts there (was it freed already?).`,
    );
  }

  function locate(ptr: number, call: string): Located {
    for (const rack of [tiny, small]) {
      const region = rack.regionOf(ptr);
      if (region !== 0) return { rack, region, q: rack.quantumOf(region, ptr, call) };
    }
    const bytes = large.sizeOf(ptr);
    if (bytes === 0) throw notAllocated(ptr, call);
    return { rack: undefined, bytes };
  }

  function usableOf(block: Located): number {
    return block.rack === undefined ? block.bytes : block.rack.kind.msizeOf(proc, block.region, block.q) * block.rack.kind.quantum;
  }

  // #region zone-realloc
  function realloc(ptr: number, size: number): number {
    // TODO: check the size. realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns
    // NULL. Find the block (locate: it throws for a pointer that is not live). When the new
    // size keeps the block's scale (sizeClassOf), stay in place if you can: shrink (the rack's
    // shrink, or large.shrink when the pages wanted are fewer) or grow into a free neighbour
    // (the rack's growInPlace; a large block has none, so to grow it moves). Otherwise
    // malloc a new block, copy min(size, what the old one holds) bytes, free the old block.
    // If malloc fails, return NULL and leave the old block as it was.
    todo('realloc(ptr, size): in place in its scale, or moved to another');
  }
  // #endregion zone-realloc

  function calloc(count: number, size: number): number {
    // TODO: check both arguments. count * size of 2^32 or more does not fit a 32-bit size_t:
    // errno = ENOMEM, NULL. Otherwise malloc the product and zero it, unless it is large: a
    // large block comes fresh from mmap, already zero, while a tiny or small one may be reused.
    todo('calloc(count, size): check the product, allocate, zero what may be dirty');
  }

  return {
    classes,
    tiny,
    small,
    large,
    malloc,
    free,
    realloc,
    calloc,
    usableSize: (ptr) => usableOf(locate(ptr, 'malloc_usable_size()')),
    statistics: (scale) => statisticsOf(proc, { tiny, small, large }, scale),
    enumerate: (recorder, typeMask) => enumerateZone(proc, { tiny, small, large }, recorder, typeMask),
    check: () => checkZone(proc, { tiny, small, large }),
  };
}

export function createAllocator(proc: Process, options: ZoneOptions = {}): Zone {
  return createZone(proc, options);
}
