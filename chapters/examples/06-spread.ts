// For 06-traces.ts and 06-lock-counts.ts (and the chapter's chart of 06-traces.ts's figures):
// a trace's operations spread over 4 logical threads by workbook/trace/threads.ts, as
// `npm run trace -- <allocator> --threads 4` spreads them. Trace id n belongs to thread n mod 4,
// which makes its malloc and its reallocs; one id in four is freed by the next thread.
import type { CreateAllocator } from '../../machine/index.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import type { Trace, TraceOp } from '../../workbook/trace/rep.ts';
import { runTraces, type TraceRun } from '../../workbook/trace/run.ts';
import { spread as spreadOver, threadOf as threadOfAmong } from '../../workbook/trace/threads.ts';

export const THREADS = 4;

export function threadOf(op: TraceOp): number {
  return threadOfAmong(op, THREADS);
}

/** An allocator that makes each call of `trace` on its thread (by default threadOf's). */
export function spread(trace: Trace, create: CreateAllocator, threads: (op: TraceOp) => number = threadOf): CreateAllocator {
  return spreadOver(trace, create, threads);
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
