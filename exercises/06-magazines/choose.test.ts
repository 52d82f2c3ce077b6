// Chapter 6, step 2: which magazine a thread uses, and where each magazine lives. The racks
// are your chapter 5 racks (../05-zones/rack.ts) over the reference TINY and SMALL kinds,
// placed where your createMagazineSet puts them; the depot's policy here is the test's own.
import { describe, expect, it } from 'vitest';
import { MAP_FAILED, Process, hex } from '../../machine/index.ts';
import { rackLayout } from '../../solutions/05-zones/rack.ts';
import { REGION, mappingOf, regionBase } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { INBOX_BYTES } from '../../solutions/06-magazines/inbox.ts';
import { LOCK_BYTES } from '../../solutions/06-magazines/lock.ts';
import { loadExercise } from '../../workbook/target.ts';
import { SMALL_READER, TINY_READER, describeSet, regionHeader, regionsOf } from './magazine-testing.ts';

const { DEPOT, MAGAZINES_GLOBAL, adminMapping, checkOwners, createMagazineSet, magazineOf, regionMapBytes, setBytes } = await loadExercise<typeof import('./choose.ts')>('06-magazines/choose.ts');

const MiB = 1024 * 1024;
type Set = ReturnType<typeof createMagazineSet>;

/** A tiny set of `count` magazines in a fresh admin mapping; `refills` records each call of the policy's refill. */
function setUp(count = 4, scale: 'tiny' | 'small' = 'tiny') {
  const proc = new Process();
  const [kind, reader, maxMsize] = scale === 'tiny' ? [TINY, TINY_READER, 63] : [SMALL, SMALL_READER, 64];
  const at = adminMapping(proc, count, setBytes(kind, maxMsize, count));
  const refills: Array<[Set, number]> = [];
  const set = createMagazineSet(proc, kind, reader, maxMsize, at, count, {
    depotKeeps: 2,
    magazineKeeps: 1,
    refill: (s, m) => {
      refills.push([s, m]);
      return false;
    },
  });
  /** A block of `msize` quanta from rack m, and its region (the address of the region's fields). */
  function malloc(m: number, msize = 1): { ptr: number; region: number } {
    const ptr = set.racks[m].malloc(msize);
    expect(ptr, `racks[${m}].malloc(${msize}) returned NULL`).not.toBe(0);
    return { ptr, region: regionBase(kind, ptr) };
  }
  return { proc, at, set, kind, maxMsize, refills, malloc };
}

describe('magazineOf', () => {
  it('gives thread t magazine 1 + (t mod count): numbered from 1, never the depot (0)', () => {
    const cases: Array<[number, number, number]> = [
      [0, 4, 1],
      [1, 4, 2],
      [3, 4, 4],
      [4, 4, 1],
      [7, 4, 4],
      [1001, 4, 2],
      [0, 1, 1],
      [9, 1, 1],
      [63, 64, 64],
      [64, 64, 1],
      [5, 3, 3],
    ];
    for (const [tid, count, expected] of cases) expect(magazineOf(tid, count), `magazineOf(${tid}, ${count}): thread ${tid} with ${count} magazines`).toBe(expected);
  });

  it('spreads count consecutive threads over all count magazines, one each', () => {
    for (const count of [1, 2, 3, 4, 7, 64]) {
      const used = Array.from({ length: count }, (_, i) => magazineOf(100 + i, count)).sort((a, b) => a - b);
      expect(used, `the magazines of threads 100 … ${99 + count} with ${count} magazines`).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      expect(used, `no thread uses the depot (${DEPOT})`).not.toContain(DEPOT);
    }
  });
});

describe('the admin mapping', () => {
  it('is mapped once, by the first allocator of the process, and its address and count kept in the global', () => {
    const proc = new Process();
    const before = proc.stats().syscalls.mmap;
    const admin = adminMapping(proc, 4, 50_000);
    expect(proc.stats().syscalls.mmap - before, 'mmap calls of the first adminMapping').toBe(1);
    expect(proc.maps(), `a mapping named 'malloc magazines' (the name mmap takes in its options)`).toMatch(new RegExp(`^${admin.toString(16).padStart(8, '0')}-.*malloc magazines`, 'm'));
    const global = proc.static('magazines', 8);
    expect({ admin: hex(proc.load32(global + MAGAZINES_GLOBAL.admin)), count: proc.load32(global + MAGAZINES_GLOBAL.count) }, `the global 'magazines' (8 bytes: admin, count) at ${hex(global)}:\n${proc.hexdump(global, 8)}`).toEqual({ admin: hex(admin), count: 4 });
  });

  it('is found through the global by every later allocator, with no second mapping', () => {
    const proc = new Process();
    const admin = adminMapping(proc, 4, 50_000);
    const before = proc.stats().syscalls.mmap;
    expect(hex(adminMapping(proc, 4, 50_000)), 'a second adminMapping of the same process (another allocator object, or a worker attaching)').toBe(hex(admin));
    expect(proc.stats().syscalls.mmap - before, 'mmap calls of the second adminMapping').toBe(0);
  });

  it('throws an Error when mmap fails, and records nothing in the global', () => {
    expect(adminMapping(new Process(), 4, 50_000), 'adminMapping(proc, 4, 50000) in a process with room: a mapping').not.toBe(MAP_FAILED);
    const proc = new Process({ mmapLimit: 16 * 1024 });
    let error: unknown;
    let admin: number | undefined;
    try {
      admin = adminMapping(proc, 4, 50_000);
    } catch (thrown) {
      error = thrown;
    }
    expect(error, `adminMapping(proc, 4, 50000) in a process that may map only 16 KiB: mmap returns MAP_FAILED, so it should throw an Error; it ${error === undefined ? `returned ${admin === MAP_FAILED ? 'MAP_FAILED' : hex(admin ?? 0)}` : `threw ${String(error)}`}`).toBeInstanceOf(Error);
    const global = proc.static('magazines', 8);
    expect(hex(proc.load32(global + MAGAZINES_GLOBAL.admin)), `the global's admin word after the failed mmap: still 0, no mapping (MAP_FAILED is not an address for the next allocator to use)\n${proc.hexdump(global, 8)}`).toBe(hex(0));
  });

  it('refuses a later allocator that wants another count: its layout would not match the memory', () => {
    const proc = new Process();
    adminMapping(proc, 4, 50_000);
    let error: unknown;
    try {
      adminMapping(proc, 3, 40_000);
    } catch (thrown) {
      error = thrown;
    }
    expect(error, `adminMapping(proc, 3, …) after adminMapping(proc, 4, …) should throw a TypeError naming both counts; it ${error === undefined ? 'threw nothing' : `threw ${String(error)}`}`).toBeInstanceOf(TypeError);
    expect((error as Error).message, 'the message names both counts').toMatch(/4[^]*3|3[^]*4/);
  });
});

describe('a magazine set', () => {
  it('puts after the region map, for the depot and each magazine, its lock, its inbox and then its rack', () => {
    const { at, set, kind, maxMsize } = setUp(4);
    const stride = LOCK_BYTES + INBOX_BYTES + rackLayout(kind, maxMsize).bytes;
    expect(set.locks.length, 'locks: the depot and 4 magazines').toBe(5);
    expect(set.inboxes?.length, 'inboxes: the depot and 4 magazines').toBe(5);
    expect(set.racks.length, 'racks: the depot and 4 magazines').toBe(5);
    for (let m = 0; m <= 4; m++) {
      const lockAt = at + regionMapBytes(kind) + m * stride;
      expect(hex(set.locks[m]), `locks[${m}]: after the ${regionMapBytes(kind)}-byte region map, ${m} × ${stride} bytes (a lock, an inbox and a rack each) from ${hex(at)}`).toBe(hex(lockAt));
      expect(hex(set.inboxes[m]), `inboxes[${m}]: right after its ${LOCK_BYTES}-byte lock`).toBe(hex(lockAt + LOCK_BYTES));
      expect(hex(set.racks[m].base), `racks[${m}].base: right after its ${INBOX_BYTES}-byte inbox`).toBe(hex(lockAt + LOCK_BYTES + INBOX_BYTES));
      expect(hex(set.racks[m].regionMap), `racks[${m}].regionMap: every rack of the scale marks its regions in the one map at the start, ${hex(at)}`).toBe(hex(at));
      expect(set.racks[m].keepEmpty, `racks[${m}].keepEmpty: the policy's ${m === DEPOT ? 'depotKeeps' : 'magazineKeeps'}`).toBe(m === DEPOT ? 2 : 1);
    }
    expect(hex(set.racks[4].base + rackLayout(kind, maxMsize).bytes), 'the last rack ends where the set ends (setBytes)').toBe(hex(at + setBytes(kind, maxMsize, 4)));
    expect(set.kind, 'the set keeps its region kind').toBe(TINY);
    expect(set.reader, 'the set keeps its reader').toBe(TINY_READER);
  });

  it('gives every region the number of the rack that maps it, in its header (REGION.owner)', () => {
    const { proc, set, malloc } = setUp(4);
    const regions = new Map<number, number>();
    for (const m of [3, 0, 1, 4, 2]) {
      const { ptr, region } = malloc(m);
      expect(regions.has(region), `racks[${m}].malloc(1) = ${hex(ptr)}, in the region of racks[${regions.get(region)}]: each rack has regions of its own`).toBe(false);
      regions.set(region, m);
      expect(proc.load32(region + REGION.owner), `the owner field of racks[${m}]'s region ${hex(region)} (magic, next, prev, usedQuanta, tail, owner):\n${regionHeader(proc, region)}`).toBe(m);
    }
  });

  it('shares one region map: any rack of the scale finds the region of any block', () => {
    const { set, malloc } = setUp(3);
    for (let m = 0; m <= 3; m++) {
      const { ptr, region } = malloc(m);
      for (let other = 0; other <= 3; other++) {
        expect(hex(set.racks[other].regionOf(ptr)), `racks[${other}].regionOf(${hex(ptr)}), a block of racks[${m}]`).toBe(hex(region));
      }
    }
  });

  it("lets a magazine that runs out ask the depot first (the policy's refill), and the depot never", () => {
    const { proc, set, refills, malloc } = setUp(4);
    malloc(DEPOT);
    expect(refills.length, "refill calls after the depot mapped its first region: none, since the depot has nobody to ask (its placement's refill is undefined)").toBe(0);
    malloc(3);
    expect(refills.map(([s, m]) => ({ sameSet: s === set, m })), 'refill calls after magazine 3 ran out: one, for magazine 3, with the set createMagazineSet returned').toEqual([{ sameSet: true, m: 3 }]);
    malloc(3);
    expect(refills.length, 'refill calls after magazine 3 allocated again from the region it has').toBe(1);
    expect(regionsOf(proc, set.racks[3]).length, `the regions of magazine 3: refill said no, so it mapped one of its own\n${describeSet(proc, set)}`).toBe(1);
  });

  it('lays out the small scale the same way, beside the tiny one', () => {
    const { proc, at, set, kind, maxMsize, malloc } = setUp(2, 'small');
    const stride = LOCK_BYTES + INBOX_BYTES + rackLayout(kind, maxMsize).bytes;
    expect(hex(set.locks[2]), 'locks[2] of the small set').toBe(hex(at + regionMapBytes(SMALL) + 2 * stride));
    const { region } = malloc(2, 3);
    expect(mappingOf(kind, region) % (8 * MiB), `a small region is one mapping, 8 MiB-aligned: region ${hex(region)} (its fields) is mapped at ${hex(mappingOf(kind, region))}`).toBe(0);
    expect(proc.load32(region + REGION.owner), `the owner field of magazine 2's small region ${hex(region)}:\n${regionHeader(proc, region)}`).toBe(2);
  });
});

describe('checkOwners', () => {
  it("finds nothing wrong when every region names the rack whose list it is on", () => {
    const { proc, set, malloc } = setUp(4);
    for (const m of [0, 1, 2, 3, 4, 2]) malloc(m, 40);
    expect(checkOwners(proc, set), `checkOwners of a sound set:\n${describeSet(proc, set)}`).toBe('');
  });

  it('names a region whose owner field disagrees with the list it is on, with its address and bytes', () => {
    const { proc, set, malloc } = setUp(4);
    malloc(0);
    malloc(1);
    const { region } = malloc(2);
    proc.store32(region + REGION.owner, 3);
    const found = checkOwners(proc, set);
    for (const part of [`tiny region ${hex(region)}`, 'magazine 2', 'magazine 3']) {
      expect(found.includes(part), `checkOwners after magazine 2's region ${hex(region)} was made to name magazine 3 returned:\n${found || "''"}\nIt should say ${part}`).toBe(true);
    }
    // A dump's line: the address, then bytes. The region's magic, "tiny", is among its fields.
    expect(found, "the message shows the region's fields, as a hex dump (proc.hexdump)").toMatch(new RegExp(`${hex(region).slice(2)}: 74 69 6e 79 `));
    proc.store32(region + REGION.owner, 2);
    const depotRegion = set.racks[0].regionOf(set.racks[0].malloc(1));
    proc.store32(depotRegion + REGION.owner, 4);
    expect(checkOwners(proc, set), `checkOwners after the depot's region ${hex(depotRegion)} was made to name magazine 4: it should name the depot and magazine 4 (the depot is rack 0: walk its list too)`).toMatch(/the depot[^]*magazine 4|magazine 4[^]*the depot/);
  });

  it('walks every region of a list, not only the first', () => {
    const { proc, set, malloc } = setUp(4);
    const { region: older } = malloc(1, 40_000);
    const { region: newer } = malloc(1, 40_000); // does not fit beside the first: a second region, first on the list
    expect(regionsOf(proc, set.racks[1]).map((p) => hex(p)), "magazine 1's regions, newest first").toEqual([hex(newer), hex(older)]);
    proc.store32(older + REGION.owner, 3);
    const found = checkOwners(proc, set);
    expect(found.includes(hex(older)), `checkOwners after the older region ${hex(older)} of magazine 1, second on its list, was made to name magazine 3 returned:\n${found || "''"}\nIt should name ${hex(older)}: follow REGION.next from each region until 0, not only the list's first region\n${regionHeader(proc, older)}\n${describeSet(proc, set)}`).toBe(true);
  });
});
