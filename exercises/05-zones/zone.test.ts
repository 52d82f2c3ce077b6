// Chapter 5, step 8: the zone, all of chapter 5 together. malloc sends a request to its
// scale, free finds the scale from the pointer alone, realloc moves blocks across scales,
// calloc zeroes what may be dirty. The reference check walks the zone after every step, and
// the last tests replay shipped traces with every check of the trace driver.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENOMEM, PAGE_SIZE, Process, hex, type ProcessOptions } from '../../machine/index.ts';
import { checkZone } from '../../solutions/05-zones/check.ts';
import { regionBase } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { ROOT } from '../../workbook/paths.ts';
import { TARGET_VARIABLE, loadExercise } from '../../workbook/target.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { formatFailure, replayCommand } from '../../workbook/trace/report.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';
import { expectCorruption, expectSound } from './zone-testing.ts';

const { createAllocator } = await loadExercise<typeof import('./zone.ts')>('05-zones/zone.ts');

const MiB = 1024 * 1024;

function setUp(options: Parameters<typeof createAllocator>[1] = {}, processOptions: ProcessOptions = {}) {
  const proc = new Process(processOptions);
  const zone = createAllocator(proc, options);
  const sound = (after: string) => expectSound(proc, after, zone);
  function malloc(size: number): number {
    const ptr = zone.malloc(size);
    expect(ptr, `malloc(${size}) returned NULL`).not.toBe(0);
    expect(ptr % 16, `malloc(${size}) = ${hex(ptr)} is not 16-byte aligned`).toBe(0);
    sound(`malloc(${size}) = ${hex(ptr)}`);
    return ptr;
  }
  function free(ptr: number): void {
    zone.free(ptr);
    sound(`free(${hex(ptr)})`);
  }
  /** Which scale holds ptr: the region maps, then the large table. */
  function scaleOf(ptr: number): string {
    if (zone.tiny.regionOf(ptr) !== 0) return 'tiny';
    if (zone.small.regionOf(ptr) !== 0) return 'small';
    return zone.large.sizeOf(ptr) !== 0 ? 'large' : 'none';
  }
  return { proc, zone, sound, malloc, free, scaleOf };
}

function expectIntact(proc: Process, ptr: number, size: number, seed: number, what: string) {
  const damage = findPatternDamage(proc, ptr, size, seed);
  if (damage !== undefined) expect.fail(`${what}: the byte at ${hex(damage)} (offset ${damage - ptr}) is not what was there:\n${around(proc, damage, 1)}`);
}

describe('malloc sends each request to its scale', () => {
  it('tiny up to 1008 bytes, small up to 32 KiB, large (whole pages) above', () => {
    const { zone, malloc, scaleOf } = setUp();
    const cases: Array<[number, string]> = [
      [0, 'tiny'],
      [1, 'tiny'],
      [1008, 'tiny'],
      [1009, 'small'],
      [32768, 'small'],
      [32769, 'large'],
      [100000, 'large'],
    ];
    for (const [size, scale] of cases) {
      const p = malloc(size);
      expect(scaleOf(p), `malloc(${size}) = ${hex(p)}: which scale holds it`).toBe(scale);
      if (scale === 'large') {
        expect(p % PAGE_SIZE, `a large block starts on a page: ${hex(p)}`).toBe(0);
        expect(zone.large.sizeOf(p), `malloc(${size}): whole pages`).toBe(Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
      }
    }
  });

  it('takes the thresholds of a preset', () => {
    const { malloc, scaleOf } = setUp({ preset: '32-bit' });
    for (const [size, scale] of [
      [496, 'tiny'],
      [497, 'small'],
      [15359, 'small'],
      [15360, 'large'],
    ] as const) {
      expect(scaleOf(malloc(size)), `malloc(${size}) with the 32-bit preset`).toBe(scale);
    }
  });

  it('returns NULL with ENOMEM for 4 GiB or more, and throws a TypeError for a size that is no size', () => {
    const { proc, zone, sound } = setUp();
    expect(zone.malloc(2 ** 32), 'malloc(2^32) in a 32-bit process').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
    expect(() => zone.malloc(-1), 'malloc(-1)').toThrow(TypeError);
    expect(() => zone.malloc(1.5), 'malloc(1.5)').toThrow(TypeError);
    sound('mallocs that failed');
  });
});

describe('free finds the scale from the pointer alone', () => {
  it('frees tiny, small and large blocks, and does nothing for NULL', () => {
    const { proc, zone, malloc, free } = setUp();
    const blocks = [malloc(10), malloc(5000), malloc(50000)];
    const mapped = proc.stats().mappedBytes;
    for (const p of blocks) free(p);
    free(0);
    expect(zone.statistics(), 'the zone after every block is freed').toMatchObject({ blocksInUse: 0, sizeInUse: 0 });
    expect(mapped - proc.stats().mappedBytes, `the large block's 13 pages went back; the tiny and the small region stay, each scale's one empty region (KEEP_EMPTY)\n${proc.maps()}`).toBe(13 * PAGE_SIZE);
  });

  it('keeps one empty region per scale for the next malloc, of either band, and gives a second one back', () => {
    const { proc, zone, malloc, free, sound } = setUp();
    // 1,500 blocks of 1008 bytes fill one tiny region (1,023 of them) and part of a second.
    // The zone is checked once they are all allocated, and once they are all freed: a check
    // after each call would walk up to 1,500 blocks 3,000 times.
    const blocks = Array.from({ length: 1500 }, () => zone.malloc(1008));
    expect(blocks.filter((p) => p === 0 || p % 16 !== 0).map((p) => hex(p)), 'malloc(1008) × 1,500: pointers that are NULL or not 16-byte aligned').toEqual([]);
    sound('1,500 × malloc(1008)');
    const regions = [...new Set(blocks.map((p) => zone.tiny.regionOf(p)))];
    expect(regions.map((p) => hex(p)), '1,500 blocks of 1008 bytes: two tiny regions').toHaveLength(2);
    const mapped = proc.stats().mappedBytes;
    for (const p of blocks) zone.free(p);
    sound('free of each of the 1,500 blocks');
    expect(mapped - proc.stats().mappedBytes, `every block freed: the first region to empty stays, the second goes back (1 MiB)\n${proc.maps()}`).toBe(MiB);
    const mmaps = proc.stats().syscalls.mmap;
    const again = malloc(1008);
    expect(hex(zone.tiny.regionOf(again)), `malloc(1008) after everything was freed: a block of the region the zone kept`).not.toBe(hex(0));
    free(again);
    const small = malloc(16); // the band of blocks of 64 bytes or less: the kept region changes band
    expect(proc.stats().syscalls.mmap - mmaps, `malloc(1008), free, then malloc(16) of the other band: both from the kept region, no mmap\n${proc.maps()}`).toBe(0);
    free(small);
    sound('malloc(16) in the kept region, then free');
  });

  it('rejects a pointer into a region header, naming the region', () => {
    const { malloc, zone } = setUp();
    const t = malloc(16);
    const s = malloc(2000);
    // A region is named by its fields, just below its first block; its header starts with the mapping.
    const tinyRegion = regionBase(TINY, t);
    const smallRegion = regionBase(SMALL, s);
    const inTinyHeader = t - (t % MiB) + 32;
    const inSmallHeader = s - (s % (8 * MiB)) + 512;
    expectCorruption(() => zone.free(inTinyHeader), `free(${hex(inTinyHeader)}), inside the tiny region's header`, ['free()', 'invalid pointer', hex(tinyRegion)]);
    expectCorruption(() => zone.free(inSmallHeader), `free(${hex(inSmallHeader)}), inside the small region's header`, ['free()', 'invalid pointer', hex(smallRegion)]);
  });

  it('rejects a pointer into the middle of a block, naming the region and the quantum', () => {
    const { malloc, zone } = setUp();
    const p = malloc(100);
    const region = regionBase(TINY, p);
    expectCorruption(() => zone.free(p + 16), `free(${hex(p + 16)}), 16 bytes into a tiny block`, ['invalid pointer', hex(region), 'quantum 1']);
    expectCorruption(() => zone.free(p + 8), `free(${hex(p + 8)}), off a quantum boundary`, ['invalid pointer', hex(region)]);
    const big = malloc(40000);
    expectCorruption(() => zone.free(big + PAGE_SIZE), `free(${hex(big + PAGE_SIZE)}), the second page of a large block`, ['invalid pointer', hex(big + PAGE_SIZE)]);
  });

  it('rejects a pointer into nothing at all, and a double free of any scale', () => {
    const { malloc, free, zone } = setUp();
    expectCorruption(() => zone.free(0x12345670), 'free(0x12345670), where nothing was ever allocated', ['free()', 'invalid pointer', '0x12345670', 'not allocated']);
    const t = malloc(48);
    malloc(48);
    free(t);
    expectCorruption(() => zone.free(t), `free(${hex(t)}) twice (tiny)`, ['double free', hex(t)]);
    const big = malloc(40000);
    free(big);
    expectCorruption(() => zone.free(big), `free(${hex(big)}) twice (large): it is in no region and no longer in the table`, ['invalid pointer', hex(big)]);
  });
});

describe('realloc', () => {
  it('realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL', () => {
    const { zone, sound } = setUp();
    const p = zone.realloc(0, 100);
    expect(p, 'realloc(NULL, 100)').not.toBe(0);
    sound(`realloc(NULL, 100) = ${hex(p)}`);
    expect(zone.statistics().blocksInUse, 'one block in use').toBe(1);
    expect(zone.realloc(p, 0), `realloc(${hex(p)}, 0)`).toBe(0);
    sound(`realloc(${hex(p)}, 0)`);
    expect(zone.statistics().blocksInUse, 'no block in use').toBe(0);
  });

  it('stays in place within its scale: shrinking, growing into a free neighbour or the tail', () => {
    const { proc, zone, sound, malloc, free } = setUp();
    const p = malloc(100); // 7 quanta
    const n = malloc(100);
    malloc(100); // keeps n off the tail (a 16-byte block would carve from the region of the smallest blocks)
    fillPattern(proc, p, 100, 1);
    free(n);
    malloc(500); // another size: death row is flushed, n is really free
    const grown = zone.realloc(p, 200); // 13 quanta: p and n together hold 14
    sound(`realloc(${hex(p)}, 200)`);
    expect(hex(grown), `realloc(${hex(p)}, 200): the free block after it makes room`).toBe(hex(p));
    expectIntact(proc, p, 100, 1, 'growing in place');
    expect(hex(zone.realloc(p, 40)), `realloc(${hex(p)}, 40): shrinking never moves`).toBe(hex(p));
    sound(`realloc(${hex(p)}, 40)`);
    expect(zone.usableSize(p), `usableSize(${hex(p)}) after realloc(${hex(p)}, 40) of a 13-quantum block: the block shrinks to 3 quanta in place (the rack's shrink), and the other 10 are freed`).toBe(48);
    const last = malloc(600); // bigger than any free block: carved from the tail
    expect(hex(zone.realloc(last, 900)), `realloc(${hex(last)}, 900) of the last block: it grows into the tail`).toBe(hex(last));
    sound(`realloc(${hex(last)}, 900)`);
    const big = malloc(100000);
    expect(hex(zone.realloc(big, 50000)), `realloc(${hex(big)}, 50000) of a large block: its pages beyond are given back`).toBe(hex(big));
    sound(`realloc(${hex(big)}, 50000)`);
    expect(zone.large.sizeOf(big), 'the large block after shrinking').toBe(13 * PAGE_SIZE);
  });

  it('moves a block that cannot grow in place: the next block is in use', () => {
    const { proc, zone, sound, malloc } = setUp();
    const p = malloc(100); // 7 quanta
    const n = malloc(100); // in use, right after p
    malloc(100); // keeps n off the tail
    fillPattern(proc, p, 100, 1);
    fillPattern(proc, n, 100, 2);
    const q = zone.realloc(p, 200);
    sound(`realloc(${hex(p)}, 200) = ${hex(q)}`);
    expect(hex(q), `realloc(${hex(p)}, 200): the block after it (${hex(n)}) is in use, so growInPlace returns false and the block moves; returning ${hex(p)} anyway would hand out ${hex(n)}'s bytes twice`).not.toBe(hex(p));
    expect(zone.usableSize(q), `usableSize(${hex(q)}) after realloc(${hex(p)}, 200)`).toBeGreaterThanOrEqual(200);
    expectIntact(proc, q, 100, 1, `realloc(${hex(p)}, 200) = ${hex(q)}`);
    expectIntact(proc, n, 100, 2, `the block ${hex(n)} after ${hex(p)}, which realloc(${hex(p)}, 200) must not touch`);
  });

  it('moves tiny → small → large and back, keeping the bytes and freeing the old block', () => {
    const { proc, zone, sound, scaleOf } = setUp();
    let p = zone.malloc(100);
    let size = 100;
    fillPattern(proc, p, size, 0);
    for (const [next, scale] of [
      [2000, 'small'],
      [50000, 'large'],
      [3000, 'small'],
      [10, 'tiny'],
      [40000, 'large'],
      [500, 'tiny'],
    ] as const) {
      const q = zone.realloc(p, next);
      const step = `realloc(${hex(p)}, ${next}) = ${hex(q)}, from ${size} bytes`;
      expect(q, `${step} returned NULL`).not.toBe(0);
      sound(step);
      expect(scaleOf(q), `${step}: the scale of the new block`).toBe(scale);
      expectIntact(proc, q, Math.min(size, next), 0, step);
      expect(zone.statistics().blocksInUse, `${step}: the old block is freed`).toBe(1);
      fillPattern(proc, q, next, 0);
      [p, size] = [q, next];
    }
  });

  it('copies no more than the new block holds when it moves to a smaller scale', () => {
    const { proc, zone, sound, malloc, free } = setUp();
    const big = malloc(40000);
    fillPattern(proc, big, 40000, 6);
    const hole = malloc(500);
    const neighbour = malloc(500);
    fillPattern(proc, neighbour, 500, 7);
    free(hole); // on death row: the next malloc of 500 bytes takes it back
    const q = zone.realloc(big, 500);
    sound(`realloc(${hex(big)}, 500) = ${hex(q)}`);
    expect(hex(q), `realloc(${hex(big)}, 500) from 40,000 bytes: a tiny block, the one freed last`).toBe(hex(hole));
    expectIntact(proc, q, 500, 6, `realloc(${hex(big)}, 500) = ${hex(q)}`);
    expectIntact(proc, neighbour, 500, 7, `the block after ${hex(q)}, which realloc(${hex(big)}, 500) must not touch`);
  });

  it('keeps the bytes at every size boundary, up and down', () => {
    const { proc, zone, sound } = setUp();
    const sizes = [1, 16, 17, 1008, 1009, 1024, 1025, 32768, 32769, 40960, 40961];
    let p = zone.malloc(1);
    let previous = 1;
    fillPattern(proc, p, 1, 3);
    for (const size of [...sizes.slice(1), ...sizes.slice().reverse()]) {
      const q = zone.realloc(p, size);
      const step = `realloc(${hex(p)}, ${size}) = ${hex(q)}, from ${previous} bytes`;
      sound(step);
      expectIntact(proc, q, Math.min(previous, size), 3, step);
      // Before the test writes `size` bytes there: a block too small would have them run over what follows.
      const usable = zone.usableSize(q);
      expect(usable, `${step}: the block holds ${usable} bytes (usableSize), fewer than the ${size} asked for (a large block shrinks in place, but to grow it must move)`).toBeGreaterThanOrEqual(size);
      fillPattern(proc, q, size, 3);
      [p, previous] = [q, size];
    }
  });

  it("sizes the new request with the zone's thresholds, not the default ones", () => {
    const { proc, zone, sound, malloc, scaleOf } = setUp({ preset: '32-bit' });
    const p = malloc(400); // tiny: 25 quanta, below the 32-bit tinyLimit of 496
    fillPattern(proc, p, 400, 8);
    const q = zone.realloc(p, 600);
    sound(`realloc(${hex(p)}, 600) = ${hex(q)}`);
    expect(scaleOf(q), `realloc(${hex(p)}, 600) with the 32-bit preset: 600 bytes are small there (tinyLimit 496), though tiny with the macos thresholds; the zone's classes decide, so the block moves to a small region`).toBe('small');
    expectIntact(proc, q, 400, 8, `realloc(${hex(p)}, 600) = ${hex(q)}`);
  });

  it('returns NULL and leaves the block as it was when it cannot move it', () => {
    const { proc, zone, sound, malloc } = setUp({}, { mmapLimit: 4 * MiB });
    const p = malloc(100);
    fillPattern(proc, p, 100, 5);
    expect(zone.realloc(p, 16 * MiB), 'realloc to 16 MiB under a 4 MiB mmap limit').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
    let live: number | string;
    try {
      live = zone.usableSize(p);
    } catch (error) {
      live = `no live block: ${error instanceof Error ? error.message : String(error)}`;
    }
    expect(live, `usableSize(${hex(p)}) after realloc(${hex(p)}, 16 MiB) returned NULL: a realloc that fails leaves the old block live and untouched, as C requires (free it only once malloc has succeeded)`).toBe(112);
    sound('a realloc that failed');
    expectIntact(proc, p, 100, 5, 'a failed realloc');
  });
});

describe('calloc', () => {
  it('zeroes a block it reuses, tiny or small', () => {
    const { proc, zone, sound, malloc, free } = setUp();
    for (const size of [200, 5000]) {
      const dirty = malloc(size);
      malloc(16);
      proc.memset(dirty, 0xff, size);
      free(dirty);
      const p = zone.calloc(size / 10, 10);
      sound(`calloc(${size / 10}, 10) = ${hex(p)}`);
      expect(hex(p), `free(${hex(dirty)}), then calloc of the same size: death row's block`).toBe(hex(dirty));
      const left = proc.bytes(p, size).findIndex((b) => b !== 0);
      expect(left, `calloc(${size / 10}, 10) = ${hex(p)} left old bytes at ${hex(p + left)}:\n${around(proc, p + Math.max(0, left), 16)}`).toBe(-1);
    }
  });

  it("zeroes by the zone's thresholds: a reused block that would be large with the default ones", () => {
    const { proc, zone, sound, malloc, free, scaleOf } = setUp({ preset: '32-bit-1gb' });
    const dirty = malloc(50000); // small with this preset (up to 127 KiB), large with macos's
    malloc(16);
    expect(scaleOf(dirty), 'malloc(50000) with the 32-bit-1gb preset').toBe('small');
    proc.memset(dirty, 0xff, 50000);
    free(dirty);
    const p = zone.calloc(5000, 10);
    sound(`calloc(5000, 10) = ${hex(p)}`);
    expect(hex(p), `free(${hex(dirty)}), then calloc of the same size: death row's block`).toBe(hex(dirty));
    const left = proc.bytes(p, 50000).findIndex((b) => b !== 0);
    expect(
      left,
      `calloc(5000, 10) = ${hex(p)}, a reused small block with the 32-bit-1gb preset, left old bytes at ${hex(p + left)}: only a large block by the zone's own classes is fresh from mmap\n${around(proc, p + Math.max(0, left), 16)}`,
    ).toBe(-1);
  });

  it('returns NULL with ENOMEM when count * size does not fit in 32 bits', () => {
    const { proc, zone, sound } = setUp();
    expect(zone.calloc(65536, 65536), 'calloc(65536, 65536): 2^32 bytes').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
    expect(zone.calloc(2 ** 26, 2 ** 27), 'calloc(2^26, 2^27) = 2^53 bytes').toBe(0);
    expect(zone.calloc(0, 5), 'calloc(0, 5) is a valid, empty request').not.toBe(0);
    sound('callocs that failed, and one of 0 bytes');
  });

  it('returns NULL with ENOMEM when no region can be mapped, and zeroes nothing', () => {
    const { proc, zone, sound } = setUp({}, { mmapLimit: 512 * 1024 });
    for (const [count, size] of [
      [10, 10],
      [100, 100],
    ]) {
      const what = `calloc(${count}, ${size}) when no ${count * size > 1008 ? 'small' : 'tiny'} region fits under a 512 KiB mmap limit: malloc returns NULL, and calloc returns it without zeroing anything`;
      let p = 0;
      try {
        p = zone.calloc(count, size);
      } catch (error) {
        expect.fail(`${what}; it threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]} (a memset at NULL?)`);
      }
      expect(p, what).toBe(0);
      expect(proc.errno, `errno after calloc(${count}, ${size}) failed`).toBe(ENOMEM);
    }
    sound('callocs that failed');
  });

  it('returns a large block zeroed without writing it: fresh pages are zero', () => {
    const { proc, zone, sound } = setUp();
    const before = proc.stats().bytesMoved;
    const p = zone.calloc(1000, 100);
    const moved = proc.stats().bytesMoved - before;
    sound(`calloc(1000, 100) = ${hex(p)}`);
    expect(proc.bytes(p, 100000).every((b) => b === 0), 'the block is zero').toBe(true);
    expect(moved, `calloc(1000, 100) moved ${moved} bytes (bytesMoved): a large block is fresh from mmap`).toBeLessThan(1000);
  });
});

describe('usableSize and traces', () => {
  it('usableSize is the block rounded up to its quanta or pages', () => {
    const { zone, malloc } = setUp();
    for (const [size, usable] of [
      [100, 112],
      [1009, 1024],
      [40000, 40960],
    ]) {
      expect(zone.usableSize(malloc(size)), `usableSize(malloc(${size}))`).toBe(usable);
    }
    // A whole number of quanta or pages takes exactly that many: round up, never add one.
    for (const [size, unit] of [
      [16, 'one tiny quantum'],
      [1008, '63 tiny quanta'],
      [1024, 'two small quanta'],
      [32768, '64 small quanta'],
      [40960, 'ten pages'],
    ] as const) {
      expect(zone.usableSize(malloc(size)), `usableSize(malloc(${size})): ${size} bytes are exactly ${unit}, so the block is ${size} bytes, not one quantum (or page) more`).toBe(size);
    }
    expectCorruption(() => zone.usableSize(0x12345670), 'usableSize(0x12345670)', ['invalid pointer']);
  });

  for (const name of ['churn', 'realloc']) {
    it(`replays traces/${name}.rep with every check of the trace driver, and leaves a sound zone`, () => {
      const trace = readRep(resolve(ROOT, 'traces', `${name}.rep`), `traces/${name}.rep`);
      let last: { proc: Process; zone: ReturnType<typeof createAllocator> } | undefined;
      const result = replayChecked(trace, (proc, options) => {
        const zone = createAllocator(proc, options);
        last = { proc, zone };
        return zone;
      });
      if (result.failure !== undefined) {
        const target = process.env[TARGET_VARIABLE] ?? 'exercises';
        throw new Error(`${formatFailure({ result, shrunk: undefined }, { allocator: 'zones', target })}\n\n${replayCommand({ allocator: 'zones', target: 'exercises' }, `traces/${name}.rep`)} shrinks it to the fewest operations that fail the same way.`);
      }
      const problem = last === undefined ? 'no zone was made' : checkZone(last.proc, last.zone);
      expect(problem, `after the last operation of traces/${name}.rep, the reference check finds:\n${problem}`).toBe('');
    });
  }
});
