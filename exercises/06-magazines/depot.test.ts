// Chapter 6, step 3: the depot and recirculation. The magazines here are the reference racks,
// laid out by the reference choose.ts, so only your refill and recirculate (and the lock of
// step 2, which they take) are under test. The tests call them as a magazine would: with the
// magazine's own lock held.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { checkOneRack } from '../../solutions/05-zones/check.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { REGION, regionBase } from '../../solutions/05-zones/region.ts';
import { COUNTERS } from '../../solutions/05-zones/statistics.ts';
import { NUM_TINY_QUANTA } from '../../solutions/05-zones/tiny-region.ts';
import { checkOwners, type MagazineSet } from '../../solutions/06-magazines/choose.ts';
import { lock, unlock } from '../../solutions/06-magazines/lock.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';
import { DEPOT, describeSet, lockWords, rackName, referenceSets, regionsOf } from './magazine-testing.ts';

const { refill, recirculate } = await loadExercise<typeof import('./depot.ts')>('06-magazines/depot.ts');

const MiB = 1024 * 1024;
const BLOCK = 1000; // quanta: 16,000 bytes, 64 blocks to a tiny region

/** A tiny set of 4 magazines; `withRefill`: its magazines refill through your refill, otherwise they never do. */
function setUp(withRefill: boolean) {
  const proc = new Process();
  const set: MagazineSet = referenceSets(proc, 4, withRefill ? (s, m) => refill(proc, s, m) : () => false).tiny;
  const regionOf = (ptr: number) => regionBase(set.kind, ptr); // the address of the region's fields
  const counters = (m: number) => {
    const at = set.racks[m].base + RACK.counters;
    return { blocksInUse: proc.load32(at + COUNTERS.blocksInUse), sizeInUse: proc.load32(at + COUNTERS.sizeInUse), sizeAllocated: proc.load32(at + COUNTERS.sizeAllocated) };
  };
  const owner = (region: number) => proc.load32(region + REGION.owner);
  function sound(after: string): void {
    for (let m = 0; m < set.racks.length; m++) {
      const rack = set.racks[m];
      const problem = checkOneRack(proc, { base: rack.base, layout: rack.layout, regionMap: rack.regionMap, keepEmpty: rack.keepEmpty }, set.reader) || checkOwners(proc, set);
      if (problem !== '') throw new Error(`After ${after}, the reference check finds a broken invariant in ${rackName(set, m)}:\n${problem}\n${describeSet(proc, set)}`);
    }
  }
  /** Runs `fn` on thread 0 holding magazine m's lock, as the magazine's malloc and free do. */
  function asMagazine<T>(m: number, fn: () => T): T {
    return proc.runOn(0, () => {
      lock(proc, set.locks[m]);
      try {
        return fn();
      } finally {
        unlock(proc, set.locks[m]);
      }
    });
  }
  /** `n` blocks of `msize` quanta from rack m, each filled with a pattern of its own. */
  function mallocs(m: number, n: number, msize = BLOCK): number[] {
    return Array.from({ length: n }, () => {
      const ptr = asMagazine(m, () => set.racks[m].malloc(msize));
      expect(ptr, `racks[${m}].malloc(${msize}) returned NULL`).not.toBe(0);
      fillPattern(proc, ptr, 64, ptr >>> 4);
      return ptr;
    });
  }
  function free(m: number, ptr: number): void {
    const region = regionOf(ptr);
    set.racks[m].free(region, set.racks[m].quantumOf(region, ptr, 'free()'));
  }
  return { proc, set, regionOf, counters, owner, sound, asMagazine, mallocs, free };
}

function expectIntact(proc: Process, ptrs: number[], what: string): void {
  for (const ptr of ptrs) {
    const damage = findPatternDamage(proc, ptr, 64, ptr >>> 4);
    if (damage !== undefined) expect.fail(`${what}: the live block ${hex(ptr)} changed at ${hex(damage)}:\n${around(proc, damage, 1)}`);
  }
}

describe('refill', () => {
  it("gives a magazine that runs out the depot's emptiest region, before any mmap", () => {
    const { proc, set, regionOf, counters, owner, sound, mallocs } = setUp(true);
    const [sparse] = mallocs(DEPOT, 1, 10_000);
    const [dense] = mallocs(DEPOT, 1, 60_000); // does not fit beside the first: a second region, first on the depot's list
    const [denseRegion, sparseRegion] = [regionOf(dense), regionOf(sparse)];
    expect(regionsOf(proc, set.racks[DEPOT]).map((p) => hex(p)), "the depot's regions, newest first: the emptiest is not the first").toEqual([hex(denseRegion), hex(sparseRegion)]);
    const mmaps = proc.stats().syscalls.mmap;
    const [p] = mallocs(2, 1, 1);
    expect(proc.stats().syscalls.mmap - mmaps, `mmap calls when magazine 2, with no region, allocated while the depot held two: it should take one of those\n${describeSet(proc, set)}`).toBe(0);
    expect(hex(regionOf(p)), `magazine 2's block ${hex(p)}: in the depot's emptiest region ${hex(sparseRegion)} (10,000 quanta in use), not ${hex(denseRegion)} (60,000), the first on the depot's list: ask the depot's rack for emptiestRegion()`).toBe(hex(sparseRegion));
    expect(owner(sparseRegion), `the owner field of ${hex(sparseRegion)}, now magazine 2's`).toBe(2);
    expect(regionsOf(proc, set.racks[DEPOT]).map((p) => hex(p)), `the depot's regions after magazine 2 took ${hex(sparseRegion)}: ${hex(denseRegion)} alone (the depot's takeRegion takes a region off its list, then the magazine's giveRegion puts it on the magazine's)\n${describeSet(proc, set)}`).toEqual([hex(denseRegion)]);
    expect({ depot: counters(DEPOT), magazine: counters(2) }, 'the counters moved with the region: its block of 10,000 quanta and its megabyte').toEqual({
      depot: { blocksInUse: 1, sizeInUse: 960_000, sizeAllocated: MiB },
      magazine: { blocksInUse: 2, sizeInUse: 160_016, sizeAllocated: MiB },
    });
    sound('magazine 2 was refilled from the depot');
  });

  it("takes the depot's lock to look and to move, inside the magazine's own, and lets it go", () => {
    const { proc, set, sound, mallocs } = setUp(true);
    mallocs(DEPOT, 1, 100);
    const before = lockWords(proc, set.locks[DEPOT]);
    mallocs(3, 1, 1); // with magazine 3's lock held: refill must not take it again
    expect(lockWords(proc, set.locks[DEPOT]), `the depot's lock at ${hex(set.locks[DEPOT])} after refilling magazine 3: taken once, free again`).toEqual({ ...before, acquisitions: before.acquisitions + 1, state: 0, holder: 0 });
    expect(lockWords(proc, set.locks[3]).state, "magazine 3's lock, released by the caller: refill leaves it alone").toBe(0);
    sound('magazine 3 was refilled from the depot');
  });

  it('returns false when the depot is empty, and the magazine maps a region of its own', () => {
    const { proc, set, owner, regionOf, mallocs, sound } = setUp(true);
    expect(proc.runOn(0, () => refill(proc, set, 1)), 'refill(proc, set, 1) with nothing in the depot').toBe(false);
    expect(regionsOf(proc, set.racks[1]), 'magazine 1 after a refill that found nothing').toEqual([]);
    const words = lockWords(proc, set.locks[DEPOT]);
    const by = words.holder === 0 ? `(state ${words.state}) though its holder word names no thread` : `by thread ${words.holder - 1}`;
    const held = words.state === 0 ? '' : `: still held ${by}, so the next refill waits for it for ever. An early return (nothing in the depot) must let the lock go too: lock, then try { … } finally { unlock(…) }`;
    expect(words, `the depot's lock at ${hex(set.locks[DEPOT])} after a refill that found nothing: looked at under the lock, and released${held}\n${proc.hexdump(set.locks[DEPOT], 16)}`).toMatchObject({ acquisitions: 1, state: 0 });
    const [p] = mallocs(1, 1, 1);
    expect(owner(regionOf(p)), `magazine 1's own new region ${hex(regionOf(p))}`).toBe(1);
    sound('magazine 1 mapped a region of its own');
  });

  it('moves the free blocks of the region with it: the magazine can use them at once', () => {
    const { proc, set, counters, sound, mallocs, free } = setUp(true);
    const [x] = mallocs(DEPOT, 1, 5);
    mallocs(DEPOT, 1, 1);
    free(DEPOT, x); // on the depot's death row: refill's takeRegion flushes it onto a free list
    const [p] = mallocs(1, 1, 5);
    expect(hex(p), `magazine 1's malloc of 5 quanta after taking the depot's region: the free 5-quantum block ${hex(x)} came with the region, on magazine 1's lists now\n${describeSet(proc, set)}`).toBe(hex(x));
    expect(counters(DEPOT), "the depot's counters: nothing left").toEqual({ blocksInUse: 0, sizeInUse: 0, sizeAllocated: 0 });
    expect(counters(1), "magazine 1's counters").toEqual({ blocksInUse: 2, sizeInUse: 96, sizeAllocated: MiB });
    sound('the region and its free block moved to magazine 1');
  });
});

describe('recirculate', () => {
  /** Magazine 1 with 3 regions of 64 blocks of 1,000 quanta, oldest first. */
  function threeRegions() {
    const t = setUp(false);
    const blocks = t.mallocs(1, 3 * 64);
    const regions = [...new Set(blocks.map(t.regionOf))];
    expect(regions.length, 'regions of 192 blocks of 1,000 quanta').toBe(3);
    const of = (region: number) => blocks.filter((b) => t.regionOf(b) === region);
    return { ...t, blocks, regions, of };
  }

  /** Frees `ptrs` one by one as magazine 1 (locked), calling recirculate after each; returns how many frees it took `region` to leave, or -1. */
  /** What magazine 1 held when freeUntilMoved last saw a region move, just before recirculate moved it: for messages. */
  let whenMoved = '';

  function freeUntilMoved(t: ReturnType<typeof threeRegions>, ptrs: number[], region: number): number {
    for (let i = 0; i < ptrs.length; i++) {
      const ptr = ptrs[i];
      let before = '';
      t.asMagazine(1, () => {
        t.free(1, ptr);
        before = counters(t, region);
        recirculate(t.proc, t.set, 1, t.regionOf(ptr));
      });
      if (t.owner(region) !== 1) {
        whenMoved = `it moved after free ${i + 1}, when ${before}`;
        return i + 1;
      }
    }
    return -1;
  }

  function counters(t: ReturnType<typeof threeRegions>, region: number): string {
    const { sizeAllocated: held, sizeInUse: used } = t.counters(1);
    return `magazine 1 held ${held} bytes and used ${used}: ${held - used} free (the threshold: more than 1.5 regions, ${1.5 * MiB}), ${((100 * used) / held).toFixed(1)}% in use (the threshold: under 75%); region ${hex(region)} had ${t.proc.load32(region + REGION.usedQuanta)} of ${NUM_TINY_QUANTA} quanta in use (under 75%: ${Math.floor(0.75 * NUM_TINY_QUANTA)})`;
  }

  /** Why a region moved when it did, or why not yet. */
  function why(t: ReturnType<typeof threeRegions>, region: number, moved: number): string {
    return `${moved === -1 ? `it never moved; now ${counters(t, region)}` : whenMoved}\n${describeSet(t.proc, t.set)}`;
  }

  /** 40 frees in the oldest region, then frees in the middle one until it moves; how many of those it took. */
  function sparseMiddle(t: ReturnType<typeof threeRegions>): number {
    const [oldest, middle] = t.regions;
    const early = freeUntilMoved(t, t.of(oldest).slice(0, 40), oldest);
    expect(early, `after 40 frees in region ${hex(oldest)}, 2,432,000 of 3 MiB are still in use: only 713,728 bytes free, not more than 1.5 regions, so nothing may move yet; yet region ${hex(oldest)} moved after free ${early}`).toBe(-1);
    return freeUntilMoved(t, t.of(middle), middle);
  }

  it('gives a sparse region to the depot once the magazine is mostly free: its owner field becomes 0', () => {
    const t = threeRegions();
    const middle = t.regions[1];
    const moved = sparseMiddle(t);
    // After 40 + 54 frees of 16,000 bytes, 1,568,000 of 3 MiB are in use: 1,577,728 bytes free, more than 1.5 regions (1,572,864).
    expect(moved, `the free in region ${hex(middle)} after which it went to the depot (-1: never). It should go after free 54, the first after which more than 1.5 regions' worth of magazine 1 is free and under 75% in use; ${why(t, middle, moved)}`).toBe(54);
    expect(t.owner(middle), `the owner field of ${hex(middle)}`).toBe(DEPOT);
    expect(regionsOf(t.proc, t.set.racks[DEPOT]).map((p) => hex(p)), "the depot's regions").toEqual([hex(middle)]);
    expect(regionsOf(t.proc, t.set.racks[1]).length, "magazine 1's regions").toBe(2);
    t.sound(`region ${hex(middle)} went to the depot`);
  });

  it('moves the live blocks and their counts with the region, and leaves every byte where it was', () => {
    const t = threeRegions();
    const [oldest, middle] = t.regions;
    sparseMiddle(t);
    const live = [...t.of(oldest).slice(40), ...t.of(middle).slice(54), ...t.of(t.regions[2])];
    expectIntact(t.proc, live, 'after the move');
    expect(t.counters(DEPOT), "the depot's counters: the region's 10 live blocks and its megabyte").toEqual({ blocksInUse: 10, sizeInUse: 160_000, sizeAllocated: MiB });
    expect(t.counters(1), "magazine 1's counters: the other two regions, 24 + 64 blocks").toEqual({ blocksInUse: 88, sizeInUse: 1_408_000, sizeAllocated: 2 * MiB });
  });

  it('waits for both thresholds: more than 1.5 regions free is not enough while 75% or more is in use', () => {
    const t = setUp(false);
    const blocks = t.mallocs(1, 8 * 64); // 8 regions of 64 blocks: 8 MiB held
    const regions = [...new Set(blocks.map(t.regionOf))];
    const of = (region: number) => blocks.filter((b) => t.regionOf(b) === region);
    // 30 frees in each of three regions: 1,636,608 bytes free (more than 1.5 regions), but 80.5% still in use.
    const early = [regions[1], regions[2], regions[3]].flatMap((r) => of(r).slice(0, 30));
    const moved = freeUntilMoved({ ...t, blocks, regions, of }, early, regions[3]);
    const owners = regions.map((r) => t.owner(r));
    expect(owners, `owners of the 8 regions after 90 frees: 6,752,000 of the 8 MiB magazine 1 held were in use, 80.5%, so no region should move yet (1,636,608 bytes free is more than 1.5 regions, but both thresholds must hold)\n${describeSet(t.proc, t.set)}`).toEqual(regions.map(() => 1));
    expect(moved).toBe(-1);
    // 29 more, in a fifth region: 6,288,000 bytes in use, under 75%: that region goes.
    expect(freeUntilMoved({ ...t, blocks, regions, of }, of(regions[4]).slice(0, 29), regions[4]), `the free after which region ${hex(regions[4])} went to the depot (-1: never)`).toBe(29);
  });

  /**
   * Magazine 1 with a region for each entry of `plan`, oldest first, holding blocks of the
   * sizes given (in quanta) in that order. Each entry's first block does not fit beside the
   * previous entry's blocks, so each starts a region of its own.
   */
  function planned(plan: number[][]) {
    const t = setUp(false);
    const byRegion = plan.map((sizes) =>
      sizes.map((msize) => {
        const ptr = t.asMagazine(1, () => t.set.racks[1].malloc(msize)); // no pattern: a block of one quantum holds 16 bytes
        expect(ptr, `racks[1].malloc(${msize}) returned NULL`).not.toBe(0);
        return ptr;
      }),
    );
    const regions = byRegion.map((ptrs) => t.regionOf(ptrs[0]));
    byRegion.forEach((ptrs, i) => ptrs.forEach((p) => expect(hex(t.regionOf(p)), `block ${hex(p)}: in region ${i + 1} of the test's plan, with the other blocks planned there`).toBe(hex(regions[i]))));
    expect(new Set(regions).size, `the regions of magazine 1 after the test's mallocs\n${describeSet(t.proc, t.set)}`).toBe(plan.length);
    const blocks = byRegion.flat();
    return { ...t, blocks, regions, byRegion, of: (region: number) => blocks.filter((b) => t.regionOf(b) === region) };
  }

  /** Frees `first` (which brings magazine 1 or `region` exactly to a threshold), then `second` (one past it): after which of the two `region` moved, 0 for neither. */
  function atTheLine(t: ReturnType<typeof planned>, region: number, first: number, second: number): { atLine: string; past: string; moved: number } {
    if (freeUntilMoved(t, [first], region) === 1) return { atLine: whenMoved, past: '', moved: 1 };
    const atLine = `it stayed; ${counters(t, region)}`;
    const moved = freeUntilMoved(t, [second], region) === 1 ? 2 : 0;
    return { atLine, past: moved === 2 ? whenMoved : `it stayed; ${counters(t, region)}`, moved };
  }

  // Each threshold is strict, as libmalloc's: a region moves when more than 1.5 regions' worth
  // is free, less than 75% of the magazine is in use, and less than 75% of the region. At
  // exactly the line, it stays; one quantum past it, it goes.
  const N = NUM_TINY_QUANTA; // 64,504 quanta: a region full to the last quantum

  it('moves a region only when more than 1.5 regions are free: at exactly 1.5 regions (1,572,864 bytes) free it stays', () => {
    // 3 MiB held. Freeing a leaves N + 33,798 + 1 + 1 = 98,304 quanta in use: 1,572,864 bytes, exactly 1.5 regions free, 50% in use.
    const t = planned([[N], [N - 33_799, 33_798, 1], [1]]);
    const middle = t.regions[1];
    const [a, , c] = t.byRegion[1];
    const { atLine, past, moved } = atTheLine(t, middle, a, c);
    expect(moved, `region ${hex(middle)} went to the depot after the free of ${hex(a)}, which left exactly 1.5 regions' worth of magazine 1 free: ${atLine}. The rule asks for more than 1.5 regions free, held - used > FREE_REGIONS_THRESHOLD * regionSize: at exactly 1.5 the region stays (compare with >, not >=)\n${describeSet(t.proc, t.set)}`).not.toBe(1);
    expect(moved, `region ${hex(middle)} after one more free of 16 bytes (${hex(c)}): 1,572,880 bytes free now, more than 1.5 regions, 50% in use and the region sparse, so it should go to the depot: the line is exactly 1.5 regions, with no margin; ${past}\n${describeSet(t.proc, t.set)}`).toBe(2);
    t.sound(`region ${hex(middle)} went to the depot`);
  });

  it('moves a region only while less than 75% of the magazine is in use: at exactly 75% (6 of 8 MiB) it stays', () => {
    // 8 MiB held. Freeing a leaves 6 × N + 6,190 + 1 + 1 = 393,216 quanta in use: 6,291,456 bytes, exactly 75%, with 2 MiB free.
    const t = planned([...Array.from({ length: 6 }, () => [N]), [N - 6_191, 6_190, 1], [1]]);
    const sparse = t.regions[6];
    const [a, , c] = t.byRegion[6];
    const { atLine, past, moved } = atTheLine(t, sparse, a, c);
    expect(moved, `region ${hex(sparse)} went to the depot after the free of ${hex(a)}, which left magazine 1 exactly 75% in use (6,291,456 of 8,388,608 bytes): ${atLine}. The rule asks for less than 75% in use, used < DENSITY_THRESHOLD * held: at exactly 75% the region stays (compare with <, not <=)\n${describeSet(t.proc, t.set)}`).not.toBe(1);
    expect(moved, `region ${hex(sparse)} after one more free of 16 bytes (${hex(c)}): 6,291,440 bytes in use now, under 75%, with 2 MiB free and the region sparse, so it should go to the depot: the line is exactly 75% of what the magazine holds, with no margin; ${past}\n${describeSet(t.proc, t.set)}`).toBe(2);
    t.sound(`region ${hex(sparse)} went to the depot`);
  });

  it('moves a region only if less than 75% of its own quanta are in use: at exactly 48,378 of 64,504 it stays', () => {
    // 4 MiB held, 43% in use: the magazine is mostly free. Freeing a leaves the oldest region 16,126 quanta free, 48,378 in use: exactly 75%.
    const t = planned([[N - 48_378, 48_377, 1], [1], [N], [1]]);
    const oldest = t.regions[0];
    const [a, , c] = t.byRegion[0];
    const { atLine, past, moved } = atTheLine(t, oldest, a, c);
    expect(moved, `region ${hex(oldest)} went to the depot after the free of ${hex(a)}, which left exactly 75% of its quanta in use (48,378 of ${N}): ${atLine}. A region is sparse when usedQuanta < DENSITY_THRESHOLD * numQuanta: at exactly 75% it stays (compare with <, not <=)\n${describeSet(t.proc, t.set)}`).not.toBe(1);
    expect(moved, `region ${hex(oldest)} after one more free of one quantum (${hex(c)}): 48,377 of its quanta in use now, under 75%, in a magazine mostly free, so it should go to the depot: the line is exactly 75% of the region's quanta, with no margin; ${past}\n${describeSet(t.proc, t.set)}`).toBe(2);
    t.sound(`region ${hex(oldest)} went to the depot`);
  });

  it('keeps the region the magazine carves from (the first on its list), and a region 75% full or more', () => {
    const t = threeRegions();
    const [oldest, middle, newest] = t.regions;
    freeUntilMoved(t, t.of(oldest).slice(0, 40), oldest);
    const carving = freeUntilMoved(t, t.of(newest).slice(0, 60), newest);
    expect(carving, `region ${hex(newest)}, the one magazine 1 carves from (the first on its list), went to the depot after free ${carving} of 60 in it: it should stay however sparse, since the next carve would only take it back\n${describeSet(t.proc, t.set)}`).toBe(-1);
    // The magazine is mostly free now, but the middle region is full: it stays until fewer than 48,378 of its quanta are in use.
    const moved = freeUntilMoved(t, t.of(middle), middle);
    expect(moved, `the free after which the full region ${hex(middle)} went to the depot: once 16 of its 64 blocks are free, 48,000 quanta in use (-1: never)`).toBe(16);
    // Every free before that one kept its region: none had a reason to take the depot's lock.
    expect(lockWords(t.proc, t.set.locks[DEPOT]).acquisitions, "the depot lock's acquisitions after 115 frees and one move: the carving region and a full one stay, and deciding so needs no depot lock (take it only to move a region)").toBe(1);
    t.sound(`region ${hex(middle)} went to the depot`);
  });

  it('leaves alone a region the magazine no longer holds: the free emptied it and it went back to the kernel', () => {
    const t = setUp(false);
    const [x] = t.mallocs(1, 1, 64_000);
    const [z1] = t.mallocs(1, 1, 64_000);
    t.mallocs(1, 1, 400); // beside z1
    const [a] = t.mallocs(1, 1, 64_000); // a third region
    t.mallocs(1, 1, 600); // a fourth, the one magazine 1 carves from
    t.asMagazine(1, () => t.free(1, z1));
    const gone = t.regionOf(a);
    t.asMagazine(1, () => t.free(1, a)); // its only block: the region is unmapped
    expect(regionsOf(t.proc, t.set.racks[1]).map((p) => hex(p)), `magazine 1's regions after region ${hex(gone)} lost its only block`).not.toContain(hex(gone));
    // The magazine is mostly free (3 MiB held, 1,040,000 bytes in use), so only its list can say the region is not its own.
    const [theirs] = t.mallocs(2, 1, 1); // magazine 2 maps a region, perhaps where the old one was
    try {
      t.asMagazine(1, () => recirculate(t.proc, t.set, 1, gone));
    } catch (error) {
      throw new Error(`recirculate(proc, set, 1, ${hex(gone)}) for a region magazine 1 no longer holds (unmapped, or now another's) threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}\n${describeSet(t.proc, t.set)}`);
    }
    expect(t.owner(t.regionOf(theirs)), `magazine 2's region ${hex(t.regionOf(theirs))} after recirculate(…, 1, ${hex(gone)}): still magazine 2's. Magazine 1 no longer holds ${hex(gone)}: recirculate must leave a region that is not on magazine m's list alone (holds)\n${describeSet(t.proc, t.set)}`).toBe(2);
    expect(regionsOf(t.proc, t.set.racks[DEPOT]), "the depot's regions: nothing moved").toEqual([]);
    expect(t.owner(t.regionOf(x)), 'the full region keeps its owner').toBe(1);
    t.sound(`recirculate of region ${hex(gone)}, which magazine 1 no longer holds`);
  });

  it("takes the depot's lock only to move a region, inside the magazine's own", () => {
    const t = threeRegions();
    const [oldest, middle] = t.regions;
    freeUntilMoved(t, t.of(oldest).slice(0, 40), oldest);
    freeUntilMoved(t, t.of(middle).slice(0, 53), middle);
    expect(lockWords(t.proc, t.set.locks[DEPOT]).acquisitions, "the depot lock's acquisitions after 93 frees that moved nothing: every free calls recirculate, and a depot lock taken on each would make every thread wait on it").toBe(0);
    freeUntilMoved(t, t.of(middle).slice(53), middle);
    expect(lockWords(t.proc, t.set.locks[DEPOT]), "the depot's lock after the move: taken once, and free").toMatchObject({ acquisitions: 1, state: 0, holder: 0 });
  });
});
