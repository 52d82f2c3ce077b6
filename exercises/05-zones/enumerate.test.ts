// Chapter 5, step 7: enumeration, as malloc_zone_enumerate does it: the blocks in use, the
// regions, and the zone's own bookkeeping. The zone here is the reference one, so only your
// enumerate.ts is under test.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { LARGE, LARGE_BYTES } from '../../solutions/05-zones/large.ts';
import { RACK, type Rack } from '../../solutions/05-zones/rack.ts';
import { mappingOf } from '../../solutions/05-zones/region.ts';
import { SMALL, SMALL_HEADER_BYTES } from '../../solutions/05-zones/small-region.ts';
import { TINY, TINY_HEADER_BYTES } from '../../solutions/05-zones/tiny-region.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { loadExercise } from '../../workbook/target.ts';

const enumerate = await loadExercise<typeof import('./enumerate.ts')>('05-zones/enumerate.ts');
const { MALLOC_PTR_IN_USE_RANGE_TYPE: IN_USE, MALLOC_PTR_REGION_RANGE_TYPE: REGION, MALLOC_ADMIN_REGION_RANGE_TYPE: ADMIN } = enumerate;

const MiB = 1024 * 1024;
type Call = { type: number; ranges: Array<[string, number]> };

/** Every call the recorder gets, ranges as [address, size] with the address in hex. */
function record(run: (recorder: (type: number, ranges: Array<{ address: number; size: number }>) => void) => void): Call[] {
  const calls: Call[] = [];
  run((type, ranges) => calls.push({ type, ranges: ranges.map((r) => [hex(r.address), r.size]) }));
  return calls;
}

/** All ranges of one type, sorted by address. */
function rangesOf(calls: Call[], type: number): Array<[string, number]> {
  return calls
    .filter((c) => c.type === type)
    .flatMap((c) => c.ranges)
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const sorted = (ranges: Array<[number, number]>): Array<[string, number]> => ranges.map(([a, s]): [string, number] => [hex(a), s]).sort((a, b) => a[0].localeCompare(b[0]));

function show(calls: Call[]): string {
  const name = (type: number) => (type === IN_USE ? 'in use' : type === REGION ? 'region' : type === ADMIN ? 'admin' : `type ${type}`);
  return `the recorder was called ${calls.length} times:\n${calls.map((c) => `  ${name(c.type)}: ${c.ranges.map(([a, s]) => `${a} (${s} bytes)`).join(', ')}`).join('\n')}`;
}

/**
 * What to say when the reported ranges include a block on death row: a rack's lastFree, freed
 * but still marked in use in its region's metadata. '' if none of `reported` is.
 */
function deathRowIn(proc: Process, racks: Array<{ name: string; rack: Rack }>, reported: Array<[string, number]>): string {
  const found = racks
    .map(({ name, rack }) => ({ name, rack, address: proc.load32(rack.base + RACK.lastFree) }))
    .filter(({ address }) => address !== 0 && reported.some(([a]) => a === hex(address)));
  return found
    .map(
      ({ name, rack, address }) =>
        `; ${hex(address)} is the block on death row (the ${name} rack's lastFree, at ${hex(rack.base + RACK.lastFree)}), the zone's one-block cache of the last free(): ` +
        'it is free, not in use, though its metadata still says in use, so leave out the block at proc.load32(rack.base + RACK.lastFree)',
    )
    .join('');
}

/** A zone with tiny blocks (one free, one on death row), a small block and a large block. */
function busyZone() {
  const proc = new Process();
  const zone = createZone(proc);
  const [a, b, c, d] = [zone.malloc(100), zone.malloc(100), zone.malloc(100), zone.malloc(100)]; // 112 bytes each
  zone.free(b);
  zone.free(c); // b is really freed; c waits on death row
  const s = zone.malloc(2000); // 4 quanta of 512 bytes
  const big = zone.malloc(40000); // 10 pages
  // Enumeration reports a region by its whole mapping, from the start mmap returned.
  const tinyRegion = mappingOf(TINY, zone.tiny.regionOf(a));
  const smallRegion = mappingOf(SMALL, zone.small.regionOf(s));
  return { proc, zone, a, d, s, big, tinyRegion, smallRegion };
}

describe('enumerateZone', () => {
  it('reports exactly the blocks in use: not the free ones, not the one on death row', () => {
    const { proc, zone, a, d, s, big } = busyZone();
    const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    const inUse = rangesOf(calls, IN_USE);
    const racks = [
      { name: 'tiny', rack: zone.tiny },
      { name: 'small', rack: zone.small },
    ];
    expect(inUse, `the blocks in use (type ${IN_USE})${deathRowIn(proc, racks, inUse)}; ${show(calls)}`).toEqual(sorted([[a, 112], [d, 112], [s, 2048], [big, 40960]]));
  });

  it('reports each region, and the large blocks as regions of their own', () => {
    const { proc, zone, big, tinyRegion, smallRegion } = busyZone();
    const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    expect(rangesOf(calls, REGION), `the regions (type ${REGION}); ${show(calls)}`).toEqual(sorted([[tinyRegion, MiB], [smallRegion, 8 * MiB], [big, 40960]]));
  });

  it("reports the zone's own bookkeeping: both racks, the region headers, the large-block record and its table", () => {
    const { proc, zone, tinyRegion, smallRegion } = busyZone();
    const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    const table = proc.load32(zone.large.base + LARGE.table);
    const capacity = proc.load32(zone.large.base + LARGE.capacity);
    expect(rangesOf(calls, ADMIN), `the admin ranges (type ${ADMIN}); ${show(calls)}`).toEqual(
      sorted([
        [zone.tiny.base, zone.tiny.layout.bytes],
        [zone.small.base, zone.small.layout.bytes],
        [tinyRegion, TINY_HEADER_BYTES],
        [smallRegion, SMALL_HEADER_BYTES],
        [zone.large.base, LARGE_BYTES],
        [table, capacity * 8],
      ]),
    );
  });

  it('reports only the types the mask asks for', () => {
    const { proc, zone } = busyZone();
    const all = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    for (const mask of [IN_USE, REGION, ADMIN, IN_USE | ADMIN, REGION | ADMIN, 0]) {
      const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder, mask));
      const wrong = calls.filter((c) => (c.type & mask) === 0);
      expect(wrong, `with typeMask ${mask}, no call of another type; ${show(calls)}`).toEqual([]);
      for (const type of [IN_USE, REGION, ADMIN].filter((t) => (t & mask) !== 0)) {
        expect(rangesOf(calls, type), `with typeMask ${mask}, the ranges of type ${type} are those of a full enumeration`).toEqual(rangesOf(all, type));
      }
    }
  });

  it('reports the large blocks in one call per type, in address order', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const bigs = [40000, 50000, 60000, 70000, 80000, 90000].map((size) => zone.malloc(size));
    const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    const expected = bigs
      .map((p): [number, number] => [p, zone.large.sizeOf(p)])
      .sort((x, y) => x[0] - y[0])
      .map(([p, size]): [string, number] => [hex(p), size]);
    for (const type of [IN_USE, REGION]) {
      const withLarge = calls.filter((c) => c.type === type && c.ranges.some(([address]) => bigs.map((p) => hex(p)).includes(address)));
      expect(
        withLarge,
        `the six large blocks as ${type === IN_USE ? 'blocks in use' : 'regions'} (type ${type}): all in one call, sorted by address (the table holds them in hash order); ${show(calls)}`,
      ).toEqual([{ type, ranges: expected }]);
    }
  });

  it('reports only the records of an empty zone, never an empty list of blocks, and the large-block table while it stays mapped', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const calls = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    expect(calls, `a zone that never allocated: its two racks and its large-block record (LARGE_BYTES at scales.large.base), as admin; ${show(calls)}`).toEqual([
      { type: ADMIN, ranges: [[hex(zone.tiny.base), zone.tiny.layout.bytes]] },
      { type: ADMIN, ranges: [[hex(zone.small.base), zone.small.layout.bytes]] },
      { type: ADMIN, ranges: [[hex(zone.large.base), LARGE_BYTES]] },
    ]);
    zone.free(zone.malloc(50000));
    zone.free(zone.malloc(16)); // the zone keeps its empty tiny region (KEEP_EMPTY)
    const after = record((recorder) => enumerate.enumerateZone(proc, zone, recorder));
    const empty = after.filter((c) => c.ranges.length === 0);
    expect(empty, `no call with no ranges, after the only large block is freed and a tiny region is left with no block in use; ${show(after)}`).toEqual([]);
    expect(rangesOf(after, IN_USE), `nothing in use; ${show(after)}`).toEqual([]);
    const table = proc.load32(zone.large.base + LARGE.table);
    const capacity = proc.load32(zone.large.base + LARGE.capacity);
    expect(
      rangesOf(after, ADMIN),
      `the admin ranges once no large block is left: the table at ${hex(table)} stays mapped, the zone's own memory still, so it is reported while LARGE.table is not 0, blocks or none; ${show(after)}`,
    ).toContainEqual([hex(table), capacity * 8]);
  });
});

describe('enumerateRack and blocksInUse', () => {
  it("give a region's blocks in use in one call, in address order", () => {
    const proc = new Process();
    const zone = createZone(proc);
    // All at most 64 bytes (BAND_LIMIT), so that they carve from one region.
    const blocks = [10, 50, 1, 64, 40, 33].map((size) => zone.malloc(size));
    zone.free(blocks[1]);
    zone.free(blocks[4]); // blocks[1] is really freed; blocks[4] is on death row
    expect(hex(proc.load32(zone.tiny.base + RACK.lastFree)), `the test's own setup: free(${hex(blocks[4])}) leaves it on death row`).toBe(hex(blocks[4]));
    const region = zone.tiny.regionOf(blocks[0]);
    const racks = [{ name: 'tiny', rack: zone.tiny }];
    const live = [blocks[0], blocks[2], blocks[3], blocks[5]].map((p) => [p, zone.usableSize(p)] as [number, number]);
    const found = enumerate.blocksInUse(proc, zone.tiny, region).map((r): [string, number] => [hex(r.address), r.size]);
    expect(found, `blocksInUse of tiny region ${hex(region)}${deathRowIn(proc, racks, found)}`).toEqual(live.map(([p, s]) => [hex(p), s]));
    const calls = record((recorder) => enumerate.enumerateRack(proc, zone.tiny, recorder, IN_USE));
    expect(calls, `enumerateRack(tiny, in use only)${deathRowIn(proc, racks, rangesOf(calls, IN_USE))}; ${show(calls)}`).toEqual([{ type: IN_USE, ranges: live.map(([p, s]) => [hex(p), s]) }]);
  });

  it('follow the list of regions', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const first = zone.malloc(1008);
    for (let i = 0; i < 1023; i++) zone.malloc(1008); // 1,024 blocks of 63 quanta: one more than a region holds
    const second = proc.load32(zone.tiny.base + RACK.regions); // the newest region, first on the list
    const calls = record((recorder) => enumerate.enumerateRack(proc, zone.tiny, recorder, REGION | IN_USE));
    expect(rangesOf(calls, REGION), `two tiny regions; ${show(calls).slice(0, 2000)}`).toEqual(sorted([[mappingOf(TINY, zone.tiny.regionOf(first)), MiB], [mappingOf(TINY, second), MiB]]));
    expect(rangesOf(calls, IN_USE).length, 'every block of both regions').toBe(1024);
  });
});
