// Chapter 6, step 5: the magazines, all of chapter 6 together. Each call runs on the logical
// thread the test picks (proc.runOn), so every interleaving is the same on every run. The
// reference checks walk every magazine and the depot after each step, and the last tests
// replay the shipped traces on 4 threads, 30% of the frees made by another thread, with
// every check of the trace driver.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENOMEM, Process, hex, type ProcessOptions } from '../../machine/index.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { REGION, regionBase } from '../../solutions/05-zones/region.ts';
import { COUNTERS } from '../../solutions/05-zones/statistics.ts';
import type { MagazineSet } from '../../solutions/06-magazines/choose.ts';
import { lock, unlock } from '../../solutions/06-magazines/lock.ts';
import { ROOT } from '../../workbook/paths.ts';
import { TARGET_VARIABLE, loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { formatFailure, replayCommand } from '../../workbook/trace/report.ts';
import { DEPOT, checkMagazineHeap, describeSet, expectCorruption, expectSound, guardRacks, inboxOf, lockWords, namingDeadlocks, onThreads, regionHeader, regionsOf, threadsOf, withFramesOf } from './magazine-testing.ts';

const { createAllocator } = await loadExercise<typeof import('./magazines.ts')>('06-magazines/magazines.ts');

const MiB = 1024 * 1024;
const TINY_BLOCK = 1008; // the largest tiny block: 63 quanta, 1,023 to a region

function setUp(options: Parameters<typeof createAllocator>[1] = {}, processOptions: ProcessOptions = {}) {
  const proc = new Process(processOptions);
  const heap = createAllocator(proc, options);
  guardRacks(proc, heap);
  const sound = (after: string) => expectSound(proc, heap, after);
  const named = namingDeadlocks(proc, heap);
  /** Runs `fn` as thread `tid`; a Deadlock at one of the heap's locks says which lock, and who holds it. */
  function on<T>(tid: number, fn: () => T): T {
    try {
      return proc.runOn(tid, fn);
    } catch (error) {
      throw named(error);
    }
  }
  /** malloc(size) on thread `tid`, checked: not NULL, aligned, the heap sound after it. */
  function malloc(tid: number, size: number, check = true): number {
    const ptr = on(tid, () => heap.malloc(size));
    expect(ptr, `malloc(${size}) on thread ${tid} returned NULL`).not.toBe(0);
    expect(ptr % 16, `malloc(${size}) on thread ${tid} = ${hex(ptr)} is not 16-byte aligned`).toBe(0);
    if (check) sound(`malloc(${size}) = ${hex(ptr)} on thread ${tid}`);
    return ptr;
  }
  function free(tid: number, ptr: number, check = true): void {
    on(tid, () => heap.free(ptr));
    if (check) sound(`free(${hex(ptr)}) on thread ${tid}`);
  }
  const setOf = (ptr: number): MagazineSet => (heap.small.racks[DEPOT].regionOf(ptr) !== 0 ? heap.small : heap.tiny);
  const regionOf = (ptr: number) => regionBase(setOf(ptr).kind, ptr); // the address of the region's fields
  const ownerOf = (ptr: number) => proc.load32(regionOf(ptr) + REGION.owner);
  /** Acquisitions of every lock, by name, that changed since `before`. */
  const counts = () => Object.fromEntries(heap.locks().map((l) => [l.name, l.acquisitions]));
  function taken(before: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(counts()).filter(([name, n]) => n !== before[name]).map(([name, n]) => [name, n - before[name]]));
  }
  const deathRow = (set: MagazineSet, m: number) => hex(proc.load32(set.racks[m].base + RACK.lastFree));
  return { proc, heap, sound, on, malloc, free, setOf, regionOf, ownerOf, counts, taken, deathRow };
}

function expectIntact(proc: Process, ptr: number, size: number, seed: number, what: string) {
  const damage = findPatternDamage(proc, ptr, size, seed);
  if (damage !== undefined) expect.fail(`${what}: the byte at ${hex(damage)} (offset ${damage - ptr}) is not what was there:\n${around(proc, damage, 1)}`);
}

describe('malloc and free in a magazine per thread', () => {
  it('threads 0 to 3 allocate from magazines 1 to 4: four regions, each naming its magazine; thread 4 shares magazine 1', () => {
    const { proc, heap, malloc, regionOf, ownerOf } = setUp();
    const blocks = [0, 1, 2, 3, 4].map((t) => malloc(t, 100));
    blocks.forEach((p, t) => {
      expect(heap.magazineOf(t), `heap.magazineOf(${t})`).toBe(1 + (t % 4));
      expect(ownerOf(p), `malloc(100) on thread ${t} = ${hex(p)}: the owner field of its region ${hex(regionOf(p))} (magic, next, prev, usedQuanta, tail, owner):\n${regionHeader(proc, regionOf(p))}`).toBe(1 + (t % 4));
    });
    expect(new Set(blocks.slice(0, 4).map(regionOf)).size, `the regions of threads 0 to 3: one each\n${describeSet(proc, heap.tiny)}`).toBe(4);
    expect(hex(regionOf(blocks[4])), "thread 4's block: in magazine 1's region, beside thread 0's").toBe(hex(regionOf(blocks[0])));
  });

  it("takes only the lock of the thread's magazine in the block's scale, or the large lock, and lets it go", () => {
    const { proc, heap, malloc, free, counts, taken } = setUp();
    let before = counts();
    malloc(2, 100);
    expect(taken(before), "the locks the first malloc(100) on thread 2 took: magazine 3's has no region yet, so it asked the depot's (refill) before mapping one").toEqual({ 'tiny magazine 3': 1, 'tiny depot': 1 });
    before = counts();
    const t = malloc(2, 100);
    expect(taken(before), 'the locks the next malloc(100) on thread 2 took, with how many acquisitions').toEqual({ 'tiny magazine 3': 1 });
    malloc(2, 5000);
    before = counts();
    const s = malloc(2, 5000);
    expect(taken(before), 'the locks a second malloc(5000) on thread 2 took').toEqual({ 'small magazine 3': 1 });
    before = counts();
    const l = malloc(2, 100_000);
    expect(taken(before), 'the locks malloc(100000) on thread 2 took').toEqual({ large: 1 });
    before = counts();
    for (const p of [t, s, l]) free(2, p);
    expect(taken(before), 'the locks the frees of the three blocks on thread 2 took').toEqual({ 'tiny magazine 3': 1, 'small magazine 3': 1, large: 1 });
    for (const l of heap.locks()) expect(lockWords(proc, l.address), `${l.name}'s lock at ${hex(l.address)}: free again`).toMatchObject({ state: 0, holder: 0 });
  });

  it('keeps a death row and free lists per magazine: a block freed on one thread is not reused by another', () => {
    const { heap, malloc, free, regionOf, deathRow } = setUp();
    const p = malloc(0, 100);
    malloc(0, 100);
    free(0, p);
    expect(deathRow(heap.tiny, 1), "magazine 1's death row after thread 0 freed its block").toBe(hex(p));
    const other = malloc(1, 100);
    expect(hex(regionOf(other)) === hex(regionOf(p)), `malloc(100) on thread 1 = ${hex(other)}: thread 1 allocates from magazine 2, never from magazine 1's death row or regions`).toBe(false);
    expect(deathRow(heap.tiny, 1), "magazine 1's death row after thread 1's malloc").toBe(hex(p));
    expect(hex(malloc(0, 100)), "malloc(100) on thread 0 again: magazine 1's death row gives its block back").toBe(hex(p));
  });

  it('returns NULL with ENOMEM when no region can be mapped, and lets the lock go', () => {
    const { proc, heap, on, counts } = setUp({}, { mmapLimit: 64 * 1024 });
    const p = on(1, () => heap.malloc(100));
    expect(p, 'malloc(100) with 64 KiB of mmap, less than a tiny region').toBe(0);
    expect(proc.errno, 'errno').toBe(ENOMEM);
    for (const l of heap.locks()) expect(lockWords(proc, l.address).state, `${l.name}'s lock after the malloc that failed`).toBe(0);
    expect(counts()['tiny magazine 2'], "tiny magazine 2's lock was taken for it").toBe(1);
    expect(on(1, () => heap.malloc(2 ** 32)), 'malloc(2^32)').toBe(0);
    expect(() => heap.malloc(-1), 'malloc(-1)').toThrow(TypeError);
  });

  it('refuses bad pointers and double frees as chapter 5 did, and lets the lock go each time', () => {
    const { proc, heap, on, malloc, free, regionOf } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    free(1, p);
    expectCorruption(() => on(1, () => heap.free(p)), `free(${hex(p)}) twice`, ['double free', hex(p)]);
    expectCorruption(() => on(3, () => heap.free(p + 16)), `free(${hex(p + 16)}), inside a block`, ['invalid pointer', hex(regionOf(p))]);
    expectCorruption(() => on(3, () => heap.free(0x12345670)), 'free(0x12345670), in nothing', ['invalid pointer']);
    expectCorruption(() => on(3, () => heap.usableSize(0x12345670)), 'usableSize(0x12345670)', ['invalid pointer']);
    for (const l of heap.locks()) expect(lockWords(proc, l.address).state, `${l.name}'s lock after the frees that were refused`).toBe(0);
    free(0, 0);
    malloc(1, 100);
  });

  it("refuses a realloc of a pointer that is no live block, and lets the owner's lock go, so the next call works", () => {
    const { proc, heap, on, malloc, free } = setUp();
    const p = malloc(1, 100);
    const q = malloc(1, 100);
    malloc(1, 100);
    free(1, q);
    const lockAt = heap.tiny.locks[2];
    const stillHeld = (after: string) => {
      const words = lockWords(proc, lockAt);
      expect(words, `tiny magazine 2's lock at ${hex(lockAt)} after ${after} threw: ${words.state === 0 ? 'free' : `still held by thread ${words.holder - 1}`}. realloc looks at the block with its owner's lock held (withBlock); the lock must be let go however that ends, or the next call on magazine 2 waits for ever\n${proc.hexdump(lockAt, 16)}`).toMatchObject({ state: 0, holder: 0 });
    };
    expectCorruption(() => on(3, () => heap.realloc(p + 16, 200)), `realloc(${hex(p + 16)}, 200) on thread 3, inside a block`, ['invalid pointer', hex(p + 16)]);
    stillHeld(`realloc(${hex(p + 16)}, 200)`);
    expectCorruption(() => on(3, () => heap.realloc(q, 200)), `realloc(${hex(q)}, 200) on thread 3, of a block freed already`, ['double free', hex(q)]);
    stillHeld(`realloc(${hex(q)}, 200)`);
    expectCorruption(() => on(3, () => heap.realloc(0x12345670, 200)), 'realloc(0x12345670, 200), in nothing', ['invalid pointer']);
    for (const l of heap.locks()) expect(lockWords(proc, l.address).state, `${l.name}'s lock after the reallocs that were refused`).toBe(0);
    expect(hex(on(3, () => heap.realloc(p, 50))), `realloc(${hex(p)}, 50) on thread 3 after that: in place, under magazine 2's lock`).toBe(hex(p));
  });

  it("lets its magazine's lock go when the rack's malloc throws (a free list written through after free faults), so the thread's next malloc works", () => {
    const { proc, heap, on, malloc, free } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100); // between p and x: p stays a block of its own when freed
    const x = malloc(1, 200);
    malloc(1, 100); // after x: x does not go back to the tail
    free(1, p);
    free(1, x); // p leaves death row for magazine 2's free list of 7 quanta
    const wild = 0x00000ff0;
    proc.store32(p, wild); // the program writes into p after freeing it, over the list's next link
    const lockAt = heap.tiny.locks[2];
    let error: unknown;
    try {
      on(1, () => heap.malloc(100)); // takes p off that list, and follows the link to write there
    } catch (e) {
      error = e;
    }
    expect(error instanceof Error ? error.name : String(error), `malloc(100) on thread 1, which takes ${hex(p)} off a free list whose link the program overwrote with ${hex(wild)}: the rack's malloc faults writing through it`).toBe('SegmentationFault');
    const words = lockWords(proc, lockAt);
    expect(
      words,
      `tiny magazine 2's lock at ${hex(lockAt)} after malloc(100) on thread 1 threw: ${words.state === 0 ? 'free' : `still held by thread ${words.holder - 1}`}, so the next call on magazine 2 would wait for it for ever. malloc must let the magazine's lock go however the rack's malloc ends: lock, then try { return rack.malloc(…) } finally { release(…) }\n${proc.hexdump(lockAt, 16)}`,
    ).toMatchObject({ state: 0, holder: 0 });
    const q = on(1, () => heap.malloc(600)); // a Deadlock here, named: magazine 2's lock was never let go
    expect(q, "thread 1's next malloc(600), of a size whose lists the wild link does not touch").not.toBe(0);
  });
});

describe('frees from any thread', () => {
  it("a block malloc'd on thread 1 and freed on thread 2 goes back to magazine 2, under magazine 2's lock", () => {
    const { proc, heap, malloc, free, counts, taken, deathRow } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    malloc(2, 100);
    const before = counts();
    free(2, p);
    expect(taken(before), `the locks thread 2's free(${hex(p)}) took: the lock of the magazine that owns the block, not its own (magazine 3)`).toEqual({ 'tiny magazine 2': 1 });
    expect(deathRow(heap.tiny, 2), `magazine 2's death row\n${describeSet(proc, heap.tiny)}`).toBe(hex(p));
    expect(deathRow(heap.tiny, 3), "magazine 3's death row: thread 2's own magazine keeps nothing of magazine 2's").toBe(hex(0));
    expect(hex(malloc(1, 100)), "thread 1's next malloc(100): the block thread 2 freed, from magazine 2's death row").toBe(hex(p));
  });

  it("leaves a block in the owner's inbox when the owner's lock is busy; the owner's next malloc frees it on the way out", () => {
    const { proc, heap, on, malloc, deathRow } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    proc.runOn(1, () => lock(proc, heap.tiny.locks[2])); // thread 1 is inside its magazine
    on(2, () => heap.free(p)); // a Deadlock here, named: thread 2 waited for magazine 2's lock
    expect(inboxOf(proc, heap.tiny, 2), `magazine 2's inbox after thread 2's free(${hex(p)}) found magazine 2's lock busy`).toEqual([hex(p)]);
    expect(heap.statistics('tiny').blocksInUse, 'tiny blocks in use: the block in the inbox still counts, until magazine 2 frees it').toBe(2);
    proc.runOn(1, () => unlock(proc, heap.tiny.locks[2]));
    const q = malloc(1, 100);
    expect(hex(q), `thread 1's malloc(100): not ${hex(p)}, which was still in the inbox when the rack's malloc ran`).not.toBe(hex(p));
    expect(inboxOf(proc, heap.tiny, 2), "magazine 2's inbox after thread 1's malloc: its malloc lets go with release, which empties the inbox").toEqual([]);
    expect(deathRow(heap.tiny, 2), "magazine 2's death row: the block from the inbox").toBe(hex(p));
    expect(hex(malloc(1, 100)), "thread 1's next malloc(100): that block").toBe(hex(p));
  });

  it("realloc from another thread stays in place under the owner's lock, or moves to the caller's magazine", () => {
    const { proc, heap, on, malloc, free, counts, taken, ownerOf, sound } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    fillPattern(proc, p, 100, 7);
    malloc(3, 5000); // thread 3's small magazine has a region: its next malloc takes no depot lock
    let before = counts();
    expect(hex(on(3, () => heap.realloc(p, 60))), 'realloc(p, 60) on thread 3: shrinks in place').toBe(hex(p));
    expect(taken(before), 'the locks it took').toEqual({ 'tiny magazine 2': 1 });
    sound(`realloc(${hex(p)}, 60) on thread 3`);
    before = counts();
    const q = on(3, () => heap.realloc(p, 5000));
    sound(`realloc(${hex(p)}, 5000) = ${hex(q)} on thread 3`);
    expect(ownerOf(q), `realloc(p, 5000) on thread 3 = ${hex(q)}: a small block of thread 3's magazine (4)`).toBe(4);
    expectIntact(proc, q, 60, 7, `realloc(${hex(p)}, 5000) = ${hex(q)}`);
    expect(taken(before), "the locks it took: magazine 2's to look at the block and to free it, small magazine 4's for the new one").toEqual({ 'tiny magazine 2': 2, 'small magazine 4': 1 });
    free(0, q);
  });

  it("realloc that must move, on the owner's own thread, never takes a lock it holds", () => {
    const { proc, heap, on, malloc, ownerOf, sound } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100); // p cannot grow in place
    fillPattern(proc, p, 100, 3);
    const q = on(1, () => heap.realloc(p, 500)); // a Deadlock here: malloc called with magazine 2's lock held
    sound(`realloc(${hex(p)}, 500) = ${hex(q)} on thread 1`);
    expect(q === p, `realloc(${hex(p)}, 500) on thread 1: the block could not grow, so it moves`).toBe(false);
    expect(ownerOf(q), 'the new block is in magazine 2').toBe(2);
    expectIntact(proc, q, 100, 3, `realloc(${hex(p)}, 500) = ${hex(q)}`);
    expect(on(2, () => heap.usableSize(q)), 'usableSize on thread 2 of the new block').toBe(512);
  });
});

describe('realloc at its edges', () => {
  it('realloc(p, 0) frees p and returns NULL; realloc(NULL, n) is malloc(n)', () => {
    const { heap, on, malloc, sound, deathRow } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    const blocks = heap.statistics().blocksInUse;
    expect(hex(on(3, () => heap.realloc(p, 0))), `realloc(${hex(p)}, 0) on thread 3: it frees the block and returns NULL, nothing new`).toBe(hex(0));
    sound(`realloc(${hex(p)}, 0) on thread 3`);
    expect(heap.statistics().blocksInUse, 'blocks in use after realloc(p, 0): one fewer').toBe(blocks - 1);
    expect(deathRow(heap.tiny, 2), "magazine 2's death row: p, freed home").toBe(hex(p));
    const q = on(2, () => heap.realloc(0, 100));
    expect(q, 'realloc(NULL, 100) on thread 2: a block, as malloc(100)').not.toBe(0);
    sound(`realloc(NULL, 100) = ${hex(q)} on thread 2`);
  });

  it('moves a block to the scale of its new size, tiny → small → large and back, keeping its bytes', () => {
    const { proc, heap, on, sound } = setUp();
    const scaleOf = (ptr: number) => (heap.tiny.racks[DEPOT].regionOf(ptr) !== 0 ? 'tiny' : heap.small.racks[DEPOT].regionOf(ptr) !== 0 ? 'small' : 'large');
    let p = on(1, () => heap.malloc(100));
    let size = 100;
    fillPattern(proc, p, size, 0);
    for (const [next, scale] of [
      [2000, 'small'],
      [50_000, 'large'],
      [3000, 'small'],
      [10, 'tiny'],
      [40_000, 'large'],
      [500, 'tiny'],
    ] as const) {
      const q = on(1, () => heap.realloc(p, next));
      const step = `realloc(${hex(p)}, ${next}) = ${hex(q)} on thread 1, from ${size} bytes (a ${scaleOf(p)} block)`;
      expect(q, `${step} returned NULL`).not.toBe(0);
      sound(step);
      expect(scaleOf(q), `${step}: the scale of the block it returned. A block stays where it is only when the new size keeps its scale (scaleOf(size, classes) is the scale of the region, or the large block, that holds it); otherwise it moves to a new block of the new size's scale, as in chapter 5`).toBe(scale);
      expectIntact(proc, q, Math.min(size, next), 0, step);
      expect(heap.statistics().blocksInUse, `${step}: the old block is freed`).toBe(1);
      fillPattern(proc, q, next, 0);
      [p, size] = [q, next];
    }
  });

  it('throws a TypeError for a size that is no size, and leaves the block as it was', () => {
    const { proc, heap, on, malloc, sound } = setUp();
    const p = malloc(1, 100);
    malloc(1, 100);
    fillPattern(proc, p, 100, 2);
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => on(3, () => heap.realloc(p, size)), `realloc(${hex(p)}, ${size}) on thread 3: a TypeError, as malloc(${size}) throws (requireSize), before anything is changed`).toThrow(TypeError);
      sound(`realloc(${hex(p)}, ${size})`);
    }
    expectIntact(proc, p, 100, 2, `${hex(p)} after the reallocs that were refused`);
    expect(on(1, () => heap.usableSize(p)), `usableSize(${hex(p)}): still a live block of 112 bytes`).toBe(112);
    expect(heap.statistics().blocksInUse, 'blocks in use').toBe(2);
  });

  it('keeps a block in place when it already holds the new size, even with a block in use right after it', () => {
    const { proc, heap, on, malloc, sound } = setUp();
    const p = malloc(1, 100); // 7 quanta: 112 bytes
    const n = malloc(1, 100); // right after p, in use: p cannot grow
    fillPattern(proc, p, 112, 9);
    for (const size of [112, 100, 97]) {
      const q = on(3, () => heap.realloc(p, size));
      sound(`realloc(${hex(p)}, ${size}) = ${hex(q)} on thread 3`);
      expect(hex(q), `realloc(${hex(p)}, ${size}) on thread 3, of a block of 112 bytes followed by ${hex(n)}, in use: ${size} bytes need 7 quanta, what the block holds already, so it stays where it is (the shrink path takes msize * quantum <= usable bytes, equal included); only a block that must grow and cannot moves`).toBe(hex(p));
    }
    expectIntact(proc, p, 97, 9, `${hex(p)} after the reallocs to the size it holds`);
    expect(on(1, () => heap.usableSize(p)), `usableSize(${hex(p)})`).toBe(112);
  });

  it('keeps a large block in place when its pages still hold the new size', () => {
    const { proc, heap, on, sound } = setUp();
    const big = on(2, () => heap.malloc(100_000)); // 25 pages
    fillPattern(proc, big, 50_000, 4);
    const maps = proc.stats().syscalls.mmap;
    const q = on(3, () => heap.realloc(big, 50_000));
    sound(`realloc(${hex(big)}, 50000) = ${hex(q)} on thread 3`);
    expect(hex(q), `realloc(${hex(big)}, 50000) on thread 3, of a large block of 25 pages: 50,000 bytes are large too, and 13 pages hold them, so the block stays where it is and gives back the pages beyond (shrinkLarge), with no new mapping and no copy`).toBe(hex(big));
    expect(proc.stats().syscalls.mmap - maps, `mmap calls of realloc(${hex(big)}, 50000)`).toBe(0);
    expectIntact(proc, big, 50_000, 4, `realloc(${hex(big)}, 50000)`);
    expect(on(3, () => heap.usableSize(big)), `usableSize(${hex(big)}) after it shrank: 13 pages`).toBe(13 * 4096);
  });

  it('returns NULL and leaves the block as it was when it cannot move it', () => {
    const { proc, heap, on, malloc, sound } = setUp({}, { mmapLimit: 4 * MiB });
    const p = malloc(1, 100);
    fillPattern(proc, p, 100, 5);
    expect(on(1, () => heap.realloc(p, 16 * MiB)), `realloc(${hex(p)}, 16 MiB) on thread 1, under a 4 MiB mmap limit`).toBe(0);
    expect(proc.errno, 'errno after the realloc that failed').toBe(ENOMEM);
    sound(`realloc(${hex(p)}, 16 MiB) failed`);
    expect(heap.statistics().blocksInUse, `blocks in use after realloc(${hex(p)}, 16 MiB) failed: still 1. When the malloc of the new block returns NULL, realloc returns NULL and leaves the old block alone: the program still holds it, and freeing it would leave the program a pointer to freed memory`).toBe(1);
    expectIntact(proc, p, 100, 5, `${hex(p)} after a realloc that failed`);
    expect(on(1, () => heap.usableSize(p)), `usableSize(${hex(p)}): still a live block of 112 bytes`).toBe(112);
  });
});

describe('the depot, end to end', () => {
  /**
   * Threads `tids` each fill 3 tiny regions (3 × 1,023 blocks of 1,008 bytes); then each frees
   * 60% of its first region and, block by block, its second until that region goes to the
   * depot. The frees are made by the four threads in turn. Returns each thread's regions, its
   * blocks, and those still live in the region that went to the depot.
   */
  function spill(t: ReturnType<typeof setUp>, tids: number[]) {
    const { proc, regionOf } = t;
    const all = tids.map((tid) => {
      const blocks = Array.from({ length: 3 * 1023 }, () => t.malloc(tid, TINY_BLOCK, false));
      blocks.forEach((p) => fillPattern(proc, p, 16, p >>> 4));
      const regions = [...new Set(blocks.map(regionOf))];
      expect(regions.length, `the regions of 3,069 blocks of ${TINY_BLOCK} bytes on thread ${tid}`).toBe(3);
      return { tid, blocks, regions };
    });
    t.sound('3,069 mallocs on each thread');
    let next = 0;
    return all.map(({ tid, blocks, regions }) => {
      const [first, second] = regions;
      blocks.filter((p) => regionOf(p) === first).slice(0, 614).forEach((p) => t.free(next++ % 4, p, false));
      expect(proc.load32(first + REGION.owner), `thread ${tid}'s first region ${hex(first)} after 614 of its 1,023 blocks were freed: its magazine still uses 2.4 of 3 MiB, so it stays`).toBe(t.heap.magazineOf(tid));
      const inSecond = blocks.filter((p) => regionOf(p) === second);
      let freed = 0;
      while (proc.load32(second + REGION.owner) !== DEPOT && freed < inSecond.length) t.free(next++ % 4, inSecond[freed++], false);
      expect(proc.load32(second + REGION.owner), `thread ${tid}'s second region ${hex(second)} after all but ${inSecond.length - freed} of its blocks were freed: its magazine frees more than 1.5 regions and uses less than 75% of what it holds, so the region should have gone to the depot (owner 0)\n${regionHeader(proc, second)}\n${describeSet(proc, t.heap.tiny)}`).toBe(DEPOT);
      t.sound(`thread ${tid}'s second region went to the depot`);
      return { tid, blocks, regions, leftInDepot: inSecond.slice(freed) };
    });
  }

  it('a magazine that frees enough gives a sparse region to the depot: its owner field becomes 0', () => {
    const t = setUp();
    const [{ regions, leftInDepot: left }] = spill(t, [0]);
    const second = regions[1];
    expect(regionsOf(t.proc, t.heap.tiny.racks[DEPOT]).map((p) => hex(p)), "the depot's regions").toEqual([hex(second)]);
    expect(regionsOf(t.proc, t.heap.tiny.racks[1]).length, "magazine 1's regions: the other two").toBe(2);
    for (const p of left) expectIntact(t.proc, p, 16, p >>> 4, `a live block of the region that went to the depot`);
    const before = t.counts();
    t.free(2, left[0]);
    expect(t.taken(before), `the locks free(${hex(left[0])}) took: the region is the depot's now`).toEqual({ 'tiny depot': 1 });
  });

  it('a magazine that runs out takes a depot region before asking the kernel', () => {
    const t = setUp();
    const second = spill(t, [0])[0].regions[1];
    const mmaps = t.proc.stats().syscalls.mmap;
    const p = t.malloc(1, TINY_BLOCK);
    expect(t.proc.stats().syscalls.mmap - mmaps, `mmap calls of thread 1's first malloc, with a region in the depot\n${describeSet(t.proc, t.heap.tiny)}`).toBe(0);
    expect(hex(t.regionOf(p)), `thread 1's block ${hex(p)}: in the depot's region`).toBe(hex(second));
    expect(t.ownerOf(p), `the owner field of ${hex(second)}: magazine 2's now`).toBe(2);
  });

  it('the depot keeps 2 empty regions mapped; a third goes back to the kernel', () => {
    const t = setUp();
    const all = spill(t, [0, 1, 2]);
    const depotRegions = all.map(({ regions }) => regions[1]);
    expect(regionsOf(t.proc, t.heap.tiny.racks[DEPOT]).map((p) => hex(p)).sort(), "the depot's regions: one from each thread").toEqual(depotRegions.map((p) => hex(p)).sort());
    const munmaps = t.proc.stats().syscalls.munmap;
    let tid = 0;
    for (const { leftInDepot } of all) for (const p of leftInDepot) t.free(tid++ % 4, p, false);
    t.sound("the depot's regions were emptied");
    expect(t.proc.stats().syscalls.munmap - munmaps, `munmap calls while the depot's three regions were emptied: the first to empty goes back, the other two stay for the next magazine that runs out\n${describeSet(t.proc, t.heap.tiny)}`).toBe(1);
    const kept = regionsOf(t.proc, t.heap.tiny.racks[DEPOT]);
    expect(kept.length, "the depot's regions").toBe(2);
    for (const region of kept) expect(t.proc.load32(region + REGION.usedQuanta), `region ${hex(region)}: empty, and kept`).toBe(0);
  });

  it('a magazine keeps its last region when it empties it: the next malloc costs no mmap', () => {
    const { proc, malloc, free } = setUp();
    const p = malloc(0, 100);
    const [maps, unmaps] = [proc.stats().syscalls.mmap, proc.stats().syscalls.munmap];
    free(0, p);
    malloc(0, 100);
    expect({ mmap: proc.stats().syscalls.mmap - maps, munmap: proc.stats().syscalls.munmap - unmaps }, 'syscalls of free and malloc again').toEqual({ mmap: 0, munmap: 0 });
  });
});

describe('statistics, check, and a second allocator', () => {
  it('statistics sum every magazine, per scale and in all', () => {
    const { heap, malloc, free } = setUp();
    for (let t = 0; t < 4; t++) malloc(t, 100);
    const s1 = malloc(1, 2000);
    malloc(3, 2000);
    malloc(2, 40_000);
    free(0, s1); // from another thread: counted in magazine 2
    expect(heap.statistics('tiny'), "statistics('tiny'): four blocks of 112 bytes in four magazines, a region each").toEqual({ blocksInUse: 4, sizeInUse: 448, maxSizeInUse: 448, sizeAllocated: 4 * MiB });
    expect(heap.statistics('small'), "statistics('small'): one block of 2,048 left, in two magazines (each magazine's own high-water mark, summed)").toEqual({ blocksInUse: 1, sizeInUse: 2048, maxSizeInUse: 4096, sizeAllocated: 16 * MiB });
    expect(heap.statistics('large'), "statistics('large')").toEqual({ blocksInUse: 1, sizeInUse: 40_960, maxSizeInUse: 40_960, sizeAllocated: 40_960 });
    expect(heap.statistics(), 'statistics(): the three scales').toEqual({ blocksInUse: 6, sizeInUse: 448 + 2048 + 40_960, maxSizeInUse: 448 + 4096 + 40_960, sizeAllocated: 20 * MiB + 40_960 });
  });

  it('statistics count the blocks of regions in the depot', () => {
    const t = setUp();
    const p = t.malloc(0, 100);
    t.malloc(0, 100);
    const region = t.regionOf(p);
    t.proc.runOn(0, () => {
      // Move magazine 1's region to the depot by hand, as recirculate would.
      lock(t.proc, t.heap.tiny.locks[1]);
      lock(t.proc, t.heap.tiny.locks[DEPOT]);
      t.heap.tiny.racks[1].takeRegion(region);
      t.heap.tiny.racks[DEPOT].giveRegion(region);
      unlock(t.proc, t.heap.tiny.locks[DEPOT]);
      unlock(t.proc, t.heap.tiny.locks[1]);
    });
    const counters = t.heap.tiny.racks[DEPOT].base + RACK.counters;
    expect(t.proc.load32(counters + COUNTERS.blocksInUse), "the depot's own counter").toBe(2);
    expect(t.heap.statistics('tiny'), "statistics('tiny') with both blocks in a depot region: the depot, racks[0] of each set, counts in the sums too").toMatchObject({ blocksInUse: 2, sizeInUse: 224, sizeAllocated: MiB });
  });

  it('check() names a region whose owner field disagrees with the list it is on', () => {
    const { proc, heap, malloc, regionOf } = setUp();
    malloc(0, 100);
    const p = malloc(1, 100);
    expect(heap.check(), 'check() of a sound heap').toBe('');
    const region = regionOf(p);
    proc.store32(region + REGION.owner, 3);
    const found = heap.check();
    for (const part of [hex(region), 'magazine 2', 'magazine 3']) expect(found.includes(part), `check() after magazine 2's region ${hex(region)} was made to name magazine 3:\n${found || "''"}\nIt should say ${part}`).toBe(true);
    expect(checkMagazineHeap(proc, heap), 'the reference check agrees').not.toBe('');
  });

  it('a second allocator on the same process (a worker attaching) finds the same magazines; another count is refused', () => {
    const { proc, heap, on, malloc, sound } = setUp();
    const p = malloc(1, 100);
    const again = createAllocator(proc);
    expect(again.tiny.locks.map((p) => hex(p)), "the second allocator's locks").toEqual(heap.tiny.locks.map((p) => hex(p)));
    on(2, () => again.free(p));
    sound(`free(${hex(p)}) through the second allocator`);
    expect(heap.statistics().blocksInUse, 'blocks in use, as the first allocator sees them').toBe(0);
    expect(() => createAllocator(proc, { magazines: 3 }), 'createAllocator(proc, { magazines: 3 }) on a process with 4').toThrow(TypeError);
    expect(() => createAllocator(new Process(), { magazines: 65 }), 'magazines: 65').toThrow(TypeError);
    expect(() => createAllocator(new Process(), { magazines: 0 }), 'magazines: 0').toThrow(TypeError);
  });
});

describe('the shipped traces on 4 threads, 30% of frees by another thread', () => {
  const folder = resolve(ROOT, 'traces');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.rep')).sort()) {
    it(`traces/${file} passes every check of the trace driver, and the heap is sound after it`, () => {
      const trace = readRep(resolve(folder, file), `traces/${file}`);
      const threads = threadsOf(trace, { threads: 4, crossFree: 0.3, seed: 6 });
      let last: { proc: Process; heap: ReturnType<typeof createAllocator> } | undefined;
      const spread = onThreads(trace, threads, (proc, options) => {
        const heap = createAllocator(proc, options);
        last = { proc, heap };
        return heap;
      });
      const result = replayChecked(trace, spread.create);
      if (result.failure !== undefined) {
        const target = process.env[TARGET_VARIABLE] ?? 'exercises';
        const { index, thread } = spread.last();
        const failedOn = index === result.failure.opIndex ? `\n\nOperation ${index} ran on thread ${thread} (magazine ${1 + (thread % 4)}); trace id n belongs to thread n mod 4, and about 30% of the frees are made by another thread.` : '';
        const problem = last === undefined ? '' : checkMagazineHeap(last.proc, last.heap);
        const checked = problem === '' ? '' : `\n\nThe reference checks of the heap as the failure left it:\n${problem}`;
        const error = new Error(`${formatFailure({ result, shrunk: undefined }, { allocator: 'magazines', target })}${failedOn}${checked}\n\n${replayCommand({ allocator: 'magazines', target: 'exercises' }, `traces/${file}`)} replays it on one thread, and shrinks a failure to the fewest operations.\nThe magazines run your chapter 5 rack and region kinds: if the frames below point into exercises/05-zones, look there first (npm run check -- 05).`);
        throw result.failure.errorName === undefined ? error : withFramesOf(error, spread.thrown());
      }
      const { proc, heap } = last!;
      const problem = checkMagazineHeap(proc, heap);
      expect(problem, `after the last operation of traces/${file}, the reference checks find:\n${problem}`).toBe('');
      const live = new Set<number>();
      for (const op of trace.ops) {
        if (op.kind === 'a' || (op.kind === 'r' && op.bytes > 0)) live.add(op.id);
        else live.delete(op.id);
      }
      expect(heap.statistics().blocksInUse, `statistics().blocksInUse after traces/${file}: the ${live.size} blocks the trace still holds, summed over every magazine, the depot and the large blocks`).toBe(live.size);
      for (const l of heap.locks()) expect(lockWords(proc, l.address).state, `${l.name}'s lock after the trace`).toBe(0);
    });
  }
});
