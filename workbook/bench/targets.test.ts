// The targets of npm run bench, measured on rows made up for the purpose: what passes, what
// falls short, and what cannot be measured in a run, with the reason.

import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../text.ts';
import type { BenchRow } from './row.ts';
import { formatTargets } from './table.ts';
import { TARGETS, describeTarget, evaluateTargets, type TargetDefinition } from './targets.ts';
import { GLIBC_ID } from './glibc.ts';
import { THING_ID } from './thing.ts';

function row(allocator: string, trace: string, figures: Partial<BenchRow> = {}): BenchRow {
  return { allocator, trace, ops: 1000, utilization: 0.9, memoryOpsPerCall: undefined, opsPerSecond: 1e6, failure: undefined, ...figures };
}

const UTILIZATION: TargetDefinition = { allocator: 'realloc', issues: [7], measure: { kind: 'utilization' }, compare: '>', bound: 0.9 };
const EVERY_TRACE: TargetDefinition = { allocator: 'zones', issues: [7], measure: { kind: 'speedup', versus: THING_ID, on: 'every trace' }, compare: '>=', bound: 10 };
const CHURN_TIME: TargetDefinition = { allocator: 'zones', issues: [6, 7], measure: { kind: 'time', versus: 'bump', on: 'churn' }, compare: '<=', bound: 3 };
const CHURN_SPEEDUP: TargetDefinition = { allocator: 'zones', issues: [6], measure: { kind: 'speedup', versus: 'free-list', on: 'churn' }, compare: '>=', bound: 20 };

describe('the targets of npm run bench', () => {
  it('holds realloc, zones and magazines to the figures of issues 6 and 7', () => {
    expect(TARGETS.map((t) => `${t.allocator}: ${describeTarget(t)}`)).toEqual([
      'realloc: average utilization over the course traces > 90%',
      'zones: average utilization over the course traces > 85%',
      'zones: average utilization over the course traces ≥ 75%',
      "zones: ops/s over @thi.ng/malloc's on every trace ≥ 10×",
      "magazines: ops/s over @thi.ng/malloc's on every trace ≥ 10×",
      "zones: time over bump's on churn.rep ≤ 3×",
      "magazines: time over bump's on churn.rep ≤ 3×",
      "zones: ops/s over free-list's on churn.rep ≥ 20×",
    ]);
  });

  it('an allocator that is not registered yet is "not built yet", whatever its target', () => {
    const [result] = evaluateTargets({ rows: [row('realloc', 'a.rep')], courseTraces: ['a.rep'] }, [EVERY_TRACE]);
    expect(result).toMatchObject({ allocator: 'zones', status: 'not built yet', measured: undefined, issues: [7] });
    expect(result.detail).toContain("no 'zones' in workbook/allocators.ts");
  });

  it('utilization: the mean over the course traces only, strictly above the bound', () => {
    const rows = [row('realloc', 'course/a.rep', { utilization: 0.95 }), row('realloc', 'course/b.rep', { utilization: 0.9 }), row('realloc', 'traces/tiny.rep', { utilization: 0.3 })];
    const [result] = evaluateTargets({ rows, courseTraces: ['course/a.rep', 'course/b.rep'] }, [UTILIZATION]);
    expect(result.status).toBe('pass');
    expect(result.measured).toBeCloseTo(0.925, 10);
    expect(result.detail).toBe('92.5% over 2 course traces');
    const [exactly] = evaluateTargets({ rows, courseTraces: ['course/b.rep'] }, [UTILIZATION]);
    expect(exactly.status, '90% is not above 90%').toBe('short');
  });

  it('utilization: not measured without course traces, short when one of them fails', () => {
    const rows = [row('realloc', 'traces/tiny.rep'), row('realloc', 'course/a.rep', { utilization: undefined, failure: 'overlap at operation 3' })];
    const [none] = evaluateTargets({ rows, courseTraces: [] }, [UTILIZATION]);
    expect(none.status).toBe('not measured');
    expect(none.detail).toContain('--traces');
    const [failed] = evaluateTargets({ rows, courseTraces: ['course/a.rep'] }, [UTILIZATION]);
    expect(failed).toMatchObject({ status: 'short', measured: undefined, detail: 'fails on course/a.rep' });
  });

  it('speed on every trace: the lowest ratio counts, and names its trace', () => {
    const rows = [
      row('zones', 'a.rep', { opsPerSecond: 5e6 }),
      row('zones', 'b.rep', { opsPerSecond: 2e6 }),
      row(THING_ID, 'a.rep', { opsPerSecond: 1e5 }),
      row(THING_ID, 'b.rep', { opsPerSecond: 1e5 }),
    ];
    const [pass] = evaluateTargets({ rows, courseTraces: [] }, [EVERY_TRACE]);
    expect(pass).toMatchObject({ status: 'pass', measured: 20, detail: '20× at the lowest, on b.rep' });
    const slower = rows.map((r) => (r.allocator === 'zones' && r.trace === 'b.rep' ? { ...r, opsPerSecond: 5e5 } : r));
    const [short] = evaluateTargets({ rows: slower, courseTraces: [] }, [EVERY_TRACE]);
    expect(short).toMatchObject({ status: 'short', measured: 5, detail: '5.00× at the lowest, on b.rep; reached on 1 of 2 traces' });
  });

  it('speed on every trace: beside it, how far the C library gets on the same measure, when the run has it', () => {
    const rows = [
      row('zones', 'a.rep', { opsPerSecond: 2e5 }),
      row('zones', 'b.rep', { opsPerSecond: 4e5 }),
      row(GLIBC_ID, 'a.rep', { opsPerSecond: 3e6 }),
      row(GLIBC_ID, 'b.rep', { opsPerSecond: 8e5 }),
      row(GLIBC_ID, 'course-only.rep', { opsPerSecond: 1 }), // not a trace zones ran: left out
      row(THING_ID, 'a.rep', { opsPerSecond: 1e5 }),
      row(THING_ID, 'b.rep', { opsPerSecond: 1e5 }),
    ];
    const [result] = evaluateTargets({ rows, courseTraces: [] }, [EVERY_TRACE]);
    expect(result.detail).toBe('2.00× at the lowest, on a.rep; reached on 0 of 2 traces (glibc, compiled C: 8.00× at its lowest, on b.rep)');
    const [without] = evaluateTargets({ rows: rows.filter((r) => r.allocator !== GLIBC_ID), courseTraces: [] }, [EVERY_TRACE]);
    expect(without.detail).toBe('2.00× at the lowest, on a.rep; reached on 0 of 2 traces');
  });

  it("speed on every trace: beside a shortfall, bump's own figure on that trace when it falls short too", () => {
    const rows = [
      row('zones', 'a.rep', { opsPerSecond: 2e5 }),
      row('zones', 'b.rep', { opsPerSecond: 4e6 }),
      row('bump', 'a.rep', { opsPerSecond: 5e5 }),
      row('bump', 'b.rep', { opsPerSecond: 9e6 }),
      row(THING_ID, 'a.rep', { opsPerSecond: 1e5 }),
      row(THING_ID, 'b.rep', { opsPerSecond: 1e5 }),
    ];
    const [result] = evaluateTargets({ rows, courseTraces: [] }, [EVERY_TRACE]);
    expect(result.detail).toBe('2.00× at the lowest, on a.rep; reached on 1 of 2 traces; bump, which only moves the break, reaches 5.00× there');
    const fastBump = rows.map((r) => (r.allocator === 'bump' ? { ...r, opsPerSecond: 5e6 } : r));
    const [reachable] = evaluateTargets({ rows: fastBump, courseTraces: [] }, [EVERY_TRACE]);
    expect(reachable.detail, 'bump reaches the bound there: nothing to add').toBe('2.00× at the lowest, on a.rep; reached on 1 of 2 traces');
  });

  it('speed on every trace: untimed runs are not measured, and a trace the peer has no figure for is left out', () => {
    const untimed = [row('zones', 'a.rep', { opsPerSecond: undefined }), row(THING_ID, 'a.rep', { opsPerSecond: undefined })];
    expect(evaluateTargets({ rows: untimed, courseTraces: [] }, [EVERY_TRACE])[0].status).toBe('not measured');
    const rows = [row('zones', 'a.rep', { opsPerSecond: 2e6 }), row('zones', 'b.rep'), row(THING_ID, 'a.rep', { opsPerSecond: 1e5 }), row(THING_ID, 'b.rep', { opsPerSecond: undefined, failure: 'out of memory' })];
    const [result] = evaluateTargets({ rows, courseTraces: [] }, [EVERY_TRACE]);
    expect(result).toMatchObject({ status: 'pass', measured: 20 });
    expect(result.detail).toContain(`1 trace without a figure for ${THING_ID}`);
  });

  it('churn.rep: time over bump\'s at most the bound, speed over free-list\'s at least; not measured without the trace', () => {
    const rows = [
      row('zones', 'traces/churn.rep', { opsPerSecond: 4e6 }),
      row('bump', 'traces/churn.rep', { opsPerSecond: 1e7 }),
      row('free-list', 'traces/churn.rep', { opsPerSecond: 1e5 }),
      row('zones', 'traces/tiny.rep', { opsPerSecond: 1 }), // far slower, but not the churn trace
      row('bump', 'traces/tiny.rep', { opsPerSecond: 1e7 }),
    ];
    const [time, speedup] = evaluateTargets({ rows, courseTraces: [] }, [CHURN_TIME, CHURN_SPEEDUP]);
    expect(time).toMatchObject({ status: 'pass', measured: 2.5, detail: '2.50× on traces/churn.rep', issues: [6, 7] });
    expect(speedup).toMatchObject({ status: 'pass', measured: 40, detail: '40× on traces/churn.rep' });
    const [slow] = evaluateTargets({ rows: rows.map((r) => (r.allocator === 'zones' ? { ...r, opsPerSecond: 2e6 } : r)), courseTraces: [] }, [CHURN_TIME]);
    expect(slow).toMatchObject({ status: 'short', measured: 5 });
    const [missing] = evaluateTargets({ rows: rows.filter((r) => !r.trace.endsWith('churn.rep')), courseTraces: [] }, [CHURN_TIME]);
    expect(missing.status).toBe('not measured');
    expect(missing.detail).toContain('churn.rep is not in this run');
  });

  it('churn.rep: beside a ratio to another allocator of the book, the loads and stores a call of both', () => {
    const rows = [
      row('zones', 'traces/churn.rep', { opsPerSecond: 1e6, memoryOpsPerCall: 31.46 }),
      row('bump', 'traces/churn.rep', { opsPerSecond: 8e6, memoryOpsPerCall: 0.05 }),
      row('free-list', 'traces/churn.rep', { opsPerSecond: 1e4, memoryOpsPerCall: 1234.4 }),
    ];
    const [time, speedup] = evaluateTargets({ rows, courseTraces: [] }, [CHURN_TIME, CHURN_SPEEDUP]);
    expect(time.detail).toBe("8.00× on traces/churn.rep (31.5 loads and stores a call against bump's 0.05)");
    expect(speedup.detail).toBe("100× on traces/churn.rep (31.5 loads and stores a call against free-list's 1,234)");
  });

  it('a failure on the trace measured makes the target short', () => {
    const rows = [row('zones', 'traces/churn.rep', { opsPerSecond: undefined, failure: 'overlap' }), row('bump', 'traces/churn.rep')];
    expect(evaluateTargets({ rows, courseTraces: [] }, [CHURN_TIME])[0]).toMatchObject({ status: 'short', detail: 'fails on traces/churn.rep' });
  });

  it('prints a line per target after the table: pass or short with the figure, or why there is none', () => {
    const rows = [row('realloc', 'course/a.rep', { utilization: 0.95 }), row('zones', 'course/a.rep', { utilization: 0.8 })];
    const text = stripAnsi(formatTargets(evaluateTargets({ rows, courseTraces: ['course/a.rep'] })));
    const lines = text.split('\n');
    expect(lines[0]).toBe('The book\'s targets for its reference allocators (issues 6 and 7 of its tracker; "short": not reached yet)');
    expect(lines).toContain('  pass   realloc    #7     average utilization over the course traces > 90%: 95.0% over 1 course trace');
    expect(lines).toContain('  short  zones      #7     average utilization over the course traces > 85%: 80.0% over 1 course trace');
    expect(lines.filter((l) => l.includes('magazines')).every((l) => l.includes('not built yet'))).toBe(true);
  });
});
