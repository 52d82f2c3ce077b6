// Chapter 6, step 2: choosing a magazine, and where the magazines live. A thread uses the
// magazine its id picks, so threads rarely want the same lock. Each scale (tiny, small) has
// its depot, rack 0, and magazines 1 … count, each rack behind its own lock, with an inbox
// for frees from other threads (inbox.ts); every region's header names the rack that holds
// it (REGION.owner), which is how a free from any thread finds the magazine to give the
// block back to.
//
// Everything lives in simulated memory: one admin mapping holds the region maps, the locks
// and the racks, and a global in the data segment points to it, so any thread (or worker)
// that attaches finds the same magazines.

import { MAP_FAILED, PROT_READ, PROT_WRITE, hex, type Process } from '../../machine/index.ts';
import type { Reader } from '../05-zones/check.ts';
import { RACK, createRack, rackLayout, type Rack } from '../05-zones/rack.ts';
import { REGION, type RegionKind } from '../05-zones/region.ts';
import { INBOX_BYTES } from './inbox.ts';
import { LOCK_BYTES } from './lock.ts';

export const MAX_MAGAZINES = 64;
export const DEPOT = 0; // rack 0 of each scale; magazines are 1 … count

/** The magazines' global in the data segment: where the admin mapping is, and the count. */
export const MAGAZINES_GLOBAL = { admin: 0, count: 4 } as const;

/** One scale's racks (0 is the depot), their locks and their inboxes. */
export interface MagazineSet {
  readonly kind: RegionKind;
  readonly racks: readonly Rack[];
  /** The address of each rack's lock. */
  readonly locks: readonly number[];
  /** The address of each rack's inbox (inbox.ts); the depot's stays empty. */
  readonly inboxes: readonly number[];
  readonly reader: Reader;
}

/** What the depot (depot.ts) decides for a set: the empty regions a rack keeps, and how a magazine refills. */
export interface DepotPolicy {
  depotKeeps: number;
  magazineKeeps: number;
  /** Called by magazine m, locked, when it would map a region; true if it was given one. */
  refill(set: MagazineSet, m: number): boolean;
}

// #region choose
/** The magazine (1 … count) that thread `tid` uses; 0, the depot, is no thread's. */
export function magazineOf(tid: number, count: number): number {
  return 1 + (tid % count);
}
// #endregion choose

// #region admin
/** A scale's region map: one bit per region the 4 GiB address space could hold. */
export function regionMapBytes(kind: RegionKind): number {
  return Math.ceil(2 ** 32 / kind.regionSize / 8);
}

/** One scale's part of the admin mapping: its region map, then for each rack its lock, its inbox and the rack. */
export function setBytes(kind: RegionKind, maxMsize: number, count: number): number {
  return regionMapBytes(kind) + (count + 1) * (LOCK_BYTES + INBOX_BYTES + rackLayout(kind, maxMsize).bytes);
}

/** The admin mapping of `bytes`: mapped by the process's first allocator, found through the global by every later one. */
export function adminMapping(proc: Process, count: number, bytes: number): number {
  const global = proc.static('magazines', 8);
  let admin = proc.load32(global + MAGAZINES_GLOBAL.admin);
  if (admin === 0) {
    admin = proc.mmap(bytes, PROT_READ | PROT_WRITE, { name: 'malloc magazines' });
    if (admin === MAP_FAILED) throw new Error(`createAllocator: could not map ${bytes} bytes for the magazines (errno ${proc.errno})`);
    proc.store32(global + MAGAZINES_GLOBAL.count, count);
    proc.store32(global + MAGAZINES_GLOBAL.admin, admin);
  } else if (proc.load32(global + MAGAZINES_GLOBAL.count) !== count) {
    throw new TypeError(`createAllocator: this process's magazines were made with ${proc.load32(global + MAGAZINES_GLOBAL.count)} magazines, not ${count}`);
  }
  return admin;
}
// #endregion admin

/** One scale's depot and magazines at `at` in the admin mapping: its region map, then lock m, inbox m and rack m for m = 0 … count. */
export function createMagazineSet(proc: Process, kind: RegionKind, reader: Reader, maxMsize: number, at: number, count: number, depot: DepotPolicy): MagazineSet {
  const stride = LOCK_BYTES + INBOX_BYTES + rackLayout(kind, maxMsize).bytes;
  const locks: number[] = [];
  const inboxes: number[] = [];
  const racks: Rack[] = [];
  const set: MagazineSet = { kind, racks, locks, inboxes, reader };
  for (let m = 0; m <= count; m++) {
    const lockAt = at + regionMapBytes(kind) + m * stride;
    locks.push(lockAt);
    inboxes.push(lockAt + LOCK_BYTES);
    racks.push(
      createRack(proc, kind, maxMsize, {
        base: lockAt + LOCK_BYTES + INBOX_BYTES,
        regionMap: at,
        owner: m,
        keepEmpty: m === DEPOT ? depot.depotKeeps : depot.magazineKeeps,
        refill: m === DEPOT ? undefined : () => depot.refill(set, m),
      }),
    );
  }
  return set;
}

/** Every region on rack m's list names m as its owner; the first that does not, with its bytes, or ''. */
export function checkOwners(proc: Process, set: MagazineSet): string {
  const name = (m: number) => (m === DEPOT ? 'the depot' : `magazine ${m}`);
  for (let m = 0; m < set.racks.length; m++) {
    for (let region = proc.load32(set.racks[m].base + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
      const owner = proc.load32(region + REGION.owner);
      if (owner !== m) return `${set.kind.name} region ${hex(region)} is on the list of ${name(m)} but its header names ${name(owner)} as its owner\n${proc.hexdump(region, 32, { from: region + REGION.owner, to: region + REGION.owner + 4 })}`;
    }
  }
  return '';
}
