// Chapter 6, step 1: a futex lock in simulated memory. Logical threads run one at a time, so
// the tests play the interleavings out by hand: thread 1 takes the lock, then thread 2 tries;
// a wait that nothing could end is a Deadlock, thrown at once, naming the thread and the word.
import { describe, expect, it, vi } from 'vitest';
import { Deadlock, Process, hex } from '../../machine/index.ts';
import { loadExercise } from '../../workbook/target.ts';
import { replaceMethod } from '../../workbook/testing.ts';

const exercise = await loadExercise<typeof import('./lock.ts')>('06-magazines/lock.ts');
const { LOCK, LOCK_BYTES, lockCounts, tryLock, unlock } = exercise;

/** How often one call of lock may touch the lock's words: a few times per sleep, never this often. */
const SPIN_LIMIT = 1000;
/** Touches of the lock's words by the lock call under way (undefined: none is), and the wait32 calls that returned at once. */
let touches: number | undefined;
let earlyWakes: string[] = [];

/** Your lock, counting how often it touches the lock's words (a call inside another, made while a thread sleeps, counts apart). */
function lock(proc: Process, at: number): void {
  const outer = [touches, earlyWakes] as const;
  touches = 0;
  earlyWakes = [];
  try {
    exercise.lock(proc, at);
  } finally {
    [touches, earlyWakes] = outer;
  }
}

/**
 * Stops a lock that spins instead of sleeping: with logical threads nothing else runs while it
 * spins, so the holder never lets go and the test would never end. After SPIN_LIMIT reads and
 * writes of the lock's words in one call of lock, the next throws, saying so.
 */
function guardSpins(proc: Process, at: number): void {
  const peek = proc.atomicLoad32.bind(proc); // the test's own look, not counted
  for (const name of ['load32', 'store32', 'atomicLoad32', 'atomicStore32', 'atomicCompareExchange32', 'atomicAdd32', 'atomicSub32'] as const) {
    const call = (proc[name] as (...args: number[]) => number).bind(proc);
    replaceMethod(proc, name, (address: number, ...rest: number[]) => {
      if (touches !== undefined && address >= at && address < at + LOCK_BYTES && ++touches > SPIN_LIMIT) {
        throw new Error(
          `thread ${proc.currentThread}'s lock(${hex(at)}) read or wrote the lock's words ${SPIN_LIMIT} times without sleeping: it spins. ` +
            "With logical threads nothing else runs while it spins, so the thread holding the lock can never let go, and the loop would never end (under real threads it burns a CPU the holder may need). " +
            `A thread that finds the lock held marks it contended (2) and sleeps on the state word, proc.wait32(${hex(at + LOCK.state)}, 2), which here throws a Deadlock at once.${earlyWakeNote()}\n${proc.hexdump(at, LOCK_BYTES)}`,
        );
      }
      return call(address, ...rest);
    });
  }
  const wait32 = proc.wait32.bind(proc);
  replaceMethod(proc, 'wait32', (address, expected, timeoutMs) => {
    const held = peek(address);
    const result = wait32(address, expected, timeoutMs);
    const note = `wait32(${hex(address)}, ${expected}${timeoutMs === undefined ? '' : `, ${timeoutMs}`}) returned '${result}' at once, the word holding ${held}`;
    if (touches !== undefined && !earlyWakes.includes(note)) earlyWakes.push(note);
    return result;
  });
}

/** What the spin message adds when the lock did call wait32, but every call returned at once. */
function earlyWakeNote(): string {
  if (earlyWakes.length === 0) return '';
  const fix = earlyWakes.some((n) => n.includes("'timed-out'")) ? 'Wait with no timeout: wait32(state word, 2).' : 'Mark the word 2 (atomicCompareExchange32 from 1 to 2) before you wait for 2.';
  return ` It did call wait32, but wait32 sleeps only while the word holds the value given, and for ever only with no timeout: ${earlyWakes.join('; ')}. ${fix}`;
}

function setUp() {
  const proc = new Process();
  const at = proc.static('test_lock', LOCK_BYTES);
  guardSpins(proc, at);
  const words = () => ({
    state: proc.atomicLoad32(at + LOCK.state),
    acquisitions: proc.atomicLoad32(at + LOCK.acquisitions),
    waits: proc.atomicLoad32(at + LOCK.waits),
    holder: proc.atomicLoad32(at + LOCK.holder),
  });
  /** Fails unless the lock's four words are `expected`, showing them after `after`. */
  function expectWords(expected: ReturnType<typeof words>, after: string): void {
    expect(words(), `after ${after}, the lock at ${hex(at)} (u32: state, acquisitions, waits, holder = thread + 1):\n${proc.hexdump(at, LOCK_BYTES)}`).toEqual(expected);
  }
  return { proc, at, words, expectWords };
}

/** What `fn` threw; fails if it threw nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('an uncontended lock', () => {
  it('lock sets the state word from 0 to 1, counts an acquisition and records the holder; unlock sets it back to 0', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    expectWords({ state: 1, acquisitions: 1, waits: 0, holder: 2 }, 'thread 1 takes the free lock');
    proc.runOn(1, () => unlock(proc, at));
    expectWords({ state: 0, acquisitions: 1, waits: 0, holder: 0 }, 'thread 1 releases it: the counts stay');
    proc.runOn(5, () => lock(proc, at));
    expectWords({ state: 1, acquisitions: 2, waits: 0, holder: 6 }, 'thread 5 takes it in turn');
    proc.runOn(5, () => unlock(proc, at));
    expect(lockCounts(proc, at), 'lockCounts reads the two counters').toEqual({ acquisitions: 2, waits: 0 });
  });

  it('takes a free lock without sleeping and releases it without waking anyone: no wait32, no notify32', () => {
    const { proc, at } = setUp();
    const wait = vi.spyOn(proc, 'wait32');
    const notify = vi.spyOn(proc, 'notify32');
    for (let i = 0; i < 3; i++) {
      proc.runOn(i, () => lock(proc, at));
      proc.runOn(i, () => unlock(proc, at));
    }
    expect(wait.mock.calls, 'wait32 calls while nobody else held the lock').toEqual([]);
    expect(notify.mock.calls, 'notify32 calls when nobody could be waiting (the state word was 1, not 2)').toEqual([]);
  });

  it('takes the lock with an atomic compare-and-swap on the state word', () => {
    const { proc, at } = setUp();
    const swap = vi.spyOn(proc, 'atomicCompareExchange32');
    proc.runOn(1, () => lock(proc, at));
    expect(
      swap.mock.calls.map(([address, expected, replacement]) => `${hex(address)}: ${expected} -> ${replacement}`),
      `lock of a free lock: one atomicCompareExchange32(state, 0, 1) at ${hex(at + LOCK.state)}, so two threads can never both see 0 and both take it`,
    ).toEqual([`${hex(at + LOCK.state)}: 0 -> 1`]);
  });

  it('clears the holder before it lets go: a thread that takes the lock at once is recorded as its holder', () => {
    const { proc, at, words, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    // Thread 2 takes the lock the moment thread 1's release of the state word lands, before thread 1 returns.
    const sub = proc.atomicSub32.bind(proc);
    const release = vi.spyOn(proc, 'atomicSub32').mockImplementationOnce((address: number, value: number) => {
      const was = sub(address, value);
      proc.runOn(2, () => lock(proc, at));
      return was;
    });
    proc.runOn(1, () => unlock(proc, at));
    expect(release, "thread 1's unlock lets go of the state word with atomicSub32(state, 1)").toHaveBeenCalledTimes(1);
    release.mockRestore();
    const { holder } = words();
    expect(holder, `the holder word after thread 2 took the lock during thread 1's unlock: thread 2's (3)${holder === 0 ? ". Thread 1 cleared it after letting go of the state word, over thread 2's: clear the holder first, while the lock is still yours" : ''}\n${proc.hexdump(at, LOCK_BYTES)}`).toBe(3);
    expectWords({ state: 1, acquisitions: 2, waits: 0, holder: 3 }, "thread 2 took the lock during thread 1's unlock");
  });
});

describe('a release by a thread that does not hold the lock', () => {
  it('throws a LockNotHeld and changes nothing: a second unlock, or an unlock of another thread\'s lock', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    proc.runOn(1, () => unlock(proc, at));
    const refused = (what: string, release: () => void) => {
      const error = thrownBy(() => {
        release();
        throw new Error(`${what}: unlock returned, where it should throw a LockNotHeld (keep the given requireHolder call first in unlock)`);
      }) as Error;
      if (error.name !== 'LockNotHeld') throw error;
      return error;
    };
    const twice = refused('thread 1 released the lock twice', () => proc.runOn(1, () => unlock(proc, at)));
    expect(`${twice.name}: ${twice.message}`, 'thread 1 releases the lock a second time').toBe(
      `LockNotHeld: unlock(${hex(at)}): thread 1 releases a lock it does not hold: nobody holds it (released twice?)`,
    );
    expectWords({ state: 0, acquisitions: 1, waits: 0, holder: 0 }, 'after the refused second release');
    proc.runOn(2, () => lock(proc, at));
    const other = refused("thread 1 released thread 2's lock", () => proc.runOn(1, () => unlock(proc, at)));
    expect(other.message, 'thread 1 releases the lock thread 2 holds').toBe(`unlock(${hex(at)}): thread 1 releases a lock it does not hold: thread 2 holds it`);
    expectWords({ state: 1, acquisitions: 2, waits: 0, holder: 3 }, "after the refused release of thread 2's lock: still thread 2's");
  });
});

describe('tryLock', () => {
  it('fails on a lock that lock() took, changing nothing, and takes it once unlock() released it', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    expect(proc.runOn(2, () => tryLock(proc, at)), 'tryLock on thread 2 while thread 1 holds the lock').toBe(false);
    expectWords({ state: 1, acquisitions: 1, waits: 0, holder: 2 }, 'thread 2 tried a lock that thread 1 holds');
    proc.runOn(1, () => unlock(proc, at));
    expect(proc.runOn(2, () => tryLock(proc, at)), 'tryLock on thread 2 once thread 1 released it').toBe(true);
    expectWords({ state: 1, acquisitions: 2, waits: 0, holder: 3 }, 'thread 2 took it once it was free');
  });
});

describe('a contended lock', () => {
  it('counts a wait, marks the state word 2 (held, with waiters) and sleeps on it', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    const error = thrownBy(() => proc.runOn(2, () => lock(proc, at)));
    // With logical threads nothing can release the lock while thread 2 sleeps: the machine
    // says so at once. Under real threads thread 2 would sleep until thread 1's unlock.
    if (!(error instanceof Deadlock)) {
      throw new Error(`thread 2 locking what thread 1 holds should sleep with wait32(state word, 2), which here throws a Deadlock; it ${error instanceof Error ? `threw ${error.name}: ${error.message}` : `threw ${String(error)}`}`);
    }
    expect({ thread: error.thread, address: hex(error.address), value: error.value }, 'the Deadlock: thread 2 waits on the state word while it holds 2').toEqual({ thread: 2, address: hex(at + LOCK.state), value: 2 });
    expectWords({ state: 2, acquisitions: 1, waits: 1, holder: 2 }, 'thread 2 found the lock held and went to sleep on it');
  });

  it('unlock of a contended lock sets the state word to 0 and wakes one waiter with notify32', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    thrownBy(() => proc.runOn(2, () => lock(proc, at))); // thread 2 marks it contended and sleeps
    const notify = vi.spyOn(proc, 'notify32');
    proc.runOn(1, () => unlock(proc, at));
    expectWords({ state: 0, acquisitions: 1, waits: 1, holder: 0 }, 'thread 1 releases the contended lock');
    // Addresses in hex, as the message gives them: [0x00600000, 1], not [6291456, 1].
    const calls = notify.mock.calls.map(([address, count]) => [hex(address), count]);
    expect(calls, `notify32 calls of thread 1's unlock: one, on the state word ${hex(at + LOCK.state)}, for one waiter`).toEqual([[hex(at + LOCK.state), 1]]);
  });

  it('unlock of a contended lock frees the state word before it wakes the waiter: the waiter may run at once', () => {
    const { proc, at } = setUp();
    proc.runOn(1, () => lock(proc, at));
    thrownBy(() => proc.runOn(2, () => lock(proc, at))); // thread 2 marks it contended and sleeps
    const seen: number[] = [];
    const notify = vi.spyOn(proc, 'notify32').mockImplementation(() => {
      seen.push(proc.atomicLoad32(at + LOCK.state)); // what the thread it wakes finds, if it runs at once
      return 1;
    });
    proc.runOn(1, () => unlock(proc, at));
    notify.mockRestore();
    expect(seen.length, "notify32 calls of thread 1's unlock of a contended lock").toBe(1);
    expect(
      seen[0],
      `the state word when thread 1's unlock called notify32: ${seen[0]}. The woken thread may run before unlock goes on; finding ${seen[0]}, not 0, it goes back to sleep, and nothing wakes it again (the store of 0 after the notify wakes nobody). Store 0 first, then notify32. The lock now:\n${proc.hexdump(at, LOCK_BYTES)}`,
    ).toBe(0);
  });

  it('a waiter woken by the unlock takes the lock, still marked contended (2): others may sleep on it too', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    // Thread 2's wait32 lets thread 1 run its unlock, as the scheduler would, and then wakes.
    let sleeps = 0;
    const wait = vi.spyOn(proc, 'wait32').mockImplementation((address, expected) => {
      expect({ address: hex(address), expected }, 'thread 2 sleeps on the state word while it holds 2').toEqual({ address: hex(at + LOCK.state), expected: 2 });
      if (++sleeps > 1) {
        throw new Error(`thread 2 went back to sleep after thread 1's unlock: the state word holds ${proc.atomicLoad32(at + LOCK.state)}, not 0. An unlock that finds 2 (waiters) must store 0 and notify32 one of them, or the lock stays held for ever\n${proc.hexdump(at, LOCK_BYTES)}`);
      }
      proc.runOn(1, () => unlock(proc, at));
      return 'ok';
    });
    proc.runOn(2, () => lock(proc, at));
    expect(wait, 'wait32 calls of thread 2').toHaveBeenCalledTimes(1);
    expectWords({ state: 2, acquisitions: 2, waits: 1, holder: 3 }, 'thread 2 slept, was woken by thread 1\'s unlock, and took the lock');
    wait.mockRestore();
    const notify = vi.spyOn(proc, 'notify32');
    proc.runOn(2, () => unlock(proc, at));
    expectWords({ state: 0, acquisitions: 2, waits: 1, holder: 0 }, 'thread 2 releases it');
    expect(notify, 'thread 2 took the lock as contended, so its unlock wakes whoever may still sleep').toHaveBeenCalledTimes(1);
  });

  it('counts one wait per acquisition that found the lock held, however often the taker slept', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    // Thread 2 sleeps; thread 1 lets go, but thread 3 takes the lock before thread 2 wakes,
    // so thread 2 sleeps a second time, until thread 3 lets go too.
    let sleeps = 0;
    const wait = vi.spyOn(proc, 'wait32').mockImplementation(() => {
      sleeps++;
      if (sleeps === 1) {
        proc.runOn(1, () => unlock(proc, at));
        proc.runOn(3, () => lock(proc, at));
      } else if (sleeps === 2) proc.runOn(3, () => unlock(proc, at));
      else throw new Error(`thread 2 went to sleep a third time: the lock is free (state word ${proc.atomicLoad32(at + LOCK.state)})\n${proc.hexdump(at, LOCK_BYTES)}`);
      return 'ok';
    });
    proc.runOn(2, () => lock(proc, at));
    wait.mockRestore();
    expect(sleeps, 'wait32 calls of thread 2: thread 3 took the lock between its two sleeps').toBe(2);
    const { waits } = lockCounts(proc, at);
    expect(waits, `the waits counter after thread 2 slept twice to take the lock once: waits counts acquisitions that found the lock held, so count the wait once, before the loop, not at every sleep${waits === 2 ? ' (it counted 2: one per sleep)' : ''}\n${proc.hexdump(at, LOCK_BYTES)}`).toBe(1);
    expectWords({ state: 2, acquisitions: 3, waits: 1, holder: 3 }, 'thread 1, then thread 3, then thread 2 took the lock; only thread 2 found it held');
  });

  it('a lock released before the waiter could sleep is taken without sleeping', () => {
    const { proc, at, expectWords } = setUp();
    proc.runOn(1, () => lock(proc, at));
    // Between thread 2's first try and its marking the lock contended, thread 1 releases it.
    const swap = proc.atomicCompareExchange32.bind(proc);
    let calls = 0;
    const spy = vi.spyOn(proc, 'atomicCompareExchange32').mockImplementation((address, expected, replacement) => {
      if (++calls === 2) proc.runOn(1, () => unlock(proc, at));
      return swap(address, expected, replacement);
    });
    const wait = vi.spyOn(proc, 'wait32');
    proc.runOn(2, () => lock(proc, at));
    spy.mockRestore();
    expect(wait.mock.calls.map(([address, value]) => [hex(address), value]), 'thread 2 should not call wait32 once its exchange from 1 to 2 found 0 (the lock was released meanwhile): a system call for nothing; try to take it from 0 at once').toEqual([]);
    const state = proc.atomicLoad32(at + LOCK.state);
    expect(state, `thread 2 holds the lock now, so its state word must say held (1, or 2 if it may have waiters), not ${state}: with 0 the next thread would take it as well\n${proc.hexdump(at, LOCK_BYTES)}`).toBeOneOf([1, 2]);
    expectWords({ state, acquisitions: 2, waits: 1, holder: 3 }, 'thread 2 took the lock thread 1 released');
  });
});
