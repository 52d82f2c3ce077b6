// The report's replay commands repeat the run they describe.
import { describe, expect, it } from 'vitest';
import { rate, replayCommand } from './report.ts';

describe('rate', () => {
  it('writes operations per second in at most four figures, rounding up into the next unit', () => {
    expect([812, 9_999.7, 54_600, 999_400, 999_600, 42_240_000].map(rate)).toEqual(['812', '10K', '55K', '999K', '1.0M', '42.2M']);
  });
});

describe('replayCommand', () => {
  it('repeats the allocator, its --option values and the target, so the failure comes back', () => {
    expect(replayCommand({ allocator: 'debug', target: 'exercises', allocatorOptions: { scribble: true, checkHeapEach: 250 } }, 'traces/mixed.rep')).toBe(
      'npm run trace -- debug traces/mixed.rep --option scribble=true --option checkHeapEach=250',
    );
    expect(replayCommand({ allocator: 'zones', target: '/tmp/submission' }, 'failure.rep')).toBe('npm run trace -- zones failure.rep --target /tmp/submission');
  });
});
