// Chapter 5, step 3: the four counters of each scale, and the zone's statistics read from
// them. The zone here is the reference one: your statisticsOf reads what it counted.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { LARGE } from '../../solutions/05-zones/large.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';

const { COUNTERS, countAllocated, countBlock, statisticsOf } = await loadExercise<typeof import('./statistics.ts')>('05-zones/statistics.ts');

const MiB = 1024 * 1024;

function readCounters(proc: Process, counters: number) {
  return {
    blocksInUse: proc.load32(counters + COUNTERS.blocksInUse),
    sizeInUse: proc.load32(counters + COUNTERS.sizeInUse),
    maxSizeInUse: proc.load32(counters + COUNTERS.maxSizeInUse),
    sizeAllocated: proc.load32(counters + COUNTERS.sizeAllocated),
  };
}

function expectCounters(proc: Process, counters: number, expected: ReturnType<typeof readCounters>, after: string) {
  expect(
    readCounters(proc, counters),
    `after ${after}, the counters at ${hex(counters)} (u32: blocksInUse, sizeInUse, maxSizeInUse, sizeAllocated):\n${around(proc, counters, 16)}`,
  ).toEqual(expected);
}

describe('the counters', () => {
  it('countBlock counts blocks and bytes in use, and keeps the high-water mark', () => {
    const proc = new Process();
    const counters = proc.static('test_counters', 16);
    countBlock(proc, counters, 100, 1);
    expectCounters(proc, counters, { blocksInUse: 1, sizeInUse: 100, maxSizeInUse: 100, sizeAllocated: 0 }, 'a block of 100 bytes comes');
    countBlock(proc, counters, 50, 1);
    expectCounters(proc, counters, { blocksInUse: 2, sizeInUse: 150, maxSizeInUse: 150, sizeAllocated: 0 }, 'one of 50 bytes comes');
    countBlock(proc, counters, 100, -1);
    expectCounters(proc, counters, { blocksInUse: 1, sizeInUse: 50, maxSizeInUse: 150, sizeAllocated: 0 }, 'the 100-byte block goes: the high-water mark stays');
    countBlock(proc, counters, 20, 1);
    expectCounters(proc, counters, { blocksInUse: 2, sizeInUse: 70, maxSizeInUse: 150, sizeAllocated: 0 }, 'one of 20 bytes comes: still below the mark');
    countBlock(proc, counters, 200, 1);
    expectCounters(proc, counters, { blocksInUse: 3, sizeInUse: 270, maxSizeInUse: 270, sizeAllocated: 0 }, 'one of 200 bytes comes: a new mark');
  });

  it('countAllocated adds what comes from the kernel and takes off what goes back', () => {
    const proc = new Process();
    const counters = proc.static('test_counters', 16);
    countAllocated(proc, counters, MiB);
    countAllocated(proc, counters, 8 * MiB);
    expectCounters(proc, counters, { blocksInUse: 0, sizeInUse: 0, maxSizeInUse: 0, sizeAllocated: 9 * MiB }, 'a tiny region and a small one are mapped');
    countAllocated(proc, counters, -MiB);
    expectCounters(proc, counters, { blocksInUse: 0, sizeInUse: 0, maxSizeInUse: 0, sizeAllocated: 8 * MiB }, 'the tiny region goes back');
  });
});

describe('statisticsOf', () => {
  it("reads each scale's counters where its rack or the large-block record keeps them", () => {
    const proc = new Process();
    const zone = createZone(proc);
    const write = (counters: number, values: number[]) => values.forEach((v, i) => proc.store32(counters + i * 4, v));
    write(zone.tiny.base + RACK.counters, [3, 48, 64, MiB]);
    write(zone.small.base + RACK.counters, [5, 2560, 3072, 8 * MiB]);
    write(zone.large.base + LARGE.counters, [2, 3 * 4096, 4 * 4096, 3 * 4096]);
    const where = (scale: string, at: number) => `statisticsOf('${scale}'): the counters are at ${hex(at)}:\n${around(proc, at, 16)}`;
    expect(statisticsOf(proc, zone, 'tiny'), where('tiny', zone.tiny.base + RACK.counters)).toEqual({ blocksInUse: 3, sizeInUse: 48, maxSizeInUse: 64, sizeAllocated: MiB });
    expect(statisticsOf(proc, zone, 'small'), where('small', zone.small.base + RACK.counters)).toEqual({ blocksInUse: 5, sizeInUse: 2560, maxSizeInUse: 3072, sizeAllocated: 8 * MiB });
    expect(statisticsOf(proc, zone, 'large'), where('large', zone.large.base + LARGE.counters)).toEqual({ blocksInUse: 2, sizeInUse: 12288, maxSizeInUse: 16384, sizeAllocated: 12288 });
    expect(statisticsOf(proc, zone), 'statisticsOf() with no scale: the three scales summed, field by field').toEqual({
      blocksInUse: 10,
      sizeInUse: 48 + 2560 + 12288,
      maxSizeInUse: 64 + 3072 + 16384,
      sizeAllocated: 9 * MiB + 12288,
    });
  });

  it('follows a zone as its blocks come and go: rounded sizes, the high-water mark, whole regions allocated', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const tiny = [zone.malloc(100), zone.malloc(100), zone.malloc(100)]; // 7 quanta of 16 bytes each
    const small = zone.malloc(1009); // 2 quanta of 512 bytes
    const large = zone.malloc(40000); // 10 pages
    expect(statisticsOf(proc, zone, 'tiny'), 'three tiny blocks of 112 bytes, in one 1 MiB region').toEqual({ blocksInUse: 3, sizeInUse: 336, maxSizeInUse: 336, sizeAllocated: MiB });
    expect(statisticsOf(proc, zone, 'small'), 'one small block of 1024 bytes, in one 8 MiB region').toEqual({ blocksInUse: 1, sizeInUse: 1024, maxSizeInUse: 1024, sizeAllocated: 8 * MiB });
    expect(statisticsOf(proc, zone, 'large'), 'one large block of 10 pages, mapped on its own').toEqual({ blocksInUse: 1, sizeInUse: 40960, maxSizeInUse: 40960, sizeAllocated: 40960 });
    zone.free(tiny[0]);
    zone.free(large);
    expect(statisticsOf(proc, zone, 'tiny'), 'after one tiny block is freed: the mark stays at 336').toEqual({ blocksInUse: 2, sizeInUse: 224, maxSizeInUse: 336, sizeAllocated: MiB });
    expect(statisticsOf(proc, zone, 'large'), 'after the large block is freed: nothing mapped').toEqual({ blocksInUse: 0, sizeInUse: 0, maxSizeInUse: 40960, sizeAllocated: 0 });
    zone.free(tiny[1]);
    zone.free(tiny[2]);
    expect(statisticsOf(proc, zone, 'tiny'), 'after the last tiny block is freed: the zone keeps its one empty region (KEEP_EMPTY), still allocated').toEqual({ blocksInUse: 0, sizeInUse: 0, maxSizeInUse: 336, sizeAllocated: MiB });
    expect(statisticsOf(proc, zone), 'the whole zone: one small block left').toEqual({ blocksInUse: 1, sizeInUse: 1024, maxSizeInUse: 336 + 1024 + 40960, sizeAllocated: MiB + 8 * MiB });
    zone.free(small);
  });
});
