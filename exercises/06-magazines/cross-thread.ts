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
//
// Check your work with `npm run check -- cross-thread`; stuck? `npm run hint -- cross-thread`.
// Builds on the lock (step 1), choose.ts (step 2) and recirculate (step 3); inbox.ts is given.
// The tests run your functions over the reference racks. Given: leave, freeInto and emptyInbox.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
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
  // TODO: read the owner from the region's header (atomicLoad32: another thread may change
  // it) and lock that rack (set.locks[owner]). While you waited, the region may have moved
  // (to the depot, or from it to a magazine): read the owner again. The same: return it,
  // with its lock held. Not the same: let that lock go with release (below: other threads
  // may have left blocks in its inbox meanwhile) and start again with the new owner.
  todo('lockOwner(proc, set, region): lock the rack that owns the region');
}

/** Frees `ptr` into the rack that owns its region, from any thread; false if no region of `sets` holds it. */
export function freeToOwner(proc: Process, sets: readonly MagazineSet[], ptr: number): boolean {
  // TODO: the region map (any rack's regionOf; the depot's is set.racks[DEPOT]) says which
  // set, tiny or small, holds ptr: none of them, return false. For the set that does, send
  // the block home (sendHome) holding no lock (NONE), with 'free()' as the call, and return
  // true.
  todo('freeToOwner(proc, sets, ptr): find the set that holds the block, and send it home');
}

/**
 * Frees `ptr` (in `region`) into the rack that owns the region. The caller may already hold
 * magazine `held`'s lock. It waits only for its own magazine's lock or the depot's; another
 * magazine that is busy gets the block in its inbox.
 */
function sendHome(proc: Process, set: MagazineSet, region: number, ptr: number, held: number, call: string): void {
  // TODO: read the owner from the region's header (atomicLoad32), then:
  // - the caller holds that rack's lock already (owner === held): just freeInto it;
  // - it is the depot, or the calling thread's own magazine (only when held is NONE:
  //   magazineOf(proc.currentThread, set.racks.length - 1)): lock it, waiting if need be;
  // - it is another thread's magazine: tryLock it; if it is busy, do not wait: leave the
  //   block in that magazine's inbox (leave, below) and return.
  // With the lock taken, read the owner again. Still the same: freeInto, and release the lock
  // however freeInto ends (it throws for a bad pointer). Not the same (the region moved while
  // you waited): release, and go round with the new owner.
  todo('sendHome(…): free into the owner, or leave the block in its inbox');
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
  // TODO: unlock. Then look at the inbox's head (atomicLoad32, set.inboxes[m] + INBOX.head):
  // a thread that found the lock held left its block there, counting on the holder. While it
  // is not empty and tryLock gets the lock back, empty the inbox (emptyInbox) and unlock
  // again, even when emptyInbox throws. If tryLock fails, another thread holds the lock, and
  // it will look when it lets go.
  todo('release(proc, set, m): unlock, look at the inbox, free what is there');
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
