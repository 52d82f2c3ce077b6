// The report's replay commands repeat the run they describe.
import { describe, expect, it } from 'vitest';
import { replayCommand } from './report.ts';

describe('replayCommand', () => {
  it('repeats the allocator, its --option values and the target, so the failure comes back', () => {
    expect(replayCommand({ allocator: 'debug', target: 'exercises', allocatorOptions: { scribble: true, checkHeapEach: 250 } }, 'traces/mixed.rep')).toBe(
      'npm run trace -- debug traces/mixed.rep --option scribble=true --option checkHeapEach=250',
    );
    expect(replayCommand({ allocator: 'zones', target: '/tmp/submission' }, 'failure.rep')).toBe('npm run trace -- zones failure.rep --target /tmp/submission');
  });
});
