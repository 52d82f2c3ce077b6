import { describe, expect, it } from 'vitest';
import { median, medianSeconds, timedSeconds } from './timing.ts';

/**
 * A run that reports the next of `seconds` each time and counts its calls, with a clock that
 * it moves on by those seconds plus `setupMilliseconds` (a fresh process to build, say).
 */
function scripted(seconds: number[], setupMilliseconds = 0) {
  let calls = 0;
  let now = 0;
  return {
    run: () => {
      const took = seconds[Math.min(calls++, seconds.length - 1)];
      now += setupMilliseconds + took * 1000;
      return took;
    },
    clock: () => now,
    get calls() {
      return calls;
    },
  };
}

describe('medianSeconds', () => {
  it('warms up until the untimed runs have taken warmupMilliseconds, so slow first runs are not timed', () => {
    // Five compiling runs of 50 ms, then steady 1 ms runs.
    const runs = scripted([0.05, 0.05, 0.05, 0.05, 0.05, 0.001]);
    const seconds = medianSeconds(runs.run, { warmupMilliseconds: 250, minRuns: 3, maxRuns: 3, clock: runs.clock });
    expect(seconds).toBe(0.001);
    expect(runs.calls).toBe(5 + 3);
  });

  it('counts the setup of each run in the warm-up, so a short trace with a costly setup does not warm up for long', () => {
    const runs = scripted([0.0001], 10); // 0.1 ms of replay after 10 ms of setup
    medianSeconds(runs.run, { warmupMilliseconds: 250, minRuns: 3, maxRuns: 3, clock: runs.clock });
    expect(runs.calls).toBe(25 + 3);
  });

  it('does at least `warmups` untimed runs, and one slow run is warm-up enough', () => {
    const slow = scripted([0.7]);
    medianSeconds(slow.run, { warmupMilliseconds: 250, minRuns: 3, clock: slow.clock });
    expect(slow.calls).toBe(1 + 3); // 700 ms of warm-up, then minRuns (each over the 500 ms budget)
    const counted = scripted([0.001]);
    medianSeconds(counted.run, { warmups: 4, warmupMilliseconds: 0, minRuns: 1, maxRuns: 1, clock: counted.clock });
    expect(counted.calls).toBe(4 + 1);
  });

  it('takes the median of the timed runs, which one slow run does not move', () => {
    const runs = scripted([0.002, 0.002, 0.002, 0.009, 0.002, 0.002, 0.002]);
    expect(medianSeconds(runs.run, { warmups: 0, warmupMilliseconds: 0, minRuns: 7, maxRuns: 7, clock: runs.clock })).toBe(0.002);
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });
});

describe('timedSeconds', () => {
  it('gives every timed run, in order, and none of the warm-up: what medianSeconds takes the median of', () => {
    const runs = scripted([0.05, 0.003, 0.001, 0.002, 0.004, 0.001, 0.002, 0.001]);
    const options = { warmups: 1, warmupMilliseconds: 0, minRuns: 5, maxRuns: 7, budgetMilliseconds: 1000 };
    expect(timedSeconds(runs.run, { ...options, clock: runs.clock })).toEqual([0.003, 0.001, 0.002, 0.004, 0.001, 0.002, 0.001]);
  });
});
