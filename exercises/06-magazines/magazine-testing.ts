// Helpers for the tests of chapter 6, shared by its test files: not an exercise, nothing to
// edit. They read your magazines with the reference checkers (those of check.ts, given in
// exercises/05-zones/, and checkOwners in solutions/06-magazines/choose.ts), never with your
// own functions, so a bug in those cannot hide itself; and they play a trace's operations out
// on logical threads.

import { Deadlock, hex, type Allocator, type CreateAllocator, type Process } from '../../machine/index.ts';
import { SMALL_READER, TINY_READER, checkOneRack, checkZone } from '../../solutions/05-zones/check.ts';
import { LARGE_BYTES } from '../../solutions/05-zones/large.ts';
import { RACK, type Rack } from '../../solutions/05-zones/rack.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { DEPOT, adminMapping, checkOwners, createMagazineSet, setBytes, type DepotPolicy, type MagazineSet } from '../../solutions/06-magazines/choose.ts';
import { INBOX, checkInbox } from '../../solutions/06-magazines/inbox.ts';
import { LOCK } from '../../solutions/06-magazines/lock.ts';
import { mulberry32 } from '../../workbook/trace/prng.ts';
import { replaceMethod } from '../../workbook/testing.ts';
import type { Trace, TraceOp } from '../../workbook/trace/rep.ts';

/** `1 quantum`, `3 quanta`: a count of quanta as a message says it. */
const quanta = (count: number) => `${count} ${count === 1 ? 'quantum' : 'quanta'}`;

export { DEPOT, SMALL_READER, TINY_READER };
export { expectCorruption } from '../05-zones/zone-testing.ts';

/** What the checks need of a magazine allocator, yours or the reference one. */
export interface MagazineHeap {
  readonly tiny: MagazineSet;
  readonly small: MagazineSet;
}

const place = (rack: Rack) => ({ base: rack.base, layout: rack.layout, regionMap: rack.regionMap, keepEmpty: rack.keepEmpty });

/** `tiny magazine 2`, `small depot`. */
export function rackName(set: MagazineSet, m: number): string {
  return `${set.kind.name} ${m === DEPOT ? 'depot' : `magazine ${m}`}`;
}

/**
 * The reference checks over every rack of both scales, the large blocks, and every region's
 * owner field: the first broken invariant, or ''.
 */
export function checkMagazineHeap(proc: Process, heap: MagazineHeap): string {
  const large = { base: proc.static('large_blocks', LARGE_BYTES) };
  const depot = checkZone(proc, { tiny: place(heap.tiny.racks[DEPOT]), small: place(heap.small.racks[DEPOT]), large });
  if (depot !== '') return `the depot (or the large blocks): ${depot}`;
  for (const set of [heap.tiny, heap.small]) {
    for (let m = 1; m < set.racks.length; m++) {
      const problem = checkOneRack(proc, place(set.racks[m]), set.reader);
      if (problem !== '') return `${rackName(set, m)}: ${problem}`;
    }
    const owners = checkOwners(proc, set);
    if (owners !== '') return owners;
    for (let m = 0; m < set.racks.length; m++) {
      const inbox = checkInbox(proc, set, m);
      if (inbox !== '') return inbox;
    }
  }
  return '';
}

/** Throws what the reference checks find, naming the step after which the heap broke. */
export function expectSound(proc: Process, heap: MagazineHeap, after: string): void {
  const problem = checkMagazineHeap(proc, heap);
  if (problem !== '') throw new Error(`After ${after}, the reference checks find a broken invariant:\n${problem}`);
}

/** The regions on rack m's list, first (newest) first. */
export function regionsOf(proc: Process, rack: { base: number }): number[] {
  const regions: number[] = [];
  for (let region = proc.load32(rack.base + RACK.regions); region !== 0 && regions.length < 10_000; region = proc.load32(region + REGION.next)) regions.push(region);
  return regions;
}

/** The blocks in rack m's inbox, pushed last first, in hex (cut short at 100: a loop). */
export function inboxOf(proc: Process, set: MagazineSet, m: number): string[] {
  const blocks: string[] = [];
  for (let block = proc.load32(set.inboxes[m] + INBOX.head); block !== 0 && blocks.length < 100; block = proc.load32(block)) blocks.push(hex(block));
  return blocks;
}

/** `tiny magazine 2: regions 0x01104060 (owner 2, 63 quanta in use); death row 0x01104090`, for a message. */
export function describeRack(proc: Process, set: MagazineSet, m: number): string {
  const rack = set.racks[m];
  const regions = regionsOf(proc, rack).map((r) => `${hex(r)} (owner ${proc.load32(r + REGION.owner)}, ${quanta(proc.load32(r + REGION.usedQuanta))} in use)`);
  const condemned = proc.load32(rack.base + RACK.lastFree);
  return `${rackName(set, m)}: ${regions.length === 0 ? 'no region' : `regions ${regions.join(', ')}`}; death row ${condemned === 0 ? 'empty' : hex(condemned)}`;
}

/** Every rack of a set, a line each. */
export function describeSet(proc: Process, set: MagazineSet): string {
  return set.racks.map((_, m) => `  ${describeRack(proc, set, m)}`).join('\n');
}

/** A region's fields, the 32 bytes at its address just below its first block: magic, next, prev, usedQuanta, tail, owner, band, highTail; the owner marked. */
export function regionHeader(proc: Process, region: number): string {
  return proc.hexdump(region, 32, { from: region + REGION.owner, to: region + REGION.owner + 4 });
}

/** The lock's four words: state, acquisitions, waits, holder. */
export function lockWords(proc: Process, at: number): { state: number; acquisitions: number; waits: number; holder: number } {
  return { state: proc.load32(at + LOCK.state), acquisitions: proc.load32(at + LOCK.acquisitions), waits: proc.load32(at + LOCK.waits), holder: proc.load32(at + LOCK.holder) };
}

/**
 * Tells a Deadlock at one of the heap's locks by name: which lock, and which thread held it
 * when the wait began (read then, before any finally let it go). Returns the function that
 * turns such a Deadlock into that message; anything else it returns as it is.
 */
export function namingDeadlocks(proc: Process, heap: MagazineHeap & { locks?(): Array<{ name: string; address: number }> }): (error: unknown) => unknown {
  const holders = new Map<Deadlock, number>();
  const wait32 = proc.wait32.bind(proc);
  replaceMethod(proc, 'wait32', (address, expected, timeoutMs) => {
    try {
      return wait32(address, expected, timeoutMs);
    } catch (error) {
      if (error instanceof Deadlock) holders.set(error, proc.load32(address + LOCK.holder) - 1);
      throw error;
    }
  });
  return (error) => {
    if (!(error instanceof Deadlock)) return error;
    const named = heap.locks?.() ?? [heap.tiny, heap.small].flatMap((set) => set.locks.map((address, m) => ({ name: rackName(set, m), address })));
    const lock = named.find((l) => l.address === error.address);
    if (lock === undefined) return error;
    const holder = holders.get(error) ?? -1;
    const who = holder === error.thread ? `thread ${error.thread} itself holds it: the lock is taken twice (is a call that takes it made while it is held?)` : holder >= 0 ? `thread ${holder} holds it` : 'no thread is recorded as its holder';
    // The frames of the lock function and of this wrapper say nothing: show who called lock.
    return withFramesOf(new Error(`Thread ${error.thread} waits for the lock of ${lock.name} at ${hex(error.address)}, and ${who}.\n${error.message}`), error, /magazine-testing\.ts:|\/lock\.ts:/);
  };
}

/**
 * Makes the `limit`+1-th atomicAdd32 to any of `counters` (a word's address, and the name of
 * what it counts) in one test throw `tooMany(name, address)`: a loop that goes round for ever
 * adds to the same counter each time, and fails with a message instead of a test that never ends.
 */
function limitAtomicAdds(proc: Process, counters: Map<number, string>, limit: number, tooMany: (name: string, address: number) => string): void {
  const counts = new Map<number, number>();
  const atomicAdd32 = proc.atomicAdd32.bind(proc);
  replaceMethod(proc, 'atomicAdd32', (address, delta) => {
    const name = counters.get(address);
    if (name !== undefined) {
      const n = (counts.get(address) ?? 0) + 1;
      counts.set(address, n);
      if (n > limit) throw new Error(tooMany(name, address));
    }
    return atomicAdd32(address, delta);
  });
}

/**
 * Stops a block that goes round for ever between an inbox and the release that empties it:
 * after `limit` pushes into one inbox, the next push throws, naming the inbox and the likely
 * cause, instead of a test that never ends.
 */
export function guardInboxLoops(proc: Process, heap: MagazineHeap, limit = 1000): void {
  const inboxes = new Map<number, string>();
  for (const set of [heap.tiny, heap.small]) set.inboxes.forEach((at, m) => inboxes.set(at + INBOX.pushed, rackName(set, m)));
  limitAtomicAdds(
    proc,
    inboxes,
    limit,
    (name, address) =>
      `${name}'s inbox at ${hex(address - INBOX.pushed)}: more than ${limit} pushes in one test, so a block goes round between the inbox and the release that empties it. Emptying the inbox, release holds the magazine's lock: a block that magazine owns (owner === held in sendHome) must be freed into it, not left in its inbox again.`,
  );
}

/**
 * Stops a loop that takes a lock round and round (lockOwner or sendHome following a region
 * with an owner it never reads again): after `limit` acquisitions of one lock in one test, the
 * next throws, naming the lock, instead of a test that never ends.
 */
export function guardLockLoops(proc: Process, heap: MagazineHeap, limit = 1000): void {
  const locks = new Map<number, string>();
  for (const set of [heap.tiny, heap.small]) set.locks.forEach((at, m) => locks.set(at + LOCK.acquisitions, rackName(set, m)));
  limitAtomicAdds(
    proc,
    locks,
    limit,
    (name, address) =>
      `${name}'s lock at ${hex(address - LOCK.acquisitions)}: taken more than ${limit} times in one test, so a loop goes round for ever, taking it each time. lockOwner and sendHome go round when the region moved while they waited for its owner's lock: each round must read the owner again from the region's header (atomicLoad32 of REGION.owner), or it locks the old owner, finds the region gone, and starts again, for ever.`,
  );
}

/**
 * Makes every rack's `methods` (free, malloc, shrink, growInPlace) throw unless the calling
 * thread holds that rack's lock: only the holder may change a rack's lists, bitmaps and
 * counters. A call that slipped past the lock would work here, one thread at a time, and
 * corrupt the rack under real threads.
 */
export function guardRacks(proc: Process, heap: MagazineHeap, methods: ReadonlyArray<'free' | 'malloc' | 'shrink' | 'growInPlace'> = ['free', 'malloc', 'shrink', 'growInPlace']): void {
  const hints = {
    free: 'Emptying the inbox, release must first take the lock back (tryLock), and let it go after.',
    malloc: "malloc holds the thread's magazine's lock from before the rack's malloc until after it (try … finally release).",
    shrink: "realloc changes a block in place only inside withBlock, which holds the owner's lock.",
    growInPlace: "realloc changes a block in place only inside withBlock, which holds the owner's lock.",
  } as const;
  for (const set of [heap.tiny, heap.small]) {
    set.racks.forEach((rack, m) => {
      for (const name of methods) {
        const call = (rack[name] as (...args: number[]) => unknown).bind(rack);
        (rack as unknown as Record<string, unknown>)[name] = (...args: number[]) => {
          const { state, holder } = lockWords(proc, set.locks[m]);
          if (state === 0 || holder !== proc.currentThread + 1) {
            const who = state === 0 ? 'nobody holds it' : `thread ${holder - 1} holds it`;
            throw new Error(`Thread ${proc.currentThread} calls ${name}(${args.map((a) => (a > 0xffff ? hex(a) : String(a))).join(', ')}) on ${rackName(set, m)}, but ${who}: the lock at ${hex(set.locks[m])} (state, acquisitions, waits, holder = thread + 1):\n${proc.hexdump(set.locks[m], 16)}\nOnly the thread holding a rack's lock may change it. ${hints[name]}`);
          }
          return call(...args);
        };
      }
    });
  }
}

/** Tiny and small sets of the reference racks, laid out by the reference choose.ts, whose magazines refill through `refill`. */
export function referenceSets(proc: Process, count: number, refill: DepotPolicy['refill']): MagazineHeap {
  const at = adminMapping(proc, count, setBytes(TINY, 63, count) + setBytes(SMALL, 64, count));
  const policy = { depotKeeps: 2, magazineKeeps: 1, refill };
  return {
    tiny: createMagazineSet(proc, TINY, TINY_READER, 63, at, count, policy),
    small: createMagazineSet(proc, SMALL, SMALL_READER, 64, at + setBytes(TINY, 63, count), count, policy),
  };
}

// ------------------------------------------------------------------ traces on threads

export interface Spread {
  threads: number;
  /** The share of frees made by a thread other than the one that allocated the block. */
  crossFree: number;
  seed: number;
}

/** The thread of each operation: id n is owned by thread n mod threads; a free is sometimes another thread's. */
export function threadsOf(trace: Trace, spread: Spread): number[] {
  const random = mulberry32(spread.seed);
  return trace.ops.map((op) => {
    const owner = op.id % spread.threads;
    if (op.kind !== 'f' || spread.threads === 1 || random() >= spread.crossFree) return owner;
    return (owner + 1 + Math.floor(random() * (spread.threads - 1))) % spread.threads;
  });
}

/**
 * An allocator that makes each call of `trace` on its thread (`threads[i]` for operation i).
 * The trace driver calls the allocator once per operation, in order, so call i is operation i;
 * `last()` says which operation and thread ran last, for a failure's message. A Deadlock at
 * one of the allocator's locks is told by name (namingDeadlocks).
 */
export function onThreads(trace: Trace, threads: readonly number[], create: (proc: Process, options?: object) => Allocator & MagazineHeap): { create: CreateAllocator; last: () => { op: TraceOp | undefined; index: number; thread: number }; thrown: () => unknown } {
  let next = 0;
  let thrown: unknown;
  const create2: CreateAllocator = (proc: Process, options?: object): Allocator => {
    const inner = create(proc, options);
    const named = namingDeadlocks(proc, inner);
    next = 0;
    const on = <T>(kind: TraceOp['kind'], call: () => T): T => {
      const op = trace.ops[next];
      if (op?.kind !== kind) throw new Error(`the driver's call ${next} is not operation ${next} of ${trace.name} (${op?.kind ?? 'none'}, not ${kind}): the test cannot tell which thread should run it`);
      try {
        return proc.runOn(threads[next++], call);
      } catch (error) {
        thrown = error;
        throw named(error);
      }
    };
    return {
      malloc: (size) => on('a', () => inner.malloc(size)),
      free: (ptr) => on('f', () => inner.free(ptr)),
      realloc: (ptr, size) => on('r', () => inner.realloc(ptr, size)),
      calloc: (count, size) => inner.calloc(count, size),
    };
  };
  return { create: create2, last: () => ({ op: trace.ops[next - 1], index: next - 1, thread: threads[next - 1] }), thrown: () => thrown };
}

/**
 * `error`, with the stack frames of `cause` (what the allocator threw) before its own, so a
 * report can point at the line that threw; frames matching `skip` are left out.
 */
export function withFramesOf(error: Error, cause: unknown, skip?: RegExp): Error {
  if (!(cause instanceof Error) || cause.stack === undefined || error.stack === undefined) return error;
  const frames = (stack: string) => stack.split('\n').filter((line) => /^\s+at /.test(line) && !(skip?.test(line) ?? false));
  error.stack = [`${error.name}: ${error.message}`, ...frames(cause.stack), ...frames(error.stack)].join('\n');
  return error;
}
