// Chapter 6: magazines. The zone of chapter 5, made to scale across threads the way macOS's
// allocator does it, after Hoard: each scale (tiny, small) has several magazines, and a
// thread uses the magazine its id picks, so threads rarely want the same lock. A magazine is
// a chapter 5 rack (free lists, bitmap, death row, regions, counters) with a lock in front.
//
// One more rack per scale, the depot, holds regions nobody is using much. A magazine that
// frees enough to be mostly empty hands a sparse region to the depot; a magazine that runs
// out takes one from the depot before it asks the kernel. A block freed by another thread
// goes back to the magazine that owns its region, under that magazine's lock: the region's
// header says which one.
//
// Everything lives in simulated memory: one admin mapping holds the region maps, the locks
// and the racks, and a global in the data segment points to it, so any thread (or worker)
// that attaches finds the same magazines.

import { HeapCorruption, MAP_FAILED, PAGE_SIZE, PROT_READ, PROT_WRITE, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { SMALL_READER, TINY_READER, checkOneRack, checkZone, type Reader } from '../05-zones/check.ts';
import { enumerateRack, enumerateZone, type Recorder } from '../05-zones/enumerate.ts';
import { LARGE, createLargeBlocks } from '../05-zones/large.ts';
import { RACK, createRack, rackLayout, type Rack } from '../05-zones/rack.ts';
import { REGION, type RegionKind } from '../05-zones/region.ts';
import { PRESETS, SMALL_QUANTUM, TINY_QUANTUM, quantaFor, scaleOf, validateSizeClasses, type Scale, type SizeClasses } from '../05-zones/size-classes.ts';
import { SMALL } from '../05-zones/small-region.ts';
import { COUNTERS, type ZoneStatistics } from '../05-zones/statistics.ts';
import { TINY } from '../05-zones/tiny-region.ts';
import type { ZoneOptions } from '../05-zones/zone.ts';
import { LOCK_BYTES, lock, lockCounts, unlock, type LockCounts } from './lock.ts';

export const MAX_MAGAZINES = 64;
export const DEPOT = 0; // rack 0 of each scale; magazines are 1 … count

// #region recirculation
/** A magazine gives a region to the depot when more than this many regions' worth of it is free… */
export const FREE_REGIONS_THRESHOLD = 1.5;
/** …and less than this fraction of what it holds is in use (Hoard's f = ¼ leaves ¾). */
export const DENSITY_THRESHOLD = 0.75;
/** The depot keeps this many empty regions mapped, ready for the next magazine that runs out… */
export const DEPOT_KEEPS = 2;
/** …and a magazine its last region, so freeing its last block and allocating again costs no mmap. */
export const MAGAZINE_KEEPS = 1;
// #endregion recirculation

/** The magazines' global in the data segment: where the admin mapping is, and the count. */
export const MAGAZINES_GLOBAL = { admin: 0, count: 4 } as const;

export interface MagazineOptions extends ZoneOptions {
  /** How many magazines each scale has (1 … 64); a thread uses magazine 1 + (id mod count). */
  magazines?: number;
}

/** One scale's racks (0 is the depot) and their locks. */
export interface MagazineSet {
  readonly kind: RegionKind;
  readonly racks: readonly Rack[];
  /** The address of each rack's lock. */
  readonly locks: readonly number[];
  readonly reader: Reader;
}

export interface LockReport extends LockCounts {
  name: string;
  address: number;
}

export interface Magazines extends Allocator {
  readonly classes: SizeClasses;
  readonly count: number;
  readonly tiny: MagazineSet;
  readonly small: MagazineSet;
  usableSize(ptr: number): number;
  statistics(scale?: Scale): ZoneStatistics;
  enumerate(recorder: Recorder, typeMask?: number): void;
  check(): string;
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
  const preset = PRESETS[options.preset ?? 'macos'];
  if (preset === undefined) throw new TypeError(`createAllocator: preset '${options.preset}' is not one of ${Object.keys(PRESETS).join(', ')}`);
  const classes = validateSizeClasses({ tinyLimit: options.tinyLimit ?? preset.tinyLimit, smallLimit: options.smallLimit ?? preset.smallLimit });
  const maxMsize = { tiny: classes.tinyLimit / TINY_QUANTUM, small: Math.ceil(classes.smallLimit / SMALL_QUANTUM) };

  // #region admin
  // The admin mapping: per scale a region map, then count + 1 locks and racks; then the large lock.
  const mapBytes = (kind: RegionKind) => Math.ceil(2 ** 32 / kind.regionSize / 8);
  const setBytes = (kind: RegionKind, msize: number) => mapBytes(kind) + (count + 1) * (LOCK_BYTES + rackLayout(kind, msize).bytes);
  const adminBytes = setBytes(TINY, maxMsize.tiny) + setBytes(SMALL, maxMsize.small) + LOCK_BYTES;
  const global = proc.static('magazines', 8);
  let admin = proc.load32(global + MAGAZINES_GLOBAL.admin);
  if (admin === 0) {
    admin = proc.mmap(adminBytes, PROT_READ | PROT_WRITE, { name: 'malloc magazines' });
    if (admin === MAP_FAILED) throw new Error(`createAllocator: could not map ${adminBytes} bytes for the magazines (errno ${proc.errno})`);
    proc.store32(global + MAGAZINES_GLOBAL.count, count);
    proc.store32(global + MAGAZINES_GLOBAL.admin, admin);
  } else if (proc.load32(global + MAGAZINES_GLOBAL.count) !== count) {
    throw new TypeError(`createAllocator: this process's magazines were made with ${proc.load32(global + MAGAZINES_GLOBAL.count)} magazines, not ${count}`);
  }
  // #endregion admin

  const large = createLargeBlocks(proc);
  const tiny = makeSet(TINY, TINY_READER, maxMsize.tiny, admin);
  const small = makeSet(SMALL, SMALL_READER, maxMsize.small, admin + setBytes(TINY, maxMsize.tiny));
  const largeLock = admin + adminBytes - LOCK_BYTES;

  function makeSet(kind: RegionKind, reader: Reader, msize: number, at: number): MagazineSet {
    const regionMap = at;
    const stride = LOCK_BYTES + rackLayout(kind, msize).bytes;
    const locks: number[] = [];
    const racks: Rack[] = [];
    for (let m = 0; m <= count; m++) {
      const lockAt = at + mapBytes(kind) + m * stride;
      locks.push(lockAt);
      racks.push(
        createRack(proc, kind, msize, {
          base: lockAt + LOCK_BYTES,
          regionMap,
          owner: m,
          keepEmpty: m === DEPOT ? DEPOT_KEEPS : MAGAZINE_KEEPS,
          refill: m === DEPOT ? undefined : () => refill(set, m),
        }),
      );
    }
    const set: MagazineSet = { kind, racks, locks, reader };
    return set;
  }

  // #region choose
  function magazineOf(tid: number): number {
    return 1 + (tid % count);
  }
  // #endregion choose

  // #region depot
  /** Called by magazine m (locked) when it would map a region: take the depot's emptiest one. */
  function refill(set: MagazineSet, m: number): boolean {
    lock(proc, set.locks[DEPOT]);
    try {
      const region = set.racks[DEPOT].emptiestRegion();
      if (region === 0) return false;
      set.racks[DEPOT].takeRegion(region);
      set.racks[m].giveRegion(region);
      return true;
    } finally {
      unlock(proc, set.locks[DEPOT]);
    }
  }

  /** After a free in `region` of magazine m (locked): give the region to the depot if m is mostly empty and the region sparse. */
  function recirculate(set: MagazineSet, m: number, region: number): void {
    const rack = set.racks[m];
    const counters = rack.base + RACK.counters;
    const held = proc.load32(counters + COUNTERS.sizeAllocated);
    const used = proc.load32(counters + COUNTERS.sizeInUse);
    const { regionSize, numQuanta } = set.kind;
    if (held - used <= FREE_REGIONS_THRESHOLD * regionSize || used >= DENSITY_THRESHOLD * held) return;
    // The region the magazine is carving from stays: it would only come straight back.
    if (region === proc.load32(rack.base + RACK.regions)) return;
    if (proc.load32(region + REGION.usedQuanta) >= DENSITY_THRESHOLD * numQuanta) return;
    lock(proc, set.locks[DEPOT]);
    try {
      rack.takeRegion(region);
      set.racks[DEPOT].giveRegion(region);
    } finally {
      unlock(proc, set.locks[DEPOT]);
    }
  }
  // #endregion depot

  // #region magazine-malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    const scale = scaleOf(size, classes);
    if (scale === 'large') return largeMalloc(size);
    const set = scale === 'tiny' ? tiny : small;
    const m = magazineOf(proc.currentThread);
    lock(proc, set.locks[m]);
    try {
      return set.racks[m].malloc(quantaFor(size, set.kind.quantum));
    } finally {
      unlock(proc, set.locks[m]);
    }
  }

  function largeMalloc(size: number): number {
    if (size >= 2 ** 32) {
      proc.errno = 12; // ENOMEM: more than a 32-bit process can address
      return 0;
    }
    lock(proc, largeLock);
    try {
      return large.malloc(quantaFor(size, PAGE_SIZE));
    } finally {
      unlock(proc, largeLock);
    }
  }
  // #endregion magazine-malloc

  // #region cross-thread-free
  /** Locks the magazine that owns `region`, even if the region moves to the depot meanwhile; returns its number. */
  function lockOwner(set: MagazineSet, region: number): number {
    for (;;) {
      const owner = proc.atomicLoad32(region + REGION.owner);
      lock(proc, set.locks[owner]);
      if (proc.atomicLoad32(region + REGION.owner) === owner) return owner;
      unlock(proc, set.locks[owner]); // it moved while we waited: follow it
    }
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    for (const set of [tiny, small]) {
      const region = set.racks[DEPOT].regionOf(ptr);
      if (region === 0) continue;
      const owner = lockOwner(set, region);
      try {
        const rack = set.racks[owner];
        rack.free(region, rack.quantumOf(region, ptr, 'free()'));
        if (owner !== DEPOT && set.racks[owner].regionOf(region) !== 0) recirculate(set, owner, region);
      } finally {
        unlock(proc, set.locks[owner]);
      }
      return;
    }
    lock(proc, largeLock);
    try {
      if (!large.free(ptr)) throw notAllocated(ptr, 'free()');
    } finally {
      unlock(proc, largeLock);
    }
  }
  // #endregion cross-thread-free

  function notAllocated(ptr: number, call: string): HeapCorruption {
    return new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}: pointer being freed was not allocated`, ptr, `${hex(ptr)} is in no tiny or small region, and no live large block starts there (was it freed already?).`);
  }

  /** Runs `fn` on the live block `ptr` with its owner locked; `large` for a large block. */
  function withBlock<T>(ptr: number, call: string, fn: (where: { set: MagazineSet; owner: number; region: number; q: number } | undefined, usable: number) => T): T {
    for (const set of [tiny, small]) {
      const region = set.racks[DEPOT].regionOf(ptr);
      if (region === 0) continue;
      const owner = lockOwner(set, region);
      try {
        const q = set.racks[owner].quantumOf(region, ptr, call);
        return fn({ set, owner, region, q }, set.kind.msizeOf(proc, region, q) * set.kind.quantum);
      } finally {
        unlock(proc, set.locks[owner]);
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
    requireSize(size, `realloc(${hex(ptr)}, ${size})`);
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr);
      return 0;
    }
    const scale = scaleOf(size, classes);
    // In place when the scale stays and the owner's rack can shrink or grow the block;
    // otherwise the bytes to copy to a new block.
    const toCopy = withBlock(ptr, 'realloc()', (where, bytes) => {
      if (where === undefined || where.set.kind.name !== scale) return bytes;
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

  function calloc(countOf: number, size: number): number {
    requireSize(countOf, `calloc(${countOf}, ${size})`);
    requireSize(size, `calloc(${countOf}, ${size})`);
    const total = countOf * size;
    if (total >= 2 ** 32) {
      proc.errno = 12; // ENOMEM: the product overflows a 32-bit size_t
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
      for (let m = 0; m <= count; m++) {
        for (let region = proc.load32(set.racks[m].base + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
          const owner = proc.load32(region + REGION.owner);
          if (owner !== m) return `${set.kind.name} region ${hex(region)} is on the list of ${m === DEPOT ? 'the depot' : `magazine ${m}`} but its header names ${owner === DEPOT ? 'the depot' : `magazine ${owner}`} as its owner\n${proc.hexdump(region, 32, { from: region + REGION.owner, to: region + REGION.owner + 4 })}`;
        }
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
      set.locks.forEach((address, m) => reports.push({ name: `${set.kind.name} ${m === DEPOT ? 'depot' : `magazine ${m}`}`, address, ...lockCounts(proc, address) }));
    }
    reports.push({ name: 'large', address: largeLock, ...lockCounts(proc, largeLock) });
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
    magazineOf,
  };
}

export function createAllocator(proc: Process, options: MagazineOptions = {}): Magazines {
  return createMagazines(proc, options);
}
