// Chapter 6, step 1: a lock in simulated memory, the futex mutex of "Futexes Are Tricky"
// (Drepper). The state word is 0 (free), 1 (held) or 2 (held, and someone may be waiting).
// Taking a free lock is one compare-and-swap; only a thread that finds it held goes to sleep
// on the word (wait32), and only a release that saw waiters wakes one (notify32). The lock
// also counts how often it was taken and how often a taker had to wait: contention, made visible.
// Check your work with `npm run check -- lock`; stuck? `npm run hint -- lock`.
// Needs nothing but the machine's atomics. Given: the layout, unlock's check of the holder,
// tryLock and lockCounts.

import { hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

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
  // TODO: take a free lock with one atomicCompareExchange32 of the state word from 0 to 1.
  // If it was not free, count a wait (atomicAdd32 of LOCK.waits) and, until the lock is
  // yours: mark it contended (2) and sleep with wait32(state word, 2) while it stays 2, then
  // try to take it from 0, as 2, since others may sleep on it too. A lock released before you
  // could mark it (the exchange from 1 to 2 finds 0) must be taken, not slept on. Once it is
  // yours, count the acquisition and store proc.currentThread + 1 as the holder.
  todo('lock(proc, at): take the lock, sleeping while another thread holds it');
}

export function unlock(proc: Process, at: number): void {
  requireHolder(proc, at); // given: only the thread that holds the lock may release it
  // TODO: clear the holder, then release: atomicSub32 of 1 from the state word returns what
  // it held. 1 means nobody waits: done. 2 means someone may sleep on the word: store 0 and
  // wake one sleeper with notify32(state word, 1).
  todo('unlock(proc, at): release the lock, waking a waiter if there may be one');
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
