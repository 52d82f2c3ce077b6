// The report's replay commands repeat the run they describe.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileInTarget } from '../target.ts';
import type { TraceFailure, TraceResult } from './driver.ts';
import { parseRep } from './rep.ts';
import { rate, replayCommand, toJson } from './report.ts';
import type { TraceRun } from './run.ts';

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

describe('the lines of the allocator a failure names', () => {
  const submission = mkdtempSync(join(tmpdir(), 'report-target-'));
  afterAll(() => rmSync(submission, { recursive: true, force: true }));
  mkdirSync(join(submission, '01-bump'));
  // As a staged copy of the submission left them: a folder deleted when the command ends.
  const thrown = (op: number): TraceFailure => ({
    check: 'exception',
    opIndex: op,
    op: { kind: 'a', id: 0, bytes: 16 },
    line: 5,
    call: 'malloc(16)',
    message: 'malloc(16) threw SegmentationFault: read of 8 bytes at 0x00000010\n  at .target-sub-UiZpgO/01-bump/bump.ts:15',
    address: 0x10,
    hexdump: undefined,
    errorName: 'SegmentationFault',
    source: { folder: '.target-sub-UiZpgO', frames: ['01-bump/bump.ts:15'] },
  });
  const result = { trace: 'short.rep', ops: 1, checksPassed: 0, failure: thrown(0), peakPayload: 0, peakFootprint: 0, utilization: 0, peakVirtualBytes: 0, peakResidentBytes: 0, opsPerSecond: undefined, memoryOpsPerCall: undefined, bytesMovedPerCall: undefined, syscalls: {} } satisfies TraceResult;
  const shrunk = { trace: parseRep('0\n1\n1\n1\na 0 16\n', 'shrunk'), failure: thrown(0), originalOps: 1, replays: 1, milliseconds: 1, minimal: true };
  const runs: TraceRun[] = [{ result, shrunk }];

  it('are in the target as given in --json too, the shrunk failure\'s included, not in the copy that ran', () => {
    const folder = fileInTarget('.', submission);
    const document = JSON.stringify(toJson(runs, { allocator: 'bump', target: submission }));
    expect(document).not.toContain('.target-sub-UiZpgO');
    const [trace] = (JSON.parse(document) as { traces: Array<{ failure: TraceFailure; shrunk: { failure: TraceFailure } }> }).traces;
    for (const failure of [trace.failure, trace.shrunk.failure]) {
      expect(failure.source).toEqual({ folder, frames: ['01-bump/bump.ts:15'] });
      expect(failure.message).toContain(`\n  at ${folder}/01-bump/bump.ts:15`);
    }
  });
});
