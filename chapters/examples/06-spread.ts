// For 06-traces.ts and 06-lock-counts.ts (and the chapter's chart of 06-traces.ts's figures):
// a trace's operations spread over logical threads. Trace id n belongs to thread n mod 4,
// which makes its malloc and its reallocs; one id in four (n / 4 rounded down, mod 4, is 3) is
// freed by the next thread, as a block handed on would be.
import type { Allocator, CreateAllocator, Process } from '../../machine/index.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import type { Trace, TraceOp } from '../../workbook/trace/rep.ts';
import { runTraces, type TraceRun } from '../../workbook/trace/run.ts';

export const THREADS = 4;

export function threadOf(op: TraceOp): number {
  const owner = op.id % THREADS;
  return op.kind === 'f' && Math.floor(op.id / THREADS) % 4 === 3 ? (owner + 1) % THREADS : owner;
}

/**
 * An allocator that makes each call of `trace` on its thread. The driver calls it once per
 * operation, in order, so the n-th call is operation n.
 */
export function spread(trace: Trace, create: CreateAllocator, threads: (op: TraceOp) => number = threadOf): CreateAllocator {
  return (proc: Process, options?: object): Allocator => {
    const inner = create(proc, options);
    let next = 0;
    const on = <T>(call: () => T): T => proc.runOn(threads(trace.ops[next++]), call);
    return {
      malloc: (size) => on(() => inner.malloc(size)),
      free: (ptr) => on(() => inner.free(ptr)),
      realloc: (ptr, size) => on(() => inner.realloc(ptr, size)),
      calloc: (count, size) => inner.calloc(count, size),
    };
  };
}

/** The three ways chapter 6 replays each trace: the zone on every thread, the magazines on one, and on every thread. */
export const THREAD_RUNS = [
  { label: `zones, ${THREADS} threads`, create: zones as CreateAllocator, threads: threadOf },
  { label: 'magazines, 1 thread', create: magazines as CreateAllocator, threads: () => 0 },
  { label: `magazines, ${THREADS} threads`, create: magazines as CreateAllocator, threads: threadOf },
] as const;

/** `trace` replayed and checked by the trace driver, its calls on the threads `how` says. */
export function runOnThreads(trace: Trace, how: (typeof THREAD_RUNS)[number]): TraceRun {
  return runTraces([trace], spread(trace, how.create, how.threads), { shrink: false, replay: { timing: false } })[0];
}
