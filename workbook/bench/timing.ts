// Wall-clock speed for `npm run bench`: warm-up runs until the JIT has had time to compile
// the allocator, then several timed runs, and the median of them, which one slow run (a
// garbage collection, another process) does not move.
//
// The warm-up is counted in time, not runs: V8 optimizes a function after enough work in it,
// and a 1 ms replay of a short trace is far from enough. On churn.rep, bump's first runs took
// 25, 8, 8, 6, 5 ms before settling at 1.3 ms, the zone's 118, 40, 19 ms before 11 ms; a
// median over the first few runs measured the compiler as much as the allocator.

export interface TimingOptions {
  /** Untimed runs first, at least. Default 1. */
  warmups?: number;
  /** Untimed runs go on until this long has passed, setup included. Default 250 ms. */
  warmupMilliseconds?: number;
  /** Milliseconds from some fixed point; performance.now by default (tests pass their own). */
  clock?: () => number;
  /** Timed runs at least, and at most. Defaults 3 and 7. */
  minRuns?: number;
  maxRuns?: number;
  /** After minRuns, stop once the timed runs have taken this long. Default 500 ms. */
  budgetMilliseconds?: number;
}

/** How medianSeconds times unless told otherwise: as `npm run bench` does. */
export const BENCH_TIMING = { warmups: 1, warmupMilliseconds: 250, minRuns: 3, maxRuns: 7, budgetMilliseconds: 500 } as const satisfies TimingOptions;

/** The median of the seconds `run` reports (each run times its own work, setup excluded). */
export function medianSeconds(run: () => number, options: TimingOptions = {}): number {
  return median(timedSeconds(run, options));
}

/** The seconds of every timed run, in order, after the warm-up: what medianSeconds takes the median of. */
export function timedSeconds(run: () => number, options: TimingOptions = {}): number[] {
  const warmups = options.warmups ?? BENCH_TIMING.warmups;
  const minRuns = Math.max(1, options.minRuns ?? BENCH_TIMING.minRuns);
  const maxRuns = Math.max(minRuns, options.maxRuns ?? BENCH_TIMING.maxRuns);
  const budget = options.budgetMilliseconds ?? BENCH_TIMING.budgetMilliseconds;
  const warmupBudget = options.warmupMilliseconds ?? BENCH_TIMING.warmupMilliseconds;
  const clock = options.clock ?? (() => performance.now());
  const warmupEnds = clock() + warmupBudget;
  for (let runs = 0; runs < warmups || clock() < warmupEnds; runs++) run();
  const seconds: number[] = [];
  let spent = 0;
  while (seconds.length < maxRuns && (seconds.length < minRuns || spent < budget)) {
    const took = run();
    seconds.push(took);
    spent += took * 1000;
  }
  return seconds;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seconds since `started` (from process.hrtime.bigint()). */
export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
