// Chapter 6, step 1: a lock in simulated memory, the futex mutex of "Futexes Are Tricky"
// (Drepper). The state word is 0 (free), 1 (held) or 2 (held, and someone may be waiting).
// Taking a free lock is one compare-and-swap; only a thread that finds it held goes to sleep
// on the word (wait32), and only a release that saw waiters wakes one (notify32). The lock
// also counts how often it was taken and how often a taker had to wait: contention, made visible.

import { hex, type Process } from '../../machine/index.ts';

// #region lock-layout
export const LOCK = {
  state: 0, // 0 free, 1 held, 2 held with waiters
  acquisitions: 4,
  waits: 8, // acquisitions that found the lock held
  holder: 12, // the thread holding it, plus one (0 when free): for messages and checks
} as const;
export const LOCK_BYTES = 16;
// #endregion lock-layout

// #region lock
export function lock(proc: Process, at: number): void {
  let state = proc.atomicCompareExchange32(at + LOCK.state, 0, 1);
  if (state !== 0) {
    proc.atomicAdd32(at + LOCK.waits, 1);
    while (state !== 0) {
      // Mark the lock contended (2) and sleep while it stays so. If it was released in the
      // meantime (the exchange finds 0), do not sleep: try to take it at once.
      if (state === 2 || proc.atomicCompareExchange32(at + LOCK.state, 1, 2) !== 0) proc.wait32(at + LOCK.state, 2);
      // Take it as contended: other threads may still be asleep on the word.
      state = proc.atomicCompareExchange32(at + LOCK.state, 0, 2);
    }
  }
  proc.atomicAdd32(at + LOCK.acquisitions, 1);
  proc.atomicStore32(at + LOCK.holder, proc.currentThread + 1);
}

export function unlock(proc: Process, at: number): void {
  requireHolder(proc, at);
  proc.atomicStore32(at + LOCK.holder, 0);
  if (proc.atomicSub32(at + LOCK.state, 1) !== 1) {
    // It was 2: someone may sleep on the word.
    proc.atomicStore32(at + LOCK.state, 0);
    proc.notify32(at + LOCK.state, 1);
  }
}
// #endregion lock

/** An unlock by a thread that does not hold the lock: a second release, or another thread's lock. */
export class LockNotHeld extends Error {
  override name = 'LockNotHeld';
}

/**
 * unlock's first step: the calling thread must hold the lock. A lock released twice would
 * otherwise be released under whoever took it in between, and two threads would be inside at
 * once; macOS's os_unfair_lock stops the program for this mistake.
 */
export function requireHolder(proc: Process, at: number): void {
  const holder = proc.atomicLoad32(at + LOCK.holder);
  if (holder === proc.currentThread + 1) return;
  const who = holder === 0 ? 'nobody holds it (released twice?)' : `thread ${holder - 1} holds it`;
  throw new LockNotHeld(`unlock(${hex(at)}): thread ${proc.currentThread} releases a lock it does not hold: ${who}`);
}

/** Takes the lock only if it is free; false (and no wait counted) otherwise. */
export function tryLock(proc: Process, at: number): boolean {
  if (proc.atomicCompareExchange32(at + LOCK.state, 0, 1) !== 0) return false;
  proc.atomicAdd32(at + LOCK.acquisitions, 1);
  proc.atomicStore32(at + LOCK.holder, proc.currentThread + 1);
  return true;
}

export interface LockCounts {
  acquisitions: number;
  waits: number;
}

export function lockCounts(proc: Process, at: number): LockCounts {
  return { acquisitions: proc.atomicLoad32(at + LOCK.acquisitions), waits: proc.atomicLoad32(at + LOCK.waits) };
}
