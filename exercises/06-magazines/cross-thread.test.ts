// Chapter 6, step 4: frees from other threads. The magazines here are the reference racks,
// laid out by the reference choose.ts; the test allocates from them directly, then frees with
// your freeToOwner on whichever thread it likes, and watches which lock is taken and which
// rack gets the block. Your freeToOwner calls your recirculate (step 3) after each free.
import { describe, expect, it, vi } from 'vitest';
import { Deadlock, Process, hex } from '../../machine/index.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { COUNTERS } from '../../solutions/05-zones/statistics.ts';
import { REGION, regionBase } from '../../solutions/05-zones/region.ts';
import type { MagazineSet } from '../../solutions/06-magazines/choose.ts';
import { INBOX } from '../../solutions/06-magazines/inbox.ts';
import { lock, unlock } from '../../solutions/06-magazines/lock.ts';
import { loadExercise } from '../../workbook/target.ts';
import { DEPOT, describeSet, expectCorruption, expectSound, guardInboxLoops, guardLockLoops, guardRacks, inboxOf, lockWords, referenceSets, regionHeader, regionsOf } from './magazine-testing.ts';

const { freeToOwner, lockOwner, release } = await loadExercise<typeof import('./cross-thread.ts')>('06-magazines/cross-thread.ts');

const MiB = 1024 * 1024;

function setUp() {
  const proc = new Process();
  const heap = referenceSets(proc, 4, () => false);
  guardInboxLoops(proc, heap);
  guardLockLoops(proc, heap);
  guardRacks(proc, heap, ['free']); // the test itself allocates from the racks, with no lock
  const { tiny, small } = heap;
  /** A block of `msize` quanta from rack m of `set`, as thread `tid` would get it. */
  function malloc(set: MagazineSet, m: number, msize = 4): number {
    const ptr = set.racks[m].malloc(msize);
    expect(ptr, `racks[${m}].malloc(${msize}) returned NULL`).not.toBe(0);
    return ptr;
  }
  const regionOf = (set: MagazineSet, ptr: number) => regionBase(set.kind, ptr); // the address of the region's fields
  const deathRow = (set: MagazineSet, m: number) => proc.load32(set.racks[m].base + RACK.lastFree);
  const acquisitions = (set: MagazineSet) => set.locks.map((at) => lockWords(proc, at).acquisitions);
  const states = (set: MagazineSet) => set.locks.map((at) => lockWords(proc, at).state);
  const free = (tid: number, ptr: number) => proc.runOn(tid, () => freeToOwner(proc, [tiny, small], ptr));
  const sound = (after: string) => expectSound(proc, heap, after);
  const inbox = (set: MagazineSet, m: number) => inboxOf(proc, set, m);
  return { proc, heap, tiny, small, malloc, regionOf, deathRow, acquisitions, states, free, inbox, sound };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
const describe_ = (error: unknown) => (error instanceof Error ? (error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`).split('\n')[0] : 'nothing');
/** `waited for the lock at …` for a Deadlock, `threw …` for anything else. */
const waitedOrThrew = (error: unknown) => (error instanceof Deadlock ? `waited for the lock at ${hex(error.address)}, which another thread holds (here, a Deadlock: nothing else runs while it waits)` : `threw ${describe_(error)}`);
const deadlockOf = (error: unknown) => (error instanceof Deadlock ? { thread: error.thread, address: hex(error.address) } : describe_(error));

/**
 * Magazine m holds p (in region A) and q (in region B, of 40,000 quanta each). Thread 0 holds
 * m's lock; `waiter` (on thread `tid`) waits for it. Meanwhile thread 0 gives region A to the
 * depot and lets go; the waiter takes m's lock, and just as it reads A's owner again, thread 8
 * (magazine 1) frees q: m's lock is busy, so q goes into m's inbox. The waiter must let m go
 * with release, which frees q, not with unlock, which would leave q there for nobody.
 */
function movedWhileWaiting(t: ReturnType<typeof setUp>, m: number, tid: number, waiter: (p: number) => void) {
  const { proc, tiny, malloc, regionOf } = t;
  const p = malloc(tiny, m, 40_000);
  const q = malloc(tiny, m, 40_000); // does not fit beside p: region B
  malloc(tiny, m, 1); // beside q, so that freeing q leaves region B in use
  const region = regionOf(tiny, p);
  expect(hex(regionOf(tiny, q)), 'q, in a region of its own').not.toBe(hex(region));
  proc.runOn(0, () => lock(proc, tiny.locks[m]));
  const wait = vi.spyOn(proc, 'wait32').mockImplementationOnce(() => {
    proc.runOn(0, () => {
      lock(proc, tiny.locks[DEPOT]);
      tiny.racks[m].takeRegion(region);
      tiny.racks[DEPOT].giveRegion(region);
      unlock(proc, tiny.locks[DEPOT]);
      unlock(proc, tiny.locks[m]);
    });
    return 'ok';
  });
  const load = proc.atomicLoad32.bind(proc);
  let pushed = false;
  const reads = vi.spyOn(proc, 'atomicLoad32').mockImplementation((address: number) => {
    if (!pushed && address === region + REGION.owner && proc.currentThread === tid && lockWords(proc, tiny.locks[m]).holder === tid + 1) {
      pushed = true;
      proc.runOn(8, () => freeToOwner(proc, [tiny], q));
    }
    return load(address);
  });
  try {
    proc.runOn(tid, () => waiter(p));
  } finally {
    wait.mockRestore();
    reads.mockRestore();
  }
  expect(
    pushed,
    `thread 8's free of q: made while thread ${tid} held magazine ${m}'s lock and read the owner of ${hex(region)} again. It never happened: after taking the lock, read REGION.owner again with proc.atomicLoad32 (another thread may change it; a plain load32 is not how this test sees the read)`,
  ).toBe(true);
  return { p, q, region };
}

describe('lockOwner', () => {
  it("takes the lock of the rack the region's header names, and returns its number", () => {
    const { proc, tiny, malloc, regionOf, acquisitions } = setUp();
    const region = regionOf(tiny, malloc(tiny, 3));
    const owner = proc.runOn(1, () => lockOwner(proc, tiny, region));
    expect(owner, `lockOwner of region ${hex(region)}, whose header names magazine 3:\n${regionHeader(proc, region)}`).toBe(3);
    expect(lockWords(proc, tiny.locks[3]), `magazine 3's lock at ${hex(tiny.locks[3])}: held by thread 1 (holder 2)`).toMatchObject({ state: 1, holder: 2 });
    expect(acquisitions(tiny), 'acquisitions of the depot and magazines 1 to 4: only magazine 3 was taken').toEqual([0, 0, 0, 1, 0]);
    proc.runOn(1, () => unlock(proc, tiny.locks[3]));
  });

  it('follows a region that moved to another rack while it waited for the lock', () => {
    const { proc, tiny, malloc, regionOf, states } = setUp();
    const region = regionOf(tiny, malloc(tiny, 3));
    proc.runOn(0, () => lock(proc, tiny.locks[3])); // thread 0 is working in magazine 3
    // Thread 1 finds magazine 3 locked and sleeps; meanwhile thread 0 moves the region to the
    // depot (under the depot's lock, as recirculate does) and lets magazine 3 go.
    const wait = vi.spyOn(proc, 'wait32').mockImplementationOnce(() => {
      proc.runOn(0, () => {
        lock(proc, tiny.locks[DEPOT]);
        tiny.racks[3].takeRegion(region);
        tiny.racks[DEPOT].giveRegion(region);
        unlock(proc, tiny.locks[DEPOT]);
        unlock(proc, tiny.locks[3]);
      });
      return 'ok';
    });
    const owner = proc.runOn(1, () => lockOwner(proc, tiny, region));
    wait.mockRestore();
    expect(owner, `lockOwner of region ${hex(region)}: it was magazine 3's when thread 1 read the header, the depot's once thread 1 had magazine 3's lock; the rack it returns must be the one that owns the region now\n${regionHeader(proc, region)}`).toBe(DEPOT);
    expect(states(tiny).slice(1), "the state words of magazines 1 to 4's locks: magazine 3's, taken while the region was still to move, let go again").toEqual([0, 0, 0, 0]);
    expect(lockWords(proc, tiny.locks[DEPOT]), "the depot's lock: thread 1 holds it (holder 2)").toMatchObject({ holder: 2 });
    expect(states(tiny)[DEPOT], "the depot lock's state word: held").not.toBe(0);
    proc.runOn(1, () => unlock(proc, tiny.locks[DEPOT]));
  });

  it('lets go of the rack it no longer needs with release: a block left in its inbox meanwhile is freed', () => {
    const t = setUp();
    const { proc, tiny, deathRow, inbox, states, sound } = t;
    let owner = -1;
    const { q, region } = movedWhileWaiting(t, 3, 1, (p) => (owner = lockOwner(proc, tiny, t.regionOf(tiny, p))));
    expect(owner, `lockOwner of ${hex(region)}, which moved to the depot while thread 1 waited`).toBe(DEPOT);
    expect(inbox(tiny, 3), `magazine 3's inbox: thread 8 left ${hex(q)} there while thread 1 held magazine 3's lock, only to find that ${hex(region)} had moved. Letting go of a lock with unlock leaves what came into the inbox meanwhile for nobody: let go with release, which frees it. (This test also runs your sendHome, for thread 8's free, and your release, further down cross-thread.ts: if their own tests fail, mend those first.)\n${describeSet(proc, tiny)}`).toEqual([]);
    // When q is not there, it went elsewhere: most often sendHome (thread 8's free) kept it on thread 8's own rack.
    expect(hex(deathRow(tiny, 3)), `magazine 3's death row: q (${hex(q)}), which thread 8 freed into magazine 3's inbox and thread 1's release then freed. Not there: did thread 8's free reach the inbox at all? sendHome must send a block of another magazine's region to that magazine, not free it on the caller's own rack (its own tests, under freeToOwner, say more)\n${describeSet(proc, tiny)}`).toBe(hex(q));
    expect(states(tiny).slice(1), "the magazines' locks: all free").toEqual([0, 0, 0, 0]);
    proc.runOn(1, () => unlock(proc, tiny.locks[DEPOT]));
    sound('lockOwner followed a region to the depot');
  });
});

describe('freeToOwner', () => {
  it('sends a block freed by another thread back to the magazine that owns its region, under that lock', () => {
    const { proc, tiny, malloc, deathRow, acquisitions, states, free, sound } = setUp();
    const p = malloc(tiny, 2); // thread 1's magazine
    malloc(tiny, 2); // a neighbour, so that the region stays in use and the free goes to death row
    expect(free(3, p), `freeToOwner(${hex(p)}) on thread 3: a tiny block`).toBe(true);
    expect(hex(deathRow(tiny, 2)), `magazine 2's death row after thread 3 freed ${hex(p)}, a block of magazine 2's region\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(hex(deathRow(tiny, 4)), "magazine 4's death row (thread 3's own magazine): the block is not its to keep").toBe(hex(0));
    expect(acquisitions(tiny), "acquisitions of the depot's and the magazines' locks: magazine 2's, once").toEqual([0, 0, 1, 0, 0]);
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound(`thread 3 freed ${hex(p)}, a block of magazine 2`);
  });

  it("waits for its own magazine's lock, held by another thread, as any lock is waited for", () => {
    const { proc, tiny, malloc, free } = setUp();
    const p = malloc(tiny, 2); // magazine 2 is thread 1's own
    malloc(tiny, 2);
    proc.runOn(0, () => lock(proc, tiny.locks[2])); // thread 0 is freeing into magazine 2
    const error = thrown(() => free(1, p));
    expect(deadlockOf(error), `thread 1 freeing ${hex(p)}, a block of its own magazine 2, while thread 0 holds magazine 2's lock at ${hex(tiny.locks[2])}: it must wait for that lock (here, a Deadlock at its state word), and threw ${describe_(error)}`).toEqual({ thread: 1, address: hex(tiny.locks[2]) });
  });

  it('follows a region that moved while it waited for the lock, and frees the block into its new owner', () => {
    const { proc, tiny, malloc, regionOf, deathRow, states, free, sound } = setUp();
    const p = malloc(tiny, 2); // magazine 2 is thread 1's own
    malloc(tiny, 2);
    const region = regionOf(tiny, p);
    proc.runOn(0, () => lock(proc, tiny.locks[2])); // thread 0 is working in magazine 2
    // Thread 1 waits for magazine 2's lock; meanwhile thread 0 gives the region to the depot and lets go.
    const wait = vi.spyOn(proc, 'wait32').mockImplementationOnce(() => {
      proc.runOn(0, () => {
        lock(proc, tiny.locks[DEPOT]);
        tiny.racks[2].takeRegion(region);
        tiny.racks[DEPOT].giveRegion(region);
        unlock(proc, tiny.locks[DEPOT]);
        unlock(proc, tiny.locks[2]);
      });
      return 'ok';
    });
    free(1, p);
    wait.mockRestore();
    expect(hex(deathRow(tiny, DEPOT)), `the depot's death row: region ${hex(region)} was magazine 2's when thread 1 read its header, and the depot's once thread 1 had magazine 2's lock. Read the owner again with the lock held; if it changed, release and follow it\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: the block is no longer its to free").toBe(hex(0));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound(`thread 1 freed ${hex(p)}, whose region moved to the depot while thread 1 waited`);
  });

  it('lets go of the rack that no longer owns the region with release: a block left in its inbox meanwhile is freed', () => {
    const t = setUp();
    const { proc, tiny, deathRow, inbox, states, sound } = t;
    const { p, q, region } = movedWhileWaiting(t, 2, 1, (p) => freeToOwner(proc, [tiny], p));
    expect({ owner: proc.load32(region + REGION.owner), usedQuanta: proc.load32(region + REGION.usedQuanta) }, `region ${hex(region)}, which moved to the depot while thread 1 waited to free ${hex(p)}, its only block: the depot's, and empty\n${regionHeader(proc, region)}`).toEqual({ owner: DEPOT, usedQuanta: 0 });
    expect(inbox(tiny, 2), `magazine 2's inbox: thread 8 left ${hex(q)} there while thread 1 held magazine 2's lock, only to find that ${hex(p)}'s region had moved. When the owner changed, sendHome must let go with release, not unlock: release frees what came into the inbox meanwhile. (This test also runs your release, further down cross-thread.ts: if its own tests fail, mend it first.)\n${describeSet(proc, tiny)}`).toEqual([]);
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: q").toBe(hex(q));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a free that followed its region to the depot');
  });

  it("knows the thread's own magazine for any thread id: 1 + (id mod 4), never counting the depot", () => {
    const { proc, tiny, malloc, free } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(0, () => lock(proc, tiny.locks[2]));
    const own = thrown(() => free(5, p));
    expect(deadlockOf(own), `thread 5 freeing ${hex(p)} while thread 0 holds magazine 2's lock: with 4 magazines (set.racks.length - 1: racks[0] is the depot), thread 5's own magazine is 1 + (5 mod 4) = 2, so it waits; it threw ${describe_(own)}`).toEqual({ thread: 5, address: hex(tiny.locks[2]) });
    const other = thrown(() => free(6, p));
    if (other !== undefined) expect.fail(`thread 6 freeing ${hex(p)} while thread 0 holds magazine 2's lock: thread 6's own magazine is 1 + (6 mod 4) = 3, so it must leave the block in magazine 2's inbox, not wait (is the count of magazines set.racks.length - 1?). It threw ${describe_(other)}`);
    expect(inboxOf(proc, tiny, 2), "magazine 2's inbox").toEqual([hex(p)]);
  });

  it("waits for the depot's lock, never leaving a block in the depot's inbox: nobody empties it", () => {
    const { proc, tiny, malloc, free, inbox } = setUp();
    const p = malloc(tiny, DEPOT);
    malloc(tiny, DEPOT);
    proc.runOn(0, () => lock(proc, tiny.locks[DEPOT])); // thread 0 is refilling a magazine
    const error = thrown(() => free(2, p));
    expect(inbox(tiny, DEPOT), `the depot's inbox after thread 2 freed ${hex(p)}, a block of the depot, while thread 0 held the depot's lock: refill and recirculate let the depot go with unlock, so nothing would ever free it`).toEqual([]);
    expect(deadlockOf(error), `thread 2 freeing ${hex(p)}, a depot block, while thread 0 holds the depot's lock at ${hex(tiny.locks[DEPOT])}: it must wait for it, as for its own magazine's (here, a Deadlock); it threw ${describe_(error)}`).toEqual({ thread: 2, address: hex(tiny.locks[DEPOT]) });
  });

  it("does not wait for another thread's busy magazine: the block waits in that magazine's inbox, in use", () => {
    const { proc, tiny, malloc, deathRow, free, inbox, sound } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2])); // thread 1 is in its magazine
    const error = thrown(() => free(3, p));
    if (error !== undefined) expect.fail(`thread 3 freeing ${hex(p)} while thread 1 holds magazine 2's lock must not wait for it: only its own magazine's lock and the depot's are waited for. tryLock another magazine's, and if it is busy, leave the block in its inbox. It threw ${describe_(error)}`);
    expect(inbox(tiny, 2), `magazine 2's inbox at ${hex(tiny.inboxes[2])}: the block thread 3 freed (pushInbox)`).toEqual([hex(p)]);
    expect(tiny.inboxes.map((at) => proc.load32(at + INBOX.pushed)), `how many blocks went through each inbox (INBOX.pushed) of the depot and magazines 1 to 4: one, magazine 2's. The block goes straight to the inbox of the magazine that owns its region, not through thread 3's own (magazine 4)`).toEqual([0, 0, 1, 0, 0]);
    expect(lockWords(proc, tiny.locks[2]), "magazine 2's lock: still thread 1's, and nobody waited for it").toMatchObject({ state: 1, waits: 0, holder: 2 });
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: the block is not free yet, only its magazine may free it").toBe(hex(0));
    proc.runOn(1, () => unlock(proc, tiny.locks[2])); // not release: the block stays in the inbox
    sound(`thread 3 left ${hex(p)} in magazine 2's inbox`);
  });

  it('tries the lock once more after leaving a block: if its holder let go in between, it frees the block itself', () => {
    const { proc, tiny, malloc, deathRow, free, inbox, states, sound } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    // Thread 3 finds magazine 2 busy; before its push lands, thread 1 lets go (and finds the inbox empty).
    const store32 = proc.store32.bind(proc);
    const pushing = vi.spyOn(proc, 'store32').mockImplementation((address: number, value: number) => {
      if (address === p && states(tiny)[2] !== 0) proc.runOn(1, () => unlock(proc, tiny.locks[2]));
      return store32(address, value);
    });
    free(3, p);
    pushing.mockRestore();
    expect(inbox(tiny, 2), `magazine 2's inbox: thread 1 let go of the lock between thread 3's tryLock and its push, so nobody holds the lock to free ${hex(p)}; thread 3's leave (given) tries the lock again after pushing, takes it and calls your release, which must free what the inbox holds`).toEqual([]);
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: the block, freed by thread 3's release").toBe(hex(p));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a push just after the holder let go');
  });

  it("lets the owner's lock go with release: a block another thread left in the inbox meanwhile is freed too", () => {
    const { proc, tiny, malloc, deathRow, free, inbox, states, sound } = setUp();
    const [p, q] = [malloc(tiny, 2), malloc(tiny, 2)];
    malloc(tiny, 2);
    // While thread 3 frees p inside magazine 2, thread 0 frees q: it finds the lock busy and leaves q in the inbox.
    const unlocking = vi.spyOn(proc, 'atomicSub32').mockImplementationOnce(function (this: Process, address: number, value: number) {
      unlocking.mockRestore();
      proc.runOn(0, () => freeToOwner(proc, [tiny], q));
      return proc.atomicSub32(address, value);
    });
    free(3, p);
    unlocking.mockRestore();
    expect(inbox(tiny, 2), `magazine 2's inbox after thread 3's free of ${hex(p)}: thread 0 left ${hex(q)} there while thread 3 still held the lock, as it was letting it go. sendHome must let a magazine's lock go with release, not unlock, and release must look at the inbox after its unlock, so that what waits there is freed`).toEqual([]);
    expect(hex(deathRow(tiny, 2)), `magazine 2's death row: ${hex(q)}, freed last\n${describeSet(proc, tiny)}`).toBe(hex(q));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a block left in the inbox during another thread\'s free');
  });

  it('frees into the depot a block whose region the depot holds, under the depot\'s lock', () => {
    const { proc, tiny, malloc, deathRow, acquisitions, free, sound } = setUp();
    const p = malloc(tiny, DEPOT);
    malloc(tiny, DEPOT);
    free(2, p);
    expect(hex(deathRow(tiny, DEPOT)), `the depot's death row after thread 2 freed ${hex(p)}, in a region of the depot\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(acquisitions(tiny), "acquisitions of the depot's and the magazines' locks").toEqual([1, 0, 0, 0, 0]);
    sound(`thread 2 freed ${hex(p)}, a block of the depot`);
  });

  it('finds the scale from the pointer: a small block goes to its small magazine', () => {
    const { proc, tiny, small, malloc, deathRow, acquisitions, free, sound } = setUp();
    const [t, s] = [malloc(tiny, 1), malloc(small, 4, 3)];
    malloc(tiny, 1);
    malloc(small, 4, 1);
    free(0, s);
    expect(hex(deathRow(small, 4)), `small magazine 4's death row after thread 0 freed ${hex(s)}\n${describeSet(proc, small)}`).toBe(hex(s));
    expect({ tiny: acquisitions(tiny), small: acquisitions(small) }, 'the locks taken: small magazine 4 only').toEqual({ tiny: [0, 0, 0, 0, 0], small: [0, 0, 0, 0, 1] });
    free(0, t);
    expect(hex(deathRow(tiny, 1)), 'tiny magazine 1\'s death row').toBe(hex(t));
    sound('frees of a tiny and a small block');
  });

  it('returns false, taking no lock, for a pointer in no region of either scale', () => {
    const { tiny, small, acquisitions, free } = setUp();
    expect(free(0, 0x12345670), 'freeToOwner(0x12345670), in no region: a large block, or no block at all (the allocator decides)').toBe(false);
    expect([...acquisitions(tiny), ...acquisitions(small)], 'locks taken').toEqual(Array(10).fill(0));
  });

  it("lets the owner's lock go when the free throws (a double free, a bad pointer), so the next free works", () => {
    const { proc, tiny, malloc, states, free, sound } = setUp();
    const [p, q] = [malloc(tiny, 2), malloc(tiny, 2)];
    malloc(tiny, 2);
    free(1, p);
    expectCorruption(() => free(3, p), `freeToOwner(${hex(p)}) again, on thread 3`, ['double free', hex(p)]);
    expect(states(tiny), `the state words of the locks after the double free threw: magazine 2's must be free again, or its next malloc or free waits for ever`).toEqual([0, 0, 0, 0, 0]);
    expectCorruption(() => free(3, q + 16), `freeToOwner(${hex(q + 16)}), inside a block`, ['invalid pointer']);
    expect(states(tiny), 'the state words after the bad pointer').toEqual([0, 0, 0, 0, 0]);
    free(3, q);
    expect(proc.load32(tiny.racks[2].base + RACK.lastFree), `magazine 2's death row after thread 3 freed ${hex(q)}`).toBe(q);
    sound('a double free and a bad pointer were refused');
  });

  it('calls recirculate after each free into a magazine: one that frees enough gives a sparse region to the depot', () => {
    const { proc, tiny, malloc, regionOf, free, sound } = setUp();
    const blocks = Array.from({ length: 3 * 64 }, () => malloc(tiny, 1, 1000)); // 3 regions of 64 blocks of 16,000 bytes
    const [oldest, middle] = [...new Set(blocks.map((b) => regionOf(tiny, b)))];
    const of = (region: number) => blocks.filter((b) => regionOf(tiny, b) === region);
    of(oldest).slice(0, 40).forEach((b, i) => free(i % 4, b));
    expect(proc.load32(oldest + REGION.owner), 'the oldest region after 40 of its blocks were freed: the magazine still uses 2,432,000 of 3 MiB, so it stays').toBe(1);
    of(middle).slice(0, 54).forEach((b, i) => free(i % 4, b));
    expect(proc.load32(middle + REGION.owner), `the middle region's owner after 54 of its blocks were freed too: 1,577,728 bytes of magazine 1's 3 MiB are free, more than 1.5 regions, so recirculate gives it to the depot\n${describeSet(proc, tiny)}`).toBe(DEPOT);
    expect(regionsOf(proc, tiny.racks[DEPOT]).map((p) => hex(p)), "the depot's regions").toEqual([hex(middle)]);
    const rest = of(middle)[60];
    free(2, rest);
    expect(hex(proc.load32(tiny.racks[DEPOT].base + RACK.lastFree)), `a block of the middle region, freed after the move: the depot's now`).toBe(hex(rest));
    expect(proc.stats().mappedBytes, 'mapped: the admin area and 3 regions').toBeLessThan(4 * MiB);
    sound('a region went to the depot');
  });
});

describe('release', () => {
  it('unlocks, then frees what the inbox holds', () => {
    const { proc, tiny, malloc, deathRow, free, inbox, states, sound } = setUp();
    const [p, q] = [malloc(tiny, 2), malloc(tiny, 2)];
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    free(3, p);
    free(0, q);
    expect(inbox(tiny, 2), "magazine 2's inbox: q, pushed last, on top of p").toEqual([hex(q), hex(p)]);
    proc.runOn(1, () => release(proc, tiny, 2));
    expect(inbox(tiny, 2), "magazine 2's inbox after thread 1's release(proc, tiny, 2): empty").toEqual([]);
    expect(hex(deathRow(tiny, 2)), `magazine 2's death row: the last block freed from the inbox (p, freed after q)\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    expect(proc.load32(tiny.racks[2].base + RACK.counters + COUNTERS.blocksInUse), "magazine 2's blocks in use: the third block only").toBe(1);
    sound('release emptied the inbox');
  });

  it('looks at the inbox after it unlocks: a block pushed while it was letting go is freed too', () => {
    const { proc, tiny, malloc, free, inbox, states, sound } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    // Thread 3 frees p just before thread 1's unlock lands: it finds the lock held and pushes.
    const unlocking = vi.spyOn(proc, 'atomicSub32').mockImplementationOnce(function (this: Process, address: number, value: number) {
      unlocking.mockRestore();
      proc.runOn(3, () => freeToOwner(proc, [tiny], p));
      return proc.atomicSub32(address, value);
    });
    proc.runOn(1, () => release(proc, tiny, 2));
    unlocking.mockRestore();
    expect(inbox(tiny, 2), `magazine 2's inbox after release: thread 3 pushed ${hex(p)} while the lock was still held; release must look at the inbox once the lock is free, take it back (tryLock) and free the block`).toEqual([]);
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a push during release');
  });

  it('goes on while blocks keep coming: one left in the inbox while it frees the others is freed too', () => {
    const { proc, tiny, malloc, deathRow, free, inbox, states, sound } = setUp();
    const [p, q] = [malloc(tiny, 2), malloc(tiny, 2)];
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    free(3, p); // left in the inbox
    // As thread 1's release frees p (holding the lock again), thread 0 frees q: it finds the lock held and leaves q in the inbox.
    const rackFree = tiny.racks[2].free;
    let pushed = false;
    tiny.racks[2].free = (region, quantum) => {
      rackFree(region, quantum);
      if (!pushed) {
        pushed = true;
        proc.runOn(0, () => freeToOwner(proc, [tiny], q));
      }
    };
    proc.runOn(1, () => release(proc, tiny, 2));
    tiny.racks[2].free = rackFree;
    expect(pushed, `thread 0's free of ${hex(q)} while release freed ${hex(p)}`).toBe(true);
    expect(inbox(tiny, 2), `magazine 2's inbox after release: thread 0 left ${hex(q)} there while release held the lock to free ${hex(p)}, and its own tryLock failed, so it counts on the holder. After emptying the inbox and unlocking, release must look again, as long as the inbox is not empty (a loop, not one look)`).toEqual([]);
    expect(hex(deathRow(tiny, 2)), `magazine 2's death row: ${hex(q)}, freed last`).toBe(hex(q));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a push while release emptied the inbox');
  });

  it("sends a block whose region moved meanwhile to the region's new owner", () => {
    const { proc, tiny, malloc, regionOf, deathRow, free, inbox, acquisitions, sound } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    const region = regionOf(tiny, p);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    free(3, p);
    // While p waits in the inbox, thread 1 (holding magazine 2) gives the region to the depot.
    proc.runOn(1, () => {
      lock(proc, tiny.locks[DEPOT]);
      tiny.racks[2].takeRegion(region);
      tiny.racks[DEPOT].giveRegion(region);
      unlock(proc, tiny.locks[DEPOT]);
    });
    const before = acquisitions(tiny)[DEPOT];
    proc.runOn(1, () => release(proc, tiny, 2));
    expect(inbox(tiny, 2), "magazine 2's inbox").toEqual([]);
    expect(hex(deathRow(tiny, DEPOT)), `the depot's death row: p's region is the depot's now, so the depot frees p, under its lock\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: not its block any more").toBe(hex(0));
    expect(acquisitions(tiny)[DEPOT] - before, "the depot's lock, taken by release").toBe(1);
    sound('a block in the inbox whose region moved to the depot');
  });

  it('takes the lock back only if it is free: a thread that took it meanwhile empties the inbox when it lets go', () => {
    const { proc, tiny, malloc, deathRow, free, inbox, states, sound } = setUp();
    const p = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    free(3, p); // left in the inbox
    // Thread 0 takes magazine 2's lock the moment thread 1's unlock lands, before thread 1 looks at the inbox.
    const unlocking = vi.spyOn(proc, 'atomicSub32').mockImplementationOnce((address: number, value: number) => {
      unlocking.mockRestore();
      const was = proc.atomicSub32(address, value);
      proc.runOn(0, () => lock(proc, tiny.locks[2]));
      return was;
    });
    const error = thrown(() => proc.runOn(1, () => release(proc, tiny, 2)));
    unlocking.mockRestore();
    if (error !== undefined) {
      throw new Error(`thread 1's release of magazine 2, with ${hex(p)} in its inbox, ${waitedOrThrew(error)}: thread 0 took magazine 2's lock the moment thread 1 let it go. release takes the lock back only with tryLock; if another thread holds it, that thread looks at the inbox when it lets go. Waiting for it (lock) is what the inbox is there to avoid, and the caller of release may hold another magazine's lock meanwhile`);
    }
    expect(inbox(tiny, 2), `magazine 2's inbox after thread 1's release: ${hex(p)} is left for thread 0, which holds the lock now`).toEqual([hex(p)]);
    expect(lockWords(proc, tiny.locks[2]), "magazine 2's lock: thread 0's (holder 1)").toMatchObject({ state: 1, holder: 1 });
    proc.runOn(0, () => release(proc, tiny, 2));
    expect(inbox(tiny, 2), "magazine 2's inbox after thread 0's release").toEqual([]);
    expect(hex(deathRow(tiny, 2)), "magazine 2's death row: the block from the inbox").toBe(hex(p));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound('a release that found the lock taken by another thread');
  });

  it("emptying the inbox, never waits for another magazine, not even the thread's own: a block whose region moved there waits in that inbox", () => {
    const { proc, tiny, malloc, regionOf, deathRow, free, inbox, states, sound } = setUp();
    const p = malloc(tiny, 3);
    malloc(tiny, 3);
    const region = regionOf(tiny, p);
    proc.runOn(1, () => lock(proc, tiny.locks[3])); // thread 1, whose own magazine is 2, works in magazine 3 (a realloc of one of its blocks, say)
    free(0, p); // magazine 3 is busy: p waits in its inbox
    // Meanwhile the region goes from magazine 3 to the depot, and on to magazine 2, whose lock thread 5 holds.
    proc.runOn(1, () => {
      lock(proc, tiny.locks[DEPOT]);
      tiny.racks[3].takeRegion(region);
      tiny.racks[DEPOT].giveRegion(region);
      unlock(proc, tiny.locks[DEPOT]);
    });
    proc.runOn(5, () => {
      lock(proc, tiny.locks[2]);
      lock(proc, tiny.locks[DEPOT]);
      tiny.racks[DEPOT].takeRegion(region);
      tiny.racks[2].giveRegion(region);
      unlock(proc, tiny.locks[DEPOT]);
    });
    const error = thrown(() => proc.runOn(1, () => release(proc, tiny, 3)));
    if (error !== undefined) {
      throw new Error(`thread 1's release of magazine 3 ${waitedOrThrew(error)}. Emptying magazine 3's inbox (holding its lock), it found ${hex(p)}, whose region ${hex(region)} had moved to magazine 2: thread 1's own magazine, whose lock thread 5 holds. A thread that already holds a magazine's lock must not wait for another's, even its own: sendHome's "mine" is only for a caller that holds no lock (held === NONE); otherwise tryLock, and leave the block in the inbox of a magazine that is busy\n${describeSet(proc, tiny)}`);
    }
    expect(inbox(tiny, 3), "magazine 3's inbox after thread 1's release").toEqual([]);
    expect(inbox(tiny, 2), `magazine 2's inbox: ${hex(p)}, sent on to the region's new owner, busy, for thread 5 to free`).toEqual([hex(p)]);
    expect(states(tiny), "the state words: only magazine 2's lock is held, by thread 5").toEqual([0, 0, 1, 0, 0]);
    proc.runOn(5, () => release(proc, tiny, 2));
    expect(hex(deathRow(tiny, 2)), `magazine 2's death row after thread 5's release\n${describeSet(proc, tiny)}`).toBe(hex(p));
    expect(states(tiny), 'every lock is free again').toEqual([0, 0, 0, 0, 0]);
    sound(`a block whose region moved to the releasing thread's own, busy magazine`);
  });

  it('refuses a bad pointer left in the inbox when it empties it, and lets the lock go', () => {
    const { proc, tiny, malloc, free, states } = setUp();
    const q = malloc(tiny, 2);
    malloc(tiny, 2);
    proc.runOn(1, () => lock(proc, tiny.locks[2]));
    free(3, q + 16); // inside a block: nobody can tell without magazine 2's lock
    expectCorruption(() => proc.runOn(1, () => release(proc, tiny, 2)), `release of magazine 2, whose inbox holds ${hex(q + 16)}, inside a block`, ['invalid pointer', hex(q + 16), 'inbox']);
    expect(states(tiny), "the state words after release threw: magazine 2's lock must be free").toEqual([0, 0, 0, 0, 0]);
  });
});
