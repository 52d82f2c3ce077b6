// The comparison claims only the ratios its measurements support.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatComparison } from './compare.ts';
import type { OpsPerSecondRange, TraceResult } from './driver.ts';
import type { TraceRun } from './run.ts';

/** A passing run of 1000 operations at `opsPerSecond`, its timed runs between `range`'s two speeds. */
function timed(opsPerSecond: number, range: OpsPerSecondRange): TraceRun {
  const result: TraceResult = {
    trace: 'traces/churn.rep',
    ops: 1000,
    checksPassed: 3000,
    failure: undefined,
    peakPayload: 500,
    peakFootprint: 1000,
    utilization: 0.5,
    peakVirtualBytes: 4096,
    peakResidentBytes: 4096,
    opsPerSecond,
    opsPerSecondRange: range,
    memoryOpsPerCall: 20,
    bytesMovedPerCall: 0,
    syscalls: {},
  };
  return { result, shrunk: undefined };
}

/** The "faster than" cell of each allocator's row for the trace, then of the average row. */
function fasterCells(table: string, id: string): string[] {
  // CI=true turns colours on: the average row starts with a bold code.
  return stripVTControlCharacters(table)
    .split('\n')
    .filter((line) => new RegExp(`^ +(churn\\.rep|average)? +${id} `).test(line))
    .map((line) => line.trim().split(/\s+/).at(-1) as string);
}

describe('formatComparison', () => {
  it('claims no speed ratio when the timed runs of the two overlap: the same allocator twice is ≈, not 17× faster', () => {
    const table = formatComparison(
      [
        { id: 'zones', runs: [timed(1.0e6, { slowest: 0.5e6, fastest: 1.4e6 })] },
        { id: 'zones2', runs: [timed(1.2e6, { slowest: 0.8e6, fastest: 1.5e6 })] },
      ],
      'solutions',
    );
    expect(fasterCells(table, 'zones2')).toEqual(['≈', '≈']);
    expect(table).toContain('≈ when the two are too close to call');
  });

  it('gives the ratio of the medians when every timed run of one beat every timed run of the other', () => {
    const table = formatComparison(
      [
        { id: 'free-list', runs: [timed(1e5, { slowest: 0.9e5, fastest: 1.1e5 })] },
        { id: 'zones', runs: [timed(2e6, { slowest: 1.5e6, fastest: 2.5e6 })] },
      ],
      'solutions',
    );
    expect(fasterCells(table, 'zones')).toEqual(['20×', '20×']);
  });

  it('sends a failure on several threads to a replay on as many', () => {
    const failed = timed(1e5, { slowest: 1e5, fastest: 1e5 });
    failed.result.failure = { check: 'alignment', opIndex: 3, message: 'malloc(16) returned 0x01000008, not 16-byte aligned' } as TraceResult['failure'];
    const runs = [{ id: 'zones', runs: [timed(1e5, { slowest: 1e5, fastest: 1e5 })] }, { id: 'magazines', runs: [failed] }];
    expect(stripVTControlCharacters(formatComparison(runs, 'solutions', 4))).toContain('The bytes around a failure, and a shrunk trace: npm run trace -- <allocator> <trace.rep> --threads 4, one allocator at a time.');
    expect(stripVTControlCharacters(formatComparison(runs, 'solutions'))).toContain('The bytes around a failure, and a shrunk trace: npm run trace -- <allocator> <trace.rep>, one allocator at a time.');
  });
});
