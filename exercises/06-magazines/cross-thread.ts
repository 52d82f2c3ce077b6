// Chapter 6, step 4: frees from other threads. A block's quanta belong to a region, and the
// region to one rack: only that rack's lists, bitmaps and counters may record the block as
// free, and only under that rack's lock. So a free from any thread sends the block home, to
// the rack its region's header names (REGION.owner), even when that is not the freeing
// thread's magazine, and even when the region moves while the thread waits for the lock.
// Check your work with `npm run check -- cross-thread`; stuck? `npm run hint -- cross-thread`.
// Builds on the lock (step 1), choose.ts (step 2) and recirculate (step 3). The tests run
// your functions over the reference racks.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { REGION } from '../05-zones/region.ts';
import { DEPOT, type MagazineSet } from './choose.ts';
import { recirculate } from './depot.ts';
import { lock, unlock } from './lock.ts';

// #region cross-thread-free
/** Locks the rack that owns `region`, even if the region moves to the depot meanwhile; returns its number. */
export function lockOwner(proc: Process, set: MagazineSet, region: number): number {
  // TODO: read the owner from the region's header (atomicLoad32: another thread may change
  // it) and lock that rack (set.locks[owner]). While you waited, the region may have moved
  // (to the depot, or from it to a magazine): read the owner again. The same: return it,
  // with its lock held. Not the same: let that lock go and start again with the new owner.
  todo('lockOwner(proc, set, region): lock the rack that owns the region');
}

/** Frees `ptr` into the rack that owns its region, from any thread; false if no region of `sets` holds it. */
export function freeToOwner(proc: Process, sets: readonly MagazineSet[], ptr: number): boolean {
  // TODO: the region map (any rack's regionOf; the depot's is set.racks[DEPOT]) says which
  // set, tiny or small, holds ptr: none of them, return false. With the owner's lock held
  // (lockOwner), the owner's rack finds the block's quantum (quantumOf, with 'free()' as the
  // call; it throws for a bad pointer) and frees it; then, if the owner is a magazine and not
  // the depot, recirculate. The lock must be let go even when the rack throws. Return true.
  todo('freeToOwner(proc, sets, ptr): free the block into the rack that owns it');
}
// #endregion cross-thread-free
