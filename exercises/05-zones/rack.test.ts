// Chapter 5, step 4: malloc and free inside regions. Your rack runs over the reference TINY
// and SMALL kinds (solutions/05-zones), so only rack.ts (and statistics.ts, which it counts
// with) is under test; the reference check walks the rack after every step.
import { describe, expect, it } from 'vitest';
import { ENOMEM, Process, hex, type ProcessOptions } from '../../machine/index.ts';
import { REGION, mappingOf, regionBase } from '../../solutions/05-zones/region.ts';
import { SMALL, SMALL_HEADER_BYTES, SMALL_MAGIC } from '../../solutions/05-zones/small-region.ts';
import { NUM_TINY_QUANTA, TINY, TINY_HEADER_BYTES, TINY_MAGIC } from '../../solutions/05-zones/tiny-region.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';
import { type BlockState, SMALL_READER, TINY_READER, describeLayout, expectCorruption, expectRackSound, layoutText, randomRun, quantumAddress, regionLayout } from './zone-testing.ts';

/** `1 quantum`, `3 quanta`: a count of quanta as a message says it. */
const quanta = (count: number) => `${count} ${count === 1 ? 'quantum' : 'quanta'}`;

const { createRack, RACK } = await loadExercise<typeof import('./rack.ts')>('05-zones/rack.ts');
type RackPlacement = import('./rack.ts').RackPlacement;

const MiB = 1024 * 1024;

function setUp(kind: 'tiny' | 'small' = 'tiny', processOptions: ProcessOptions = {}, placement: RackPlacement = {}) {
  const proc = new Process(processOptions);
  const rack = kind === 'tiny' ? createRack(proc, TINY, 63, placement) : createRack(proc, SMALL, 64, placement);
  const reader = kind === 'tiny' ? TINY_READER : SMALL_READER;
  const sound = (after: string) => expectRackSound(proc, after, rack, reader);
  const field = (name: keyof typeof RACK) => proc.load32(rack.base + RACK[name]);

  function regionOf(ptr: number): number {
    const region = rack.regionOf(ptr);
    if (region === 0) throw new Error(`regionOf(${hex(ptr)}) = 0: no ${kind} region of this rack holds ${hex(ptr)} (was its region given back?)`);
    return region;
  }

  /** Calls the rack: what it throws names the call, and shows the newest region as the call left it. */
  function call<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof Error) error.message = `${what} threw: ${error.message}${newestLayout()}`;
      throw error;
    }
  }

  function newestLayout(): string {
    const region = proc.load32(rack.base + RACK.regions);
    if (region === 0) return '';
    try {
      return `\n${describeLayout(proc, rack, reader, region)}`;
    } catch {
      return ''; // the metadata is too broken to walk: the message says enough
    }
  }

  /** malloc of each size in quanta, with the check after each. */
  function malloc(...msizes: number[]): number[] {
    return msizes.map((msize) => {
      const ptr = call(`malloc(${quanta(msize)})`, () => rack.malloc(msize));
      expect(ptr, `malloc(${quanta(msize)}) returned NULL`).not.toBe(0);
      const region = regionOf(ptr);
      const q = (ptr - quantumAddress(reader, region, 0)) / reader.quantum;
      const recorded = Number.isInteger(q) && reader.isStart(proc, region, q) ? reader.msize(proc, region, q) : 0;
      if (recorded !== msize) {
        const smaller = recorded > 0 && recorded < msize ? `, fewer than asked for: a free block from a list below listIndex(${msize})?` : '';
        throw new Error(`malloc(${quanta(msize)}) = ${hex(ptr)}, quantum ${q} of ${kind} region ${hex(region)}: the metadata records ${recorded === 0 ? 'no block' : `a block of ${quanta(recorded)}`} there${smaller}\n${describeLayout(proc, rack, reader, region)}`);
      }
      sound(`malloc(${quanta(msize)}) = ${hex(ptr)}`);
      return ptr;
    });
  }

  function free(...ptrs: number[]): void {
    for (const ptr of ptrs) {
      const region = regionOf(ptr);
      let q: number;
      try {
        q = rack.quantumOf(region, ptr, 'free()');
      } catch (error) {
        const first = quantumAddress(reader, region, 0);
        const known = Number.isInteger((ptr - first) / reader.quantum) && ptr >= first;
        const where = known ? `quantum ${(ptr - first) / reader.quantum} (blockAddress(kind, region, q) = region + 32 + q * ${reader.quantum})` : 'no quantum';
        throw new Error(`quantumOf(${hex(region)}, ${hex(ptr)}) refused a block malloc returned, at ${where}:\n  ${(error as Error).message.split('\n')[0]}\n${describeLayout(proc, rack, reader, region)}`);
      }
      call(`free(${hex(ptr)})`, () => rack.free(region, q));
      sound(`free(${hex(ptr)})`);
    }
  }

  /** The region's blocks, from quantum 0 to the tail, after `after`. */
  function expectLayout(region: number, expected: Array<[number, BlockState]>, after: string): void {
    const tail = proc.load32(region + REGION.tail);
    expect(layoutText(regionLayout(proc, rack, reader, region)), `after ${after}, the blocks of ${kind} region ${hex(region)} (its tail at quantum ${tail})`).toBe(layoutText(expected));
  }

  return { proc, rack, sound, field, call, regionOf, malloc, free, expectLayout };
}

describe('malloc from the tail', () => {
  it('carves blocks back to back from a 1 MiB-aligned region, 16-byte aligned', () => {
    const { proc, field, malloc } = setUp();
    const [a, b, c] = malloc(1, 3, 63);
    const region = regionBase(TINY, a);
    expect(hex(mappingOf(TINY, region)), `the region holding ${hex(a)} is the 1 MiB around it`).toBe(hex(a - (a % MiB)));
    expect(proc.load32(region + REGION.magic), `the fields of the region holding ${hex(a)}, at ${hex(region)}, should start with TINY_MAGIC:\n${around(proc, region, 24)}`).toBe(TINY_MAGIC);
    expect(hex(a), `the first block is at quantum 0 of the region, right after its ${TINY_HEADER_BYTES}-byte header`).toBe(hex(a - (a % MiB) + TINY_HEADER_BYTES));
    expect([b - a, c - b], 'blocks of 1 and 3 quanta: the next block starts 16, then 48 bytes on').toEqual([16, 48]);
    for (const p of [a, b, c]) expect(p % 16, `${hex(p)} is not 16-byte aligned`).toBe(0);
    expect(proc.load32(region + REGION.tail), `REGION.tail of ${hex(region)}: 1 + 3 + 63 quanta are carved\n${around(proc, region + REGION.tail, 4)}`).toBe(67);
    expect(hex(field('regions')), 'RACK.regions: the rack lists its region').toBe(hex(region));
  });

  it('opens a second region when the first is full, newest first on the list', () => {
    const { proc, field, rack, sound } = setUp();
    const full = Math.floor(NUM_TINY_QUANTA / 63); // 1,023 blocks of 63 quanta fit in one region
    const first = rack.malloc(63);
    for (let i = 1; i < full; i++) rack.malloc(63);
    sound(`${full} mallocs of 63 quanta`);
    const region = regionBase(TINY, first);
    expect(proc.load32(region + REGION.tail), 'the first region after 1,023 blocks of 63 quanta').toBe(full * 63);
    const next = rack.malloc(63);
    sound(`malloc(63 quanta) = ${hex(next)} with ${quanta(NUM_TINY_QUANTA - full * 63)} left in the first region`);
    const second = regionBase(TINY, next);
    expect(second, `malloc(63) = ${hex(next)}: only ${quanta(NUM_TINY_QUANTA - full * 63)} are left in ${hex(region)}, so it takes a new region`).not.toBe(region);
    expect(hex(next), 'quantum 0 of the new region').toBe(hex(mappingOf(TINY, second) + TINY_HEADER_BYTES));
    expect([hex(field('regions')), field('regionCount')], 'RACK.regions (the newest region first) and RACK.regionCount').toEqual([hex(second), 2]);
  });

  it("uses a region to its last quantum: a block that fits exactly is carved from it, or grown into it", () => {
    const { proc, rack, sound, regionOf, malloc } = setUp();
    const full = Math.floor(NUM_TINY_QUANTA / 63);
    const first = rack.malloc(63);
    for (let i = 1; i < full; i++) rack.malloc(63);
    sound(`${full} mallocs of 63 quanta`);
    const region = regionOf(first);
    const left = NUM_TINY_QUANTA - full * 63; // 55
    const [last] = malloc(left);
    expect(
      hex(regionOf(last)),
      `malloc(${quanta(left)}) with exactly ${quanta(left)} left in ${hex(region)} (tail at ${full * 63} of ${NUM_TINY_QUANTA}): the block fits, ending at quantum ${NUM_TINY_QUANTA}; a new region only when tail + msize > numQuanta, not >=`,
    ).toBe(hex(region));
    expect(proc.load32(region + REGION.tail), `REGION.tail of ${hex(region)}: the region is full\n${around(proc, region + REGION.tail, 4)}`).toBe(NUM_TINY_QUANTA);
    const over = setUp();
    const overFirst = over.regionOf(over.rack.malloc(63));
    for (let i = 1; i < full; i++) over.rack.malloc(63);
    const past = over.rack.malloc(left + 1); // unchecked: carved in the full region, it would run past its mapping
    expect(
      past !== 0 && over.rack.regionOf(past) !== overFirst ? 'a new region' : `${hex(past)}, in the region with ${quanta(left)} left`,
      `malloc(${quanta(left + 1)}) with only ${quanta(left)} left (tail at ${full * 63} of ${NUM_TINY_QUANTA}): it would end at quantum ${NUM_TINY_QUANTA + 1}, past the region, so it takes a new region (tail + msize > numQuanta)`,
    ).toBe('a new region');
    const other = setUp();
    const [p] = other.malloc(1);
    const fresh = other.regionOf(p);
    expect(
      other.rack.growInPlace(fresh, 0, NUM_TINY_QUANTA + 1),
      `growInPlace of the only block (quantum 0, 1 quantum) to ${quanta(NUM_TINY_QUANTA + 1)}: it would end at quantum ${NUM_TINY_QUANTA + 1}, one past the region's end, so it is refused (q + msize > numQuanta)`,
    ).toBe(false);
    expect(
      other.rack.growInPlace(fresh, 0, NUM_TINY_QUANTA),
      `growInPlace of the only block (quantum 0, 1 quantum) to ${quanta(NUM_TINY_QUANTA)}: it ends exactly at the region's end, which is allowed (refuse only past numQuanta)`,
    ).toBe(true);
    other.sound(`growInPlace(${hex(p)}) to ${quanta(NUM_TINY_QUANTA)}`);
  });

  it('returns NULL with ENOMEM when no region can be mapped', () => {
    const { proc, rack, sound } = setUp('tiny', { mmapLimit: 512 * 1024 });
    expect(rack.malloc(1), 'a 1 MiB region cannot be mapped under a 512 KiB limit').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
    sound('a malloc that failed');
  });
});

describe('bands: the smallest blocks carve from regions of their own', () => {
  it('with a band limit of 64 bytes, blocks of up to 4 quanta and bigger ones are cut from different regions', () => {
    const { proc, malloc, regionOf } = setUp('tiny', {}, { bandLimit: 64 });
    const [a, b, c, d] = malloc(4, 28, 4, 28);
    const [smallest, others] = [regionOf(a), regionOf(b)];
    expect(hex(others), `malloc(4), malloc(28): a block of 28 quanta (448 bytes) is above the band limit, so it is not cut from ${hex(smallest)}, the region of the smallest blocks`).not.toBe(hex(smallest));
    expect([hex(regionOf(c)), hex(regionOf(d))], 'the next blocks of 4 and 28 quanta: each from the newest region of its band (newestOf)').toEqual([hex(smallest), hex(others)]);
    expect([proc.load32(smallest + REGION.band), proc.load32(others + REGION.band)], `REGION.band of ${hex(smallest)} and ${hex(others)}: newRegion(band) records the band (1: the smallest blocks)`).toEqual([1, 0]);
    expect([c - a, d - b], 'blocks of one band lie back to back in their region').toEqual([64, 448]);
  });

  it('freeing every bigger block gives their region back whole, not holes between the smallest blocks', () => {
    const { proc, field, malloc, free, regionOf } = setUp('tiny', {}, { bandLimit: 64 });
    const blocks = malloc(4, 28, 4, 28, 4, 28);
    const smallest = regionOf(blocks[0]);
    free(blocks[1], blocks[3], blocks[5]);
    expect([hex(field('regions')), field('regionCount')], `after freeing the three blocks of 28 quanta, only the region of the smallest blocks is left
${proc.maps()}`).toEqual([hex(smallest), 1]);
    const [bigger] = malloc(32);
    expect(hex(regionOf(bigger)), `malloc(32 quanta) = ${hex(bigger)}: a block above the band limit never comes from the tail of the smallest blocks' region`).not.toBe(hex(smallest));
  });

  it('without a band limit (the default), every block comes from the newest region', () => {
    const { malloc, regionOf } = setUp();
    const [a, b] = malloc(1, 63);
    expect(hex(regionOf(b)), 'blocks of 1 and 63 quanta in a rack with no band limit').toBe(hex(regionOf(a)));
  });
});

describe('free and death row', () => {
  it('free puts the block on death row: still marked in use, no longer counted', () => {
    const { proc, field, regionOf, malloc, free, expectLayout } = setUp();
    const [p] = malloc(5, 1);
    free(p);
    const region = regionOf(p);
    expect([hex(field('lastFree')), field('lastFreeMsize')], `RACK.lastFree and RACK.lastFreeMsize after free(${hex(p)}) of 5 quanta`).toEqual([hex(p), 5]);
    expect(proc.load32(region + REGION.usedQuanta), 'REGION.usedQuanta: only the 1-quantum block is in use').toBe(1);
    expectLayout(region, [[5, 'death row'], [1, 'in use']], `free(${hex(p)})`);
  });

  it('malloc of the same size takes the block on death row back', () => {
    const { field, malloc, free } = setUp();
    const [p] = malloc(5, 1);
    free(p);
    const [again] = malloc(5);
    expect(hex(again), `free(${hex(p)}) of 5 quanta, then malloc(5 quanta): the block on death row, at once`).toBe(hex(p));
    expect(field('lastFree'), 'death row is empty again').toBe(0);
  });

  it('malloc of another size flushes death row first, and can use the block it frees', () => {
    const { regionOf, malloc, free, expectLayout, field } = setUp();
    const [a] = malloc(5, 1);
    free(a);
    const [p] = malloc(2);
    expect(hex(p), `free(${hex(a)}) of 5 quanta, then malloc(2 quanta): death row is flushed, and its block is the only free one that fits`).toBe(hex(a));
    expect(field('lastFree'), 'death row is empty').toBe(0);
    expectLayout(regionOf(a), [[2, 'in use'], [3, 'free'], [1, 'in use']], 'malloc(2 quanta): split, the rest free');
  });

  it('the block on death row is released in its own region, not in the region of the block freed after it', () => {
    const { regionOf, malloc, free, expectLayout } = setUp('tiny', {}, { bandLimit: 64 });
    const [a, b] = malloc(4, 28, 4, 28); // a in the region of the smallest blocks, b in the other
    const [home, other] = [regionOf(a), regionOf(b)];
    free(a);
    try {
      free(b);
    } catch (error) {
      throw new Error(
        `free(${hex(a)}) put it on death row in region ${hex(home)}; free(${hex(b)}), in region ${hex(other)}, then really frees ${hex(a)}: in ${hex(home)} (regionBase of the condemned block, not the region of ${hex(b)}), at its own quantum, with its own size (lastFreeMsize)\n${(error as Error).message}`,
      );
    }
    expectLayout(home, [[4, 'free'], [4, 'in use']], `free(${hex(a)}), then free(${hex(b)}) in another region: ${hex(a)} is really freed in its own region`);
    expectLayout(other, [[28, 'death row'], [28, 'in use']], `free(${hex(a)}), then free(${hex(b)})`);
  });

  it('the next free really frees the block that was on death row', () => {
    const { regionOf, malloc, free, expectLayout } = setUp();
    const [a, b] = malloc(2, 3, 1);
    free(a, b);
    expectLayout(regionOf(a), [[2, 'free'], [3, 'death row'], [1, 'in use']], `free(${hex(a)}), free(${hex(b)})`);
  });
});

describe('the free lists', () => {
  it('malloc takes the smallest free block that fits, found through the bitmap of non-empty lists', () => {
    const { proc, rack, regionOf, malloc, free, expectLayout } = setUp();
    const [x8, , x3, , x20] = malloc(8, 1, 3, 1, 20, 1);
    free(x8, x3, x20); // x20 stays on death row
    const [p] = malloc(4);
    const region = regionOf(x8);
    expect(hex(p), `free blocks of 8 and 3 quanta (and 20 on death row): malloc(4 quanta) takes the 8, the smallest that fits`).toBe(hex(x8));
    expectLayout(region, [[4, 'in use'], [4, 'free'], [1, 'in use'], [3, 'free'], [1, 'in use'], [20, 'free'], [1, 'in use']], 'malloc(4 quanta)');
    const bitmap = rack.base + RACK.nonEmpty;
    const expected = (2 ** 2 + 2 ** 3 + 2 ** 19) >>> 0;
    expect(hex(proc.load32(bitmap)), `the bitmap at ${hex(bitmap)}: lists 2, 3 and 19 (blocks of 3, 4 and 20 quanta) are not empty\n${around(proc, bitmap, 8)}`).toBe(hex(expected));
    const [q3, q20] = malloc(3, 20);
    expect([hex(q3), hex(q20)], 'malloc(3 quanta) and malloc(20 quanta): each takes the free block of its exact size').toEqual([hex(x3), hex(x20)]);
    expect(hex(proc.load32(bitmap)), `the bitmap: only list 3 is left\n${around(proc, bitmap, 8)}`).toBe(hex(2 ** 3));
  });

  it("finds a block on the bitmap's second word, with every bit of that word", () => {
    const { proc, rack, malloc, free } = setUp();
    const [a] = malloc(33, 1);
    free(a);
    const [p] = malloc(6); // flushes a: 33 quanta, on list 32, bit 0 of the second word
    const bitmap = rack.base + RACK.nonEmpty;
    expect(
      hex(p),
      `free(${hex(a)}) of 33 quanta, then malloc(6 quanta): the only free block is on list 32, bit 0 of the bitmap's second word (lists 32 to 63). firstNonEmpty(5) goes on past the first word, and ignores bits below the index in the first word only\n${around(proc, bitmap, 8)}`,
    ).toBe(hex(a));
  });

  it('files blocks bigger than the largest class on the last list, and finds them there', () => {
    const { proc, rack, regionOf, malloc, free, expectLayout } = setUp();
    const [a, b] = malloc(40, 40, 1);
    free(a, b);
    const [p] = malloc(63); // flushes b, which merges with a: 80 quanta, on list 63
    expect(hex(p), 'the two free blocks of 40 quanta merged into one of 80, on the last list (63): malloc(63 quanta) takes it').toBe(hex(a));
    expectLayout(regionOf(a), [[63, 'in use'], [17, 'free'], [1, 'in use']], 'malloc(63 quanta)');
    const words = rack.base + RACK.nonEmpty;
    expect([proc.load32(words), proc.load32(words + 4)], `the bitmap (two words): the 17-quantum rest is on list 16\n${around(proc, words, 8)}`).toEqual([2 ** 16, 0]);
  });
});

describe('coalescing: the four cases', () => {
  /** Blocks of 2, 3, 4 and 5 quanta; after the frees, malloc(60 quanta) flushes death row and carves from the tail. */
  function fourBlocks() {
    const setup = setUp();
    const [a, b, c] = setup.malloc(2, 3, 4, 5);
    return { ...setup, a, b, c, region: setup.regionOf(a) };
  }

  it('neither neighbour free: the block stays as it is', () => {
    const { malloc, free, b, region, expectLayout } = fourBlocks();
    free(b);
    malloc(60);
    expectLayout(region, [[2, 'in use'], [3, 'free'], [4, 'in use'], [5, 'in use'], [60, 'in use']], 'free(b), malloc(60 quanta)');
  });

  it('the next block free: they merge', () => {
    const { malloc, free, b, c, region, expectLayout } = fourBlocks();
    free(c, b);
    malloc(60);
    expectLayout(region, [[2, 'in use'], [7, 'free'], [5, 'in use'], [60, 'in use']], 'free(c), free(b), malloc(60 quanta)');
  });

  it('the previous block free: they merge', () => {
    const { malloc, free, a, b, region, expectLayout } = fourBlocks();
    free(a, b);
    malloc(60);
    expectLayout(region, [[5, 'free'], [4, 'in use'], [5, 'in use'], [60, 'in use']], 'free(a), free(b), malloc(60 quanta)');
  });

  it('both neighbours free: the three merge', () => {
    const { malloc, free, a, b, c, region, expectLayout } = fourBlocks();
    free(a, c, b);
    malloc(60);
    expectLayout(region, [[9, 'free'], [5, 'in use'], [60, 'in use']], 'free(a), free(c), free(b), malloc(60 quanta)');
  });
});

describe('the tail and the region', () => {
  it('a freed block next to the tail rejoins it, with a free block before it', () => {
    const { proc, malloc, free, regionOf, expectLayout } = setUp();
    const [, b, c] = malloc(2, 3, 4);
    const region = regionOf(b);
    free(b, c);
    malloc(60); // flushes c: it merges with b, and both rejoin the tail
    expectLayout(region, [[2, 'in use'], [60, 'in use']], 'free(b), free(c) (the last block), malloc(60 quanta)');
    expect(proc.load32(region + REGION.tail), `REGION.tail: 2 quanta, then the 60 carved where b and c were\n${around(proc, region + REGION.tail, 4)}`).toBe(62);
  });

  it('gives a region back to the kernel (munmap) when its last block is freed', () => {
    const { proc, rack, field, malloc, free } = setUp();
    const [a, b] = malloc(4, 6);
    const before = proc.stats().mappedBytes;
    free(a, b);
    expect(before - proc.stats().mappedBytes, `free(a), free(b): nothing is in use in the region, so its 1 MiB is unmapped\n${proc.maps()}`).toBe(MiB);
    expect([field('regions'), field('regionCount')], 'RACK.regions and RACK.regionCount: no region left').toEqual([0, 0]);
    expect(rack.regionOf(a), `regionOf(${hex(a)}) after the region went back`).toBe(0);
    const [again] = malloc(1);
    expect(again % MiB, 'a new region, and a block at its start').toBe(TINY_HEADER_BYTES);
  });
});

describe('bad pointers', () => {
  it('rejects a pointer in the header, off a quantum boundary, or inside a block, naming the region and the quantum', () => {
    const { rack, regionOf, malloc } = setUp();
    const [a, b] = malloc(3, 2);
    const region = regionOf(a);
    expect(rack.quantumOf(region, b, 'free()'), `quantumOf(${hex(b)}): the second block is at quantum 3`).toBe(3);
    // Below the first block (region + 32) lies the header: the fields, and below them the metadata.
    for (const [ptr, what] of [
      [region + 16, "a pointer into the region's fields"],
      [region - 64, 'a pointer into the metadata, below the fields'],
      [mappingOf(TINY, region), "the start of the region's mapping"],
    ] as const) {
      expectCorruption(() => rack.quantumOf(region, ptr, 'free()'), `quantumOf(region, ${hex(ptr)}, 'free()'), ${what}: the first block is at ${hex(quantumAddress(TINY_READER, region, 0))}`, ['free()', 'invalid pointer', hex(ptr), hex(region)]);
    }
    expectCorruption(() => rack.quantumOf(region, a + 8, 'free()'), `quantumOf(region, ${hex(a + 8)}, 'free()'), off a quantum boundary`, ['invalid pointer', hex(region)]);
    expectCorruption(
      () => rack.quantumOf(region, a + 16, 'realloc()'),
      `quantumOf(region, ${hex(a + 16)}, 'realloc()'), inside the block at quantum 0`,
      ['realloc()', 'invalid pointer', hex(region), 'quantum 1'],
      (message) => (message.includes('double free') ? 'No block starts at quantum 1, and inside a block a quantum reads as free: ask kind.isBlockStart before kind.isFree, or a pointer into a block passes for a double free' : ''),
    );
    // The tail (quantum 5) has its header bit set, as the end of the last block: only REGION.tail tells it from a free block.
    for (const q of [5, 100]) {
      const ptr = quantumAddress(TINY_READER, region, q);
      expectCorruption(() => rack.quantumOf(region, ptr, 'free()'), `quantumOf(region, ${hex(ptr)}, 'free()'), quantum ${q}, at or past the region's tail (quantum 5), where nothing was ever allocated`, ['invalid pointer', hex(region), `quantum ${q}`]);
    }
  });

  it('rejects a double free, of the block on death row and of a block on a free list', () => {
    const { rack, regionOf, malloc, free } = setUp();
    const [a, b] = malloc(2, 2, 1);
    const region = regionOf(a);
    free(a);
    expectCorruption(
      () => rack.quantumOf(region, a, 'free()'),
      `quantumOf(region, ${hex(a)}, 'free()'), a second free while ${hex(a)} waits on death row (still marked in use; RACK.lastFree holds it),`,
      ['free()', 'double free', hex(a), hex(region), 'quantum 0'],
    );
    free(b);
    expectCorruption(() => rack.quantumOf(region, a, 'free()'), `quantumOf(region, ${hex(a)}, 'free()'), a second free once ${hex(a)} is really free,`, ['double free', hex(a), 'quantum 0']);
  });
});

describe('in place, for realloc', () => {
  it('shrink keeps the front and frees the rest, merging it with a free neighbour', () => {
    const { rack, call, regionOf, malloc, free, sound, expectLayout } = setUp();
    const [p, n] = malloc(10, 5, 1);
    const region = regionOf(p);
    free(n);
    malloc(60);
    call(`shrink(${hex(p)}) from 10 to 4 quanta`, () => rack.shrink(region, 0, 4));
    sound(`shrink(${hex(p)}) from 10 to 4 quanta`);
    expectLayout(region, [[4, 'in use'], [11, 'free'], [1, 'in use'], [60, 'in use']], 'shrink from 10 quanta to 4, next to a free block of 5');
    call(`shrink(${hex(p)}) to its own size, 4 quanta, where nothing is left to free`, () => rack.shrink(region, 0, 4));
    sound(`shrink(${hex(p)}) from 4 quanta to 4`);
    expectLayout(region, [[4, 'in use'], [11, 'free'], [1, 'in use'], [60, 'in use']], 'shrink of a 4-quantum block to 4 quanta: nothing to free, nothing changes');
    call('shrink of the last block from 60 to 20 quanta', () => rack.shrink(region, 16, 20));
    sound('shrink of the last block from 60 to 20 quanta');
    expectLayout(region, [[4, 'in use'], [11, 'free'], [1, 'in use'], [20, 'in use']], 'shrink of the last block: the rest rejoins the tail');
  });

  it('growInPlace takes a free neighbour or the tail, and refuses when it cannot', () => {
    const { rack, call, regionOf, malloc, free, sound, expectLayout } = setUp();
    const grow = (q: number, msize: number, what: string) => call(`growInPlace(${hex(region)}, ${q}, ${msize}), ${what},`, () => rack.growInPlace(region, q, msize));
    const [p, n] = malloc(4, 8, 1);
    const region = regionOf(p);
    free(n);
    const [last] = malloc(60);
    expect(grow(0, 13, 'grow 4 → 13 quanta'), 'grow 4 → 13 quanta: the block and its free neighbour of 8 hold only 12').toBe(false);
    expectLayout(region, [[4, 'in use'], [8, 'free'], [1, 'in use'], [60, 'in use']], 'growInPlace 4 → 13 quanta, refused');
    expect(grow(0, 6, 'grow 4 → 6 quanta'), 'grow 4 → 6 quanta into the free block of 8 after it').toBe(true);
    sound('growInPlace 4 → 6 quanta');
    expectLayout(region, [[6, 'in use'], [6, 'free'], [1, 'in use'], [60, 'in use']], 'growInPlace 4 → 6 quanta');
    expect(grow(0, 12, 'grow 6 → 12 quanta: exactly the block and its free neighbour, nothing left over to file'), 'grow 6 → 12 quanta: exactly the block and its free neighbour').toBe(true);
    sound('growInPlace 6 → 12 quanta');
    expect(grow(0, 13, 'grow 12 → 13 quanta'), 'grow 12 → 13 quanta: the next block is in use').toBe(false);
    expectLayout(region, [[12, 'in use'], [1, 'in use'], [60, 'in use']], 'growInPlace 12 → 13 quanta, refused');
    const q = (last - quantumAddress(TINY_READER, region, 0)) / 16;
    expect(grow(q, 500, 'the last block into the tail'), 'the last block grows into the tail').toBe(true);
    sound('growInPlace of the last block to 500 quanta');
    expect(
      grow(q, NUM_TINY_QUANTA, 'the last block past the region'),
      `grow the last block (quantum ${q}) into the tail to ${quanta(NUM_TINY_QUANTA)}: it would end at quantum ${q + NUM_TINY_QUANTA}, past the region's ${quanta(NUM_TINY_QUANTA)} (numQuanta)`,
    ).toBe(false);
    expectLayout(region, [[12, 'in use'], [1, 'in use'], [500, 'in use']], 'the last block grown to 500 quanta');
  });
});

describe('the same rack for small blocks', () => {
  it('serves 8 MiB regions of 512-byte quanta with the same code', () => {
    const { proc, regionOf, malloc, free, expectLayout } = setUp('small');
    const [a, b, c] = malloc(1, 2, 3, 1);
    const region = regionOf(a);
    expect(mappingOf(SMALL, region) % (8 * MiB), `the small region ${hex(region)} is in a mapping aligned to its 8 MiB`).toBe(0);
    expect(proc.load32(region + REGION.magic), `the region's fields start with SMALL_MAGIC:\n${around(proc, region, 24)}`).toBe(SMALL_MAGIC);
    expect([a - mappingOf(SMALL, region), b - a, c - b], 'quantum 0 after the header, then 512 and 1024 bytes on').toEqual([SMALL_HEADER_BYTES, 512, 1024]);
    free(a, c, b);
    malloc(60);
    expectLayout(region, [[6, 'free'], [1, 'in use'], [60, 'in use']], 'free(a), free(c), free(b), malloc(60 quanta)');
  });
});

describe('a long run', () => {
  it('3,000 random mallocs and frees keep every byte and every invariant', () => {
    const { proc, rack } = setUp();
    randomRun(proc, rack, TINY_READER, { ops: 3000, seed: 3, maxMsize: 63, checkEvery: 25 });
  });

  it('the same in small regions', () => {
    const { proc, rack } = setUp('small');
    randomRun(proc, rack, SMALL_READER, { ops: 1000, seed: 4, maxMsize: 64, checkEvery: 25 });
  });
});
