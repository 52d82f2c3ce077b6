// Chapter 5, step 8: the zone. It sends each request to its scale (tiny, small or large) and finds
// the scale of any pointer from the address alone: the region maps say whether the 1 MiB or
// 8 MiB slot around it is a tiny or a small region, and anything else must be in the large
// table. realloc stays in place when the new size keeps its scale and the block can shrink
// or grow into a free neighbour; otherwise it moves.

import { ENOMEM, HeapCorruption, PAGE_SIZE, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
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
    if (!(size >= 0 && Number.isSafeInteger(size))) requireSize(size, `malloc(${size})`); // the message only when it is needed
    if (size <= classes.tinyLimit) return tiny.malloc(quantaFor(size, TINY_QUANTUM));
    if (size <= classes.smallLimit) return small.malloc(quantaFor(size, SMALL_QUANTUM));
    if (size >= 2 ** 32) {
      proc.errno = ENOMEM; // more than a 32-bit process can address
      return 0;
    }
    return large.malloc(quantaFor(size, PAGE_SIZE));
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    let region = tiny.regionOf(ptr);
    if (region !== 0) return tiny.free(region, tiny.quantumOf(region, ptr, 'free()'));
    region = small.regionOf(ptr);
    if (region !== 0) return small.free(region, small.quantumOf(region, ptr, 'free()'));
    if (!large.free(ptr)) throw notAllocated(ptr, 'free()');
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
    if (!(size >= 0 && Number.isSafeInteger(size))) requireSize(size, `realloc(${hex(ptr)}, ${size})`); // as in malloc
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr); // glibc's choice; C23 leaves realloc(p, 0) undefined
      return 0;
    }
    const block = locate(ptr, 'realloc()');
    const wanted = sizeClassOf(size, classes);
    const scale = block.rack === undefined ? 'large' : block.rack.kind.name;
    if (wanted.scale === scale) {
      if (block.rack === undefined) {
        if (wanted.msize * PAGE_SIZE <= block.bytes) {
          large.shrink(ptr, wanted.msize);
          return ptr;
        }
      } else {
        const have = block.rack.kind.msizeOf(proc, block.region, block.q);
        if (wanted.msize <= have) {
          block.rack.shrink(block.region, block.q, wanted.msize);
          return ptr;
        }
        if (block.rack.growInPlace(block.region, block.q, wanted.msize)) return ptr;
      }
    }
    const moved = malloc(size);
    if (moved === 0) return 0; // the old block is untouched, as C requires
    proc.memcpy(moved, ptr, Math.min(size, usableOf(block)));
    free(ptr);
    return moved;
  }
  // #endregion zone-realloc

  function calloc(count: number, size: number): number {
    requireSize(count, `calloc(${count}, ${size})`);
    requireSize(size, `calloc(${count}, ${size})`);
    const total = count * size;
    if (total >= 2 ** 32) {
      proc.errno = ENOMEM; // the product overflows a 32-bit size_t
      return 0;
    }
    const ptr = malloc(total);
    // A large block is fresh from mmap, so already zero; a tiny or small one may be reused.
    if (ptr !== 0 && scaleOf(total, classes) !== 'large') proc.memset(ptr, 0, total);
    return ptr;
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
