// Wall-clock speed for `npm run bench`: one warm-up run (the JIT compiles the allocator),
// then several timed runs, and the median of them, which one slow run (a garbage
// collection, another process) does not move.

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
  const warmups = options.warmups ?? 1;
  const minRuns = Math.max(1, options.minRuns ?? 3);
  const maxRuns = Math.max(minRuns, options.maxRuns ?? 7);
  const budget = options.budgetMilliseconds ?? 500;
  for (let i = 0; i < warmups; i++) run();
  const seconds: number[] = [];
  let spent = 0;
  while (seconds.length < maxRuns && (seconds.length < minRuns || spent < budget)) {
    const took = run();
    seconds.push(took);
    spent += took * 1000;
  }
  return median(seconds);
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
