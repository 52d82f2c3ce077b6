// Chapter 5, step 7: enumeration, after macOS's malloc_zone_enumerate. Tools such as `heap`
// and `leaks` ask a zone for three kinds of ranges: the blocks in use, the regions that hold
// blocks, and the zone's own bookkeeping ("admin"). Everything is read from memory: the
// region lists, the metadata of each region, and the large-block table.

import type { Process } from '../../machine/index.ts';
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
  enumerateRack(proc, scales.tiny, recorder, typeMask);
  enumerateRack(proc, scales.small, recorder, typeMask);
  const wants = (type: number) => (typeMask & type) !== 0;
  // #region enumerate-large
  const large = scales.large.base;
  if (wants(MALLOC_ADMIN_REGION_RANGE_TYPE)) recorder(MALLOC_ADMIN_REGION_RANGE_TYPE, [{ address: large, size: LARGE_BYTES }]);
  const table = proc.load32(large + LARGE.table);
  if (table === 0) return;
  const capacity = proc.load32(large + LARGE.capacity);
  if (wants(MALLOC_ADMIN_REGION_RANGE_TYPE)) recorder(MALLOC_ADMIN_REGION_RANGE_TYPE, [{ address: table, size: capacity * ENTRY_SIZE }]);
  const blocks: Range[] = [];
  for (let i = 0; i < capacity; i++) {
    const address = proc.load32(table + i * ENTRY_SIZE + ENTRY.address);
    if (address !== 0) blocks.push({ address, size: proc.load32(table + i * ENTRY_SIZE + ENTRY.bytes) });
  }
  blocks.sort((a, b) => a.address - b.address);
  if (blocks.length > 0 && wants(MALLOC_PTR_REGION_RANGE_TYPE)) recorder(MALLOC_PTR_REGION_RANGE_TYPE, blocks);
  if (blocks.length > 0 && wants(MALLOC_PTR_IN_USE_RANGE_TYPE)) recorder(MALLOC_PTR_IN_USE_RANGE_TYPE, blocks);
  // #endregion enumerate-large
}

/** One rack's ranges: its own record (admin), then each region, its header, its blocks in use. */
export function enumerateRack(proc: Process, rack: Rack, recorder: Recorder, typeMask = ALL_RANGE_TYPES): void {
  const wants = (type: number) => (typeMask & type) !== 0;
  if (wants(MALLOC_ADMIN_REGION_RANGE_TYPE)) recorder(MALLOC_ADMIN_REGION_RANGE_TYPE, [{ address: rack.base, size: rack.layout.bytes }]);
  for (let region = proc.load32(rack.base + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
    const start = mappingOf(rack.kind, region);
    if (wants(MALLOC_PTR_REGION_RANGE_TYPE)) recorder(MALLOC_PTR_REGION_RANGE_TYPE, [{ address: start, size: rack.kind.regionSize }]);
    if (wants(MALLOC_ADMIN_REGION_RANGE_TYPE)) recorder(MALLOC_ADMIN_REGION_RANGE_TYPE, [{ address: start, size: rack.kind.headerBytes }]);
    if (wants(MALLOC_PTR_IN_USE_RANGE_TYPE)) {
      const blocks = blocksInUse(proc, rack, region);
      if (blocks.length > 0) recorder(MALLOC_PTR_IN_USE_RANGE_TYPE, blocks);
    }
  }
}

// #region walk-region
/** The blocks of `region` the program holds, by address: not the free ones, not death row's. */
export function blocksInUse(proc: Process, rack: Rack, region: number): Range[] {
  const { kind } = rack;
  const condemned = proc.load32(rack.base + RACK.lastFree);
  const blocks: Range[] = [];
  const tail = proc.load32(region + REGION.tail);
  for (let q = 0; q < tail; ) {
    const msize = kind.msizeOf(proc, region, q);
    const address = blockAddress(kind, region, q);
    if (!kind.isFree(proc, region, q) && address !== condemned) blocks.push({ address, size: msize * kind.quantum });
    q += Math.max(1, msize);
  }
  return blocks;
}
// #endregion walk-region
