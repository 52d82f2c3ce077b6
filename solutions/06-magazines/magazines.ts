// Chapter 6, step 5: magazines, the allocator. The zone of chapter 5, made to scale across
// threads the way macOS's allocator does it, after Hoard: each scale (tiny, small) has several
// magazines, and a thread uses the magazine its id picks (choose.ts). A magazine is a chapter 5
// rack (free lists, bitmap, death row, regions, counters) with a lock (lock.ts) in front.
//
// malloc takes the lock of the thread's own magazine, and lets it go with release, which first
// frees what other threads left in the magazine's inbox; free sends a block home to the rack
// that owns its region, from any thread (cross-thread.ts); the depot (depot.ts) takes sparse
// regions and refills magazines that run out. Large blocks have one lock of their own.

import { ENOMEM, HeapCorruption, PAGE_SIZE, hex, requireSize, type Process } from '../../machine/index.ts';
import { SMALL_READER, TINY_READER, checkOneRack, checkZone } from '../05-zones/check.ts';
import { enumerateRack, enumerateZone, type Recorder } from '../05-zones/enumerate.ts';
import { LARGE, createLargeBlocks } from '../05-zones/large.ts';
import { RACK, type Rack } from '../05-zones/rack.ts';
import { SMALL_QUANTUM, TINY_QUANTUM, quantaFor, scaleOf, sizeClassesFrom, type Scale, type SizeClasses } from '../05-zones/size-classes.ts';
import { SMALL } from '../05-zones/small-region.ts';
import { COUNTERS, type ZoneStatistics } from '../05-zones/statistics.ts';
import { TINY } from '../05-zones/tiny-region.ts';
import type { ZoneIntrospection, ZoneOptions } from '../05-zones/zone.ts';
import { DEPOT, MAX_MAGAZINES, adminMapping, checkOwners, createMagazineSet, magazineOf, setBytes, type MagazineSet } from './choose.ts';
import { freeToOwner, lockOwner, release } from './cross-thread.ts';
import { depotPolicy } from './depot.ts';
import { INBOX, checkInbox } from './inbox.ts';
import { LOCK_BYTES, lock, lockCounts, unlock, type LockCounts } from './lock.ts';

// What the chapter's steps define, from the one module that tools load.
export { DEPOT, MAGAZINES_GLOBAL, MAX_MAGAZINES, type MagazineSet } from './choose.ts';
export { DENSITY_THRESHOLD, DEPOT_KEEPS, FREE_REGIONS_THRESHOLD, MAGAZINE_KEEPS } from './depot.ts';

export interface MagazineOptions extends ZoneOptions {
  /** How many magazines each scale has (1 … 64); a thread uses magazine 1 + (id mod count). */
  magazines?: number;
}

export interface LockReport extends LockCounts {
  name: string;
  address: number;
  /** Frees left in the rack's inbox because this lock was busy (0 for the large lock). */
  inboxed: number;
}

export interface Magazines extends ZoneIntrospection {
  readonly classes: SizeClasses;
  readonly count: number;
  readonly tiny: MagazineSet;
  readonly small: MagazineSet;
  /** Every lock with how often it was taken and how often a taker had to wait. */
  locks(): LockReport[];
  /** The magazine (1 … count) that thread `tid` uses. */
  magazineOf(tid: number): number;
}

export function createMagazines(proc: Process, options: MagazineOptions = {}): Magazines {
  const count = options.magazines ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > MAX_MAGAZINES) {
    throw new TypeError(`createAllocator: magazines ${count} must be a whole number from 1 to ${MAX_MAGAZINES}`);
  }
  const classes = sizeClassesFrom(options);
  const maxMsize = { tiny: classes.tinyLimit / TINY_QUANTUM, small: Math.ceil(classes.smallLimit / SMALL_QUANTUM) };

  // The admin mapping (choose.ts): the tiny set, the small set, then the large blocks' lock.
  const adminBytes = setBytes(TINY, maxMsize.tiny, count) + setBytes(SMALL, maxMsize.small, count) + LOCK_BYTES;
  const admin = adminMapping(proc, count, adminBytes);
  const large = createLargeBlocks(proc);
  const policy = depotPolicy(proc);
  const tiny = createMagazineSet(proc, TINY, TINY_READER, maxMsize.tiny, admin, count, policy);
  const small = createMagazineSet(proc, SMALL, SMALL_READER, maxMsize.small, admin + setBytes(TINY, maxMsize.tiny, count), count, policy);
  const largeLock = admin + adminBytes - LOCK_BYTES;

  // #region magazine-malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    const scale = scaleOf(size, classes);
    if (scale === 'large') return largeMalloc(size);
    const set = scale === 'tiny' ? tiny : small;
    const m = magazineOf(proc.currentThread, count);
    lock(proc, set.locks[m]);
    try {
      return set.racks[m].malloc(quantaFor(size, set.kind.quantum));
    } finally {
      release(proc, set, m);
    }
  }

  function largeMalloc(size: number): number {
    if (size >= 2 ** 32) {
      proc.errno = ENOMEM; // more than a 32-bit process can address
      return 0;
    }
    lock(proc, largeLock);
    try {
      return large.malloc(quantaFor(size, PAGE_SIZE));
    } finally {
      unlock(proc, largeLock);
    }
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    if (freeToOwner(proc, [tiny, small], ptr)) return;
    lock(proc, largeLock);
    try {
      if (!large.free(ptr)) throw notAllocated(ptr, 'free()');
    } finally {
      unlock(proc, largeLock);
    }
  }
  // #endregion magazine-malloc

  function notAllocated(ptr: number, call: string): HeapCorruption {
    return new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}: pointer being freed was not allocated`, ptr, `${hex(ptr)} is in no tiny or small region, and no live large block starts there (was it freed already?).`);
  }

  /** Runs `fn` on the live block `ptr` with its owner locked; `large` for a large block. */
  function withBlock<T>(ptr: number, call: string, fn: (where: { set: MagazineSet; owner: number; region: number; q: number } | undefined, usable: number) => T): T {
    for (const set of [tiny, small]) {
      const region = set.racks[DEPOT].regionOf(ptr);
      if (region === 0) continue;
      const owner = lockOwner(proc, set, region);
      try {
        const q = set.racks[owner].quantumOf(region, ptr, call);
        return fn({ set, owner, region, q }, set.kind.msizeOf(proc, region, q) * set.kind.quantum);
      } finally {
        release(proc, set, owner);
      }
    }
    lock(proc, largeLock);
    let bytes: number;
    try {
      bytes = large.sizeOf(ptr);
    } finally {
      unlock(proc, largeLock);
    }
    if (bytes === 0) throw notAllocated(ptr, call);
    return fn(undefined, bytes);
  }

  // #region magazine-realloc
  function realloc(ptr: number, size: number): number {
    if (!(size >= 0 && Number.isSafeInteger(size))) requireSize(size, `realloc(${hex(ptr)}, ${size})`); // the message only when it is needed
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr);
      return 0;
    }
    const scale = scaleOf(size, classes);
    // In place when the scale stays and the owner's rack can shrink or grow the block;
    // otherwise the bytes to copy to a new block.
    const toCopy = withBlock(ptr, 'realloc()', (where, bytes) => {
      if (where === undefined) return scale === 'large' && shrinkLarge(ptr, size, bytes) ? undefined : bytes;
      if (where.set.kind.name !== scale) return bytes;
      const rack = where.set.racks[where.owner];
      const msize = quantaFor(size, where.set.kind.quantum);
      if (msize * where.set.kind.quantum <= bytes) {
        rack.shrink(where.region, where.q, msize);
        return undefined;
      }
      return rack.growInPlace(where.region, where.q, msize) ? undefined : bytes;
    });
    if (toCopy === undefined) return ptr;
    const moved = malloc(size);
    if (moved === 0) return 0;
    proc.memcpy(moved, ptr, Math.min(size, toCopy));
    free(ptr);
    return moved;
  }
  // #endregion magazine-realloc

  /** Keeps a large block in place when `size` still fits its pages, giving back those it no longer needs. */
  function shrinkLarge(ptr: number, size: number, bytes: number): boolean {
    const pages = quantaFor(size, PAGE_SIZE);
    if (pages * PAGE_SIZE > bytes) return false;
    lock(proc, largeLock);
    try {
      large.shrink(ptr, pages);
    } finally {
      unlock(proc, largeLock);
    }
    return true;
  }

  function calloc(countOf: number, size: number): number {
    requireSize(countOf, `calloc(${countOf}, ${size})`);
    requireSize(size, `calloc(${countOf}, ${size})`);
    const total = countOf * size;
    if (total >= 2 ** 32) {
      proc.errno = ENOMEM; // the product overflows a 32-bit size_t
      return 0;
    }
    const ptr = malloc(total);
    if (ptr !== 0 && scaleOf(total, classes) !== 'large') proc.memset(ptr, 0, total);
    return ptr;
  }

  function statistics(scale?: Scale): ZoneStatistics {
    const scales: Scale[] = scale === undefined ? ['tiny', 'small', 'large'] : [scale];
    const sum: ZoneStatistics = { blocksInUse: 0, sizeInUse: 0, maxSizeInUse: 0, sizeAllocated: 0 };
    for (const s of scales) {
      const bases = s === 'large' ? [large.base + LARGE.counters] : (s === 'tiny' ? tiny : small).racks.map((r) => r.base + RACK.counters);
      for (const counters of bases) {
        for (const field of ['blocksInUse', 'sizeInUse', 'maxSizeInUse', 'sizeAllocated'] as const) sum[field] += proc.load32(counters + COUNTERS[field]);
      }
    }
    return sum;
  }

  function check(): string {
    const place = (rack: Rack) => ({ base: rack.base, layout: rack.layout, regionMap: rack.regionMap, keepEmpty: rack.keepEmpty });
    const found = checkZone(proc, { tiny: place(tiny.racks[DEPOT]), small: place(small.racks[DEPOT]), large });
    if (found !== '') return `depot: ${found}`;
    for (const set of [tiny, small]) {
      for (let m = 1; m <= count; m++) {
        const problem = checkOneRack(proc, place(set.racks[m]), set.reader);
        if (problem !== '') return `${set.kind.name} magazine ${m}: ${problem}`;
      }
      const owners = checkOwners(proc, set);
      if (owners !== '') return owners;
      for (let m = 0; m <= count; m++) {
        const inbox = checkInbox(proc, set, m);
        if (inbox !== '') return inbox;
      }
    }
    return '';
  }

  function enumerate(recorder: Recorder, typeMask?: number): void {
    enumerateZone(proc, { tiny: tiny.racks[DEPOT], small: small.racks[DEPOT], large }, recorder, typeMask);
    for (const set of [tiny, small]) for (let m = 1; m <= count; m++) enumerateRack(proc, set.racks[m], recorder, typeMask);
  }

  function locks(): LockReport[] {
    const reports: LockReport[] = [];
    for (const set of [tiny, small]) {
      set.locks.forEach((address, m) => {
        const inboxed = proc.atomicLoad32(set.inboxes[m] + INBOX.pushed);
        reports.push({ name: `${set.kind.name} ${m === DEPOT ? 'depot' : `magazine ${m}`}`, address, ...lockCounts(proc, address), inboxed });
      });
    }
    reports.push({ name: 'large', address: largeLock, ...lockCounts(proc, largeLock), inboxed: 0 });
    return reports;
  }

  return {
    classes,
    count,
    tiny,
    small,
    malloc,
    free,
    realloc,
    calloc,
    usableSize: (ptr) => withBlock(ptr, 'malloc_usable_size()', (_, bytes) => bytes),
    statistics,
    enumerate,
    check,
    locks,
    magazineOf: (tid) => magazineOf(tid, count),
  };
}

export function createAllocator(proc: Process, options: MagazineOptions = {}): Magazines {
  return createMagazines(proc, options);
}
