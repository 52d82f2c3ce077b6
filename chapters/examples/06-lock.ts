// The futex lock in simulated memory: its four words as threads take and release it, a release
// by a thread that does not hold it, what an uncontended lock and unlock cost, and what the
// machine says when a logical thread would wait.
import { Deadlock, Process, hex } from '../../machine/index.ts';
import { LOCK, LOCK_BYTES, LockNotHeld, lock, lockCounts, unlock } from '../../solutions/06-magazines/lock.ts';

const proc = new Process();
const at = proc.static('lock', LOCK_BYTES);
const dump = (title: string) => console.log(`${title}\n${proc.hexdump(at, LOCK_BYTES, { from: at + LOCK.state, to: at + LOCK.state + 4 })}\n`);

console.log(`a lock at ${hex(at)}: state, acquisitions, waits, holder (thread + 1)\n`);
dump('free');
proc.runOn(1, () => lock(proc, at));
dump('thread 1 holds it: state 1, holder 2');
proc.runOn(1, () => unlock(proc, at));
dump('thread 1 released it: state 0; the count stays');
try {
  proc.runOn(1, () => unlock(proc, at));
} catch (error) {
  if (!(error instanceof LockNotHeld)) throw error;
  console.log(`thread 1 releases it again:\n  ${error.name}: ${error.message.replace(/(?<=hold:) /, '\n  ')}\n`);
}

const before = proc.stats().memoryOps;
for (let i = 0; i < 1000; i++) {
  lock(proc, at);
  unlock(proc, at);
}
console.log(`1,000 uncontended lock/unlock pairs: ${(proc.stats().memoryOps - before) / 1000} memory operations a pair, one of them a compare-and-swap\n`);

proc.runOn(1, () => lock(proc, at));
try {
  proc.runOn(2, () => lock(proc, at));
} catch (error) {
  if (!(error instanceof Deadlock)) throw error;
  // A line per sentence, the first cut at its comma: the figure fits a page's width.
  console.log(`thread 2 wants it while thread 1 holds it:\n  ${error.message.replace(/(?<=[.?]) |(?<=change,) /g, '\n  ')}\n`);
}
dump('the lock after: state 2 (held, with a waiter), one wait counted');
const { acquisitions, waits } = lockCounts(proc, at);
console.log(`lockCounts: ${acquisitions} acquisitions, ${waits} wait`);
