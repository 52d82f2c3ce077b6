// Chapter 6, step 3: the depot and recirculation. Without it, a region stays with the
// magazine that mapped it for ever: a thread that allocated much and freed most of it sits
// on memory the others cannot use. So the depot, rack 0 of each scale, holds regions nobody
// is using much. A magazine that frees enough to be mostly empty hands a sparse region to
// the depot (libmalloc's density threshold, after Hoard's f = ¼); a magazine that runs out
// takes the depot's emptiest region before it asks the kernel for a new one.
//
// A magazine calls both with its own lock held, and takes the depot's lock inside it: always
// in that order (magazine, then depot), so two threads can never each hold the lock the other
// wants.

import type { Process } from '../../machine/index.ts';
import { RACK, type Rack } from '../05-zones/rack.ts';
import { REGION } from '../05-zones/region.ts';
import { COUNTERS } from '../05-zones/statistics.ts';
import { DEPOT, type DepotPolicy, type MagazineSet } from './choose.ts';
import { lock, unlock } from './lock.ts';

// #region recirculation
/** A magazine gives a region to the depot when more than this many regions' worth of it is free… */
export const FREE_REGIONS_THRESHOLD = 1.5;
/** …and less than this fraction of what it holds is in use (Hoard's f = ¼ leaves ¾). */
export const DENSITY_THRESHOLD = 0.75;
/** A region that empties in the depot stays mapped while the depot holds no more than this many, ready for the next magazine that runs out… */
export const DEPOT_KEEPS = 2;
/** …and one that empties in a magazine stays if it is the magazine's last, so freeing its last block and allocating again costs no mmap. */
export const MAGAZINE_KEEPS = 1;
// #endregion recirculation

// #region depot
/** Called by magazine m (locked) when it would map a region: take the depot's emptiest one. */
export function refill(proc: Process, set: MagazineSet, m: number): boolean {
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
export function recirculate(proc: Process, set: MagazineSet, m: number, region: number): void {
  const rack = set.racks[m];
  // The free may have emptied the region and given it back; its address may even belong to
  // another magazine's new region by now. Only a region on this magazine's list is ours.
  if (!holds(proc, rack, region)) return;
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

/** Is `region` on `rack`'s list of regions? (Read under the rack's lock.) */
function holds(proc: Process, rack: Rack, region: number): boolean {
  for (let r = proc.load32(rack.base + RACK.regions); r !== 0; r = proc.load32(r + REGION.next)) if (r === region) return true;
  return false;
}

/** The policy createMagazineSet (choose.ts) gives each rack. */
export function depotPolicy(proc: Process): DepotPolicy {
  return { depotKeeps: DEPOT_KEEPS, magazineKeeps: MAGAZINE_KEEPS, refill: (set, m) => refill(proc, set, m) };
}
