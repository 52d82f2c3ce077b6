// Wall-clock speed for `npm run bench`: one warm-up run (the JIT compiles the allocator),
// then several timed runs, and the median of them, which one slow run (a garbage
// collection, another process) does not move. Allocators compared with each other are
// timed side by side, in turns, so that a slow stretch of the machine falls on all of them.

export interface TimingOptions {
  /** Untimed runs first. Default 1. */
  warmups?: number;
  /** Timed runs at least, and at most. Defaults 3 and 7. */
  minRuns?: number;
  maxRuns?: number;
  /** After minRuns, stop once the timed runs have taken this long. Default 500 ms. */
  budgetMilliseconds?: number;
}

/** The median of the seconds `run` reports (each run times its own work, setup excluded). */
export function medianSeconds(run: () => number, options: TimingOptions = {}): number {
  return medianSecondsSideBySide([run], options)[0];
}

/**
 * The median seconds of each of `runs`, timed in rounds: each round, every run that still
 * needs timing runs once, and the order turns by one place each round, so that none always
 * follows the same neighbour (and pays for its garbage). Each run stops on its own terms,
 * as medianSeconds would: after minRuns once its budget is spent, or at maxRuns.
 */
export function medianSecondsSideBySide(runs: readonly (() => number)[], options: TimingOptions = {}): number[] {
  const warmups = options.warmups ?? 1;
  const minRuns = Math.max(1, options.minRuns ?? 3);
  const maxRuns = Math.max(minRuns, options.maxRuns ?? 7);
  const budget = options.budgetMilliseconds ?? 500;
  for (let i = 0; i < warmups; i++) for (const run of runs) run();
  const seconds: number[][] = runs.map(() => []);
  const spent = runs.map(() => 0);
  const needsMore = (i: number) => seconds[i].length < maxRuns && (seconds[i].length < minRuns || spent[i] < budget);
  for (let round = 0; runs.some((_, i) => needsMore(i)); round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      if (!needsMore(i)) continue;
      const took = runs[i]();
      seconds[i].push(took);
      spent[i] += took * 1000;
    }
  }
  return seconds.map(median);
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
