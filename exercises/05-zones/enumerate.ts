// Chapter 5, step 7: enumeration, after macOS's malloc_zone_enumerate. Tools such as `heap`
// and `leaks` ask a zone for three kinds of ranges: the blocks in use, the regions that hold
// blocks, and the zone's own bookkeeping ("admin"). Everything is read from memory: the
// region lists, the metadata of each region, and the large-block table.
// Check your work with `npm run check -- enumerate`; stuck? `npm run hint -- enumerate`.
// Reads what rack.ts (step 4) and large.ts (step 6) leave in memory: their layouts (RACK,
// REGION, LARGE, ENTRY) are all it needs.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { ENTRY, ENTRY_SIZE, LARGE, LARGE_BYTES } from './large.ts';
import { RACK, type Rack } from './rack.ts';
import { REGION, blockAddress, mappingOf } from './region.ts';
import type { Scales } from './statistics.ts';

// #region record-types
/** The record types, with macOS's values, so they can be OR-ed into a mask. */
export const MALLOC_PTR_IN_USE_RANGE_TYPE = 1;
export const MALLOC_PTR_REGION_RANGE_TYPE = 2;
export const MALLOC_ADMIN_REGION_RANGE_TYPE = 4;
export const ALL_RANGE_TYPES = 7;

export interface Range {
  address: number;
  size: number;
}

/** Called with ranges of one type at a time (one region's blocks, one region, …). */
export type Recorder = (type: number, ranges: Range[]) => void;
// #endregion record-types

export function enumerateZone(proc: Process, scales: Scales, recorder: Recorder, typeMask = ALL_RANGE_TYPES): void {
  // TODO: the tiny rack's ranges, then the small rack's (enumerateRack), then the large
  // blocks':
  // #region enumerate-large
  // TODO: the large-block record (scales.large.base, LARGE_BYTES) is admin, as a rack's is.
  // The table's address is the u32 at LARGE.table in that record: 0 means no large block was
  // ever made, and nothing more to report. The table itself (LARGE.capacity slots of
  // ENTRY_SIZE bytes) is admin. Each slot whose address is not 0 is a block, reported both
  // as a region and as a block in use: all the blocks at once, in address order, and only if
  // there is at least one.
  todo('enumerateZone(proc, scales, recorder, typeMask): both racks, then the large blocks');
  // #endregion enumerate-large
}

/** One rack's ranges: its own record (admin), then each region, its header, its blocks in use. */
export function enumerateRack(proc: Process, rack: Rack, recorder: Recorder, typeMask = ALL_RANGE_TYPES): void {
  // TODO: only the types in typeMask. The rack's own record (base, layout.bytes) is admin.
  // Then each of its regions, following the list from RACK.regions through REGION.next: its
  // whole mapping (from mappingOf, kind.regionSize bytes), the header at the mapping's start
  // (kind.headerBytes) as admin, and the blocks it holds (blocksInUse) in one call, if any.
  todo('enumerateRack(proc, rack, recorder, typeMask): a rack, region by region');
}

// #region walk-region
/** The blocks of `region` the program holds, by address: not the free ones, not death row's. */
export function blocksInUse(proc: Process, rack: Rack, region: number): Range[] {
  // TODO: walk the blocks from quantum 0 to the region's tail (REGION.tail) with the kind's
  // msizeOf and isFree. Keep the blocks the program holds: not the free ones, and not the
  // one on death row (RACK.lastFree), which free() has taken back though it still looks in
  // use. Each is { address (blockAddress), size in bytes }, in address order.
  todo('blocksInUse(proc, rack, region): the live blocks of a region');
}
// #endregion walk-region
