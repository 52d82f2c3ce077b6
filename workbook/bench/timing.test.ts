import { describe, expect, it } from 'vitest';
import { median, medianSecondsSideBySide } from './timing.ts';

describe('timing side by side', () => {
  it('runs the allocators in turns, the order turning each round, each stopping on its own budget', () => {
    const calls: string[] = [];
    const fast = () => (calls.push('fast'), 0.001); // 1 ms: runs to maxRuns
    const slow = () => (calls.push('slow'), 0.4); // 400 ms: its budget is spent after 2 runs, so it stops at minRuns
    const medians = medianSecondsSideBySide([fast, slow], { warmups: 1, minRuns: 3, maxRuns: 5, budgetMilliseconds: 500 });
    expect(calls).toEqual([
      'fast', 'slow', // warm-up
      'fast', 'slow', // round 0
      'slow', 'fast', // round 1: the order has turned
      'fast', 'slow', // round 2: slow has its 3 runs and 1.2 s
      'fast', 'fast', // rounds 3 and 4: fast alone, up to maxRuns
    ]);
    expect(medians).toEqual([0.001, 0.4]);
  });

  it('takes the median of the timed runs, not the warm-up', () => {
    const seconds = [9, 3, 1, 2];
    const run = () => seconds.shift()!;
    expect(medianSecondsSideBySide([run], { warmups: 1, minRuns: 3, maxRuns: 3 })).toEqual([2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
