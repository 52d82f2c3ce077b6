// A trace's calls spread over logical threads. A trace records one program's calls, made by
// one thread; an allocator with a heap per thread (chapter 6's magazines) is only measured
// when calls come from several, and some blocks are freed by a thread that did not allocate
// them. Trace id n belongs to thread n mod `threads`, which makes its malloc and its reallocs;
// one id in four (n / threads rounded down, mod 4, is 3) is freed by the next thread, as a
// block handed on would be. `npm run trace -- <allocator> --threads <n>` and chapter 6's
// figures (chapters/examples/06-spread.ts) replay traces this way.

import type { Allocator, CreateAllocator, Process } from '../../machine/index.ts';
import type { Trace, TraceOp } from './rep.ts';

/** The most logical threads `--threads` spreads calls over. */
export const MAX_THREADS = 64;

/** The logical thread that makes operation `op` when calls are spread over `threads` threads. */
export function threadOf(op: TraceOp, threads: number): number {
  const owner = op.id % threads;
  return op.kind === 'f' && Math.floor(op.id / threads) % 4 === 3 ? (owner + 1) % threads : owner;
}

/** threadOf for `threads` threads, as a function of the operation alone. */
export function threadsOf(threads: number): (op: TraceOp) => number {
  return (op) => threadOf(op, threads);
}

/**
 * An allocator that makes each call of `trace` on its thread (`threads` says which). The
 * driver calls it once per operation, in order, so the n-th call is operation n: it fits a
 * replay of `trace` itself: the shrinker makes one for each shorter trace it tries.
 */
export function spread(trace: Trace, create: CreateAllocator, threads: (op: TraceOp) => number): CreateAllocator {
  return (proc: Process, options?: object): Allocator => {
    const inner = create(proc, options);
    let next = 0;
    const on = <T>(call: () => T): T => proc.runOn(threads(trace.ops[next++]), call);
    const check = inner.check;
    return {
      malloc: (size) => on(() => inner.malloc(size)),
      free: (ptr) => on(() => inner.free(ptr)),
      realloc: (ptr, size) => on(() => inner.realloc(ptr, size)),
      calloc: (count, size) => inner.calloc(count, size),
      // Not a call of the trace: it takes no operation's thread.
      ...(check === undefined ? {} : { check: () => check.call(inner) }),
    };
  };
}
