// Chapter 6, step 4: frees from other threads. A block's quanta belong to a region, and the
// region to one rack: only that rack's lists, bitmaps and counters may record the block as
// free, and only under that rack's lock. So a free from any thread sends the block home, to
// the rack its region's header names (REGION.owner), even when that is not the freeing
// thread's magazine, and even when the region moves while the thread waits for the lock.

import type { Process } from '../../machine/index.ts';
import { REGION } from '../05-zones/region.ts';
import { DEPOT, type MagazineSet } from './choose.ts';
import { recirculate } from './depot.ts';
import { lock, unlock } from './lock.ts';

// #region cross-thread-free
/** Locks the rack that owns `region`, even if the region moves to the depot meanwhile; returns its number. */
export function lockOwner(proc: Process, set: MagazineSet, region: number): number {
  for (;;) {
    const owner = proc.atomicLoad32(region + REGION.owner);
    lock(proc, set.locks[owner]);
    if (proc.atomicLoad32(region + REGION.owner) === owner) return owner;
    unlock(proc, set.locks[owner]); // it moved while we waited: follow it
  }
}

/** Frees `ptr` into the rack that owns its region, from any thread; false if no region of `sets` holds it. */
export function freeToOwner(proc: Process, sets: readonly MagazineSet[], ptr: number): boolean {
  for (const set of sets) {
    const region = set.racks[DEPOT].regionOf(ptr);
    if (region === 0) continue;
    const owner = lockOwner(proc, set, region);
    try {
      const rack = set.racks[owner];
      rack.free(region, rack.quantumOf(region, ptr, 'free()'));
      if (owner !== DEPOT) recirculate(proc, set, owner, region);
    } finally {
      unlock(proc, set.locks[owner]);
    }
    return true;
  }
  return false;
}
// #endregion cross-thread-free
