// Chapter 6, step 4: frees from other threads. A block's quanta belong to a region, and the
// region to one rack: only that rack's lists, bitmaps and counters may record the block as
// free, and only under that rack's lock. So a free from any thread sends the block home, to
// the rack its region's header names (REGION.owner), even when that is not the freeing
// thread's magazine, and even when the region moves while the thread waits for the lock.
//
// A thread never waits for another thread's magazine, though: if that lock is held, the block
// goes into the magazine's inbox (inbox.ts), and whoever holds the lock frees it as it lets go
// (release). The owner is busy allocating most of the time, and a free that waited for it
// would make both threads take turns.

import type { Process } from '../../machine/index.ts';
import { REGION } from '../05-zones/region.ts';
import { DEPOT, magazineOf, type MagazineSet } from './choose.ts';
import { recirculate } from './depot.ts';
import { INBOX, pushInbox, takeInbox } from './inbox.ts';
import { lock, tryLock, unlock } from './lock.ts';

// #region cross-thread-free
/** No magazine: the caller of sendHome holds no magazine's lock. */
const NONE = -1;

/** Locks the rack that owns `region`, even if the region moves to the depot meanwhile; returns its number. */
export function lockOwner(proc: Process, set: MagazineSet, region: number): number {
  for (;;) {
    const owner = proc.atomicLoad32(region + REGION.owner);
    lock(proc, set.locks[owner]);
    if (proc.atomicLoad32(region + REGION.owner) === owner) return owner;
    release(proc, set, owner); // it moved while we waited: follow it
  }
}

/** Frees `ptr` into the rack that owns its region, from any thread; false if no region of `sets` holds it. */
export function freeToOwner(proc: Process, sets: readonly MagazineSet[], ptr: number): boolean {
  for (const set of sets) {
    const region = set.racks[DEPOT].regionOf(ptr);
    if (region === 0) continue;
    sendHome(proc, set, region, ptr, NONE, 'free()');
    return true;
  }
  return false;
}

/**
 * Frees `ptr` (in `region`) into the rack that owns the region. The caller may already hold
 * magazine `held`'s lock. It waits only for its own magazine's lock or the depot's; another
 * magazine that is busy gets the block in its inbox.
 */
function sendHome(proc: Process, set: MagazineSet, region: number, ptr: number, held: number, call: string): void {
  const mine = held === NONE ? magazineOf(proc.currentThread, set.racks.length - 1) : NONE;
  for (;;) {
    const owner = proc.atomicLoad32(region + REGION.owner);
    if (owner === held) return freeInto(proc, set, owner, region, ptr, call);
    if (owner === DEPOT || owner === mine) lock(proc, set.locks[owner]);
    else if (!tryLock(proc, set.locks[owner])) return leave(proc, set, owner, ptr);
    if (proc.atomicLoad32(region + REGION.owner) === owner) {
      try {
        return freeInto(proc, set, owner, region, ptr, call);
      } finally {
        release(proc, set, owner);
      }
    }
    release(proc, set, owner); // it moved while we waited: follow it
  }
}

/** Leaves `ptr` in the inbox of busy rack `owner`, for whoever holds its lock to free. */
function leave(proc: Process, set: MagazineSet, owner: number, ptr: number): void {
  pushInbox(proc, set.inboxes[owner], ptr);
  // The holder may have let go, and looked at the inbox, between our tryLock and the push:
  // then nobody would free the block. So try once more; whoever gets the lock releases it.
  if (tryLock(proc, set.locks[owner])) release(proc, set, owner);
}

/** chapter 5's free on rack `owner`, whose lock the caller holds, then recirculation. */
function freeInto(proc: Process, set: MagazineSet, owner: number, region: number, ptr: number, call: string): void {
  const rack = set.racks[owner];
  rack.free(region, rack.quantumOf(region, ptr, call));
  if (owner !== DEPOT) recirculate(proc, set, owner, region);
}
// #endregion cross-thread-free

// #region release
/** Lets go of rack m's lock, then frees what other threads left in its inbox meanwhile. */
export function release(proc: Process, set: MagazineSet, m: number): void {
  unlock(proc, set.locks[m]);
  // A thread that found the lock held left its block in the inbox, counting on the holder.
  // Look, now that the lock is free, and take the lock back to free what is there; if
  // another thread takes it first, that thread will look when it lets go.
  while (proc.atomicLoad32(set.inboxes[m] + INBOX.head) !== 0 && tryLock(proc, set.locks[m])) {
    try {
      emptyInbox(proc, set, m);
    } finally {
      unlock(proc, set.locks[m]);
    }
  }
}

/** Frees every block in rack m's inbox; the caller holds m's lock. */
function emptyInbox(proc: Process, set: MagazineSet, m: number): void {
  for (let block = takeInbox(proc, set.inboxes[m]); block !== 0; ) {
    const next = proc.load32(block); // before the free writes its own links there
    const region = set.racks[DEPOT].regionOf(block);
    // The region may have moved since the block was pushed: send it on, without waiting for another magazine.
    sendHome(proc, set, region, block, m, `free() by another thread, of a block it left in ${set.kind.name} magazine ${m}'s inbox`);
    block = next;
  }
}
// #endregion release
