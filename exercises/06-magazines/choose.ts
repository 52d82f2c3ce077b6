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
// Check your work with `npm run check -- choose`; stuck? `npm run hint -- choose`.
// This chapter builds on your chapter 5 (../05-zones/): finish that first. The racks here are
// your createRack's, placed in the admin mapping instead of the data segment. Given: the
// sizes (regionMapBytes, setBytes) and the types.

import { MAP_FAILED, PROT_READ, PROT_WRITE, hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
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
  // TODO: threads take the magazines in turn: thread 0 the first, thread count - 1 the last,
  // thread count the first again. Magazines are numbered from 1; 0 is the depot.
  todo('magazineOf(tid, count): the magazine of a thread');
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
  // TODO: the global is proc.static('magazines', 8): a u32 at MAGAZINES_GLOBAL.admin, the
  // mapping's address (0 until someone maps it), and one at MAGAZINES_GLOBAL.count. If there
  // is no mapping yet, mmap `bytes` (PROT_READ | PROT_WRITE, { name: 'malloc magazines' }),
  // throw an Error if mmap fails (MAP_FAILED), and record address and count. If there is one,
  // return it, but throw a TypeError naming both counts when `count` is not the one recorded.
  todo('adminMapping(proc, count, bytes): map the magazines once, find them after');
}
// #endregion admin

/** One scale's depot and magazines at `at` in the admin mapping: its region map, then lock m, inbox m and rack m for m = 0 … count. */
export function createMagazineSet(proc: Process, kind: RegionKind, reader: Reader, maxMsize: number, at: number, count: number, depot: DepotPolicy): MagazineSet {
  // TODO: the set starts at `at` with the region map (regionMapBytes(kind)); then, for the
  // depot (m = 0) and each magazine m = 1 … count, a lock of LOCK_BYTES, right after it an
  // inbox of INBOX_BYTES, and right after that rack m, made by createRack with a placement:
  // its base, the shared region map, owner m, the depot policy's keepEmpty for it, and for a
  // magazine (never the depot) a refill that calls depot.refill with this set and m.
  // Return { kind, racks, locks, inboxes, reader }.
  todo('createMagazineSet(…): the depot and the magazines, each a lock, an inbox and a rack');
}

/** Every region on rack m's list names m as its owner; the first that does not, with its bytes, or ''. */
export function checkOwners(proc: Process, set: MagazineSet): string {
  // TODO: walk each rack's regions (from rack.base + RACK.regions, through REGION.next). A
  // region whose REGION.owner is not that rack's number: return a message naming the scale,
  // the region's address (hex), the rack whose list it is on and the one its header names
  // ('the depot' for 0, 'magazine m' otherwise), with a hexdump of its header. '' if none.
  todo('checkOwners(proc, set): every region names the rack it is on');
}
