// The targets the book's reference allocators are held to (issues 6 and 7), checked against
// one run of `npm run bench`. Each is a line of data: an allocator, what is measured, and the
// bound. An allocator not in the registry yet is "not built yet"; once it is registered, its
// targets are measured with no change here.

import { basename } from 'node:path';
import { percent, times } from '../trace/report.ts';
import type { BenchRow } from './row.ts';
import { GLIBC_ID } from './glibc.ts';
import { THING_ID } from './thing.ts';

/** The shipped trace the speed targets are measured on (traces/churn.rep). */
export const CHURN_TRACE = 'churn.rep';

export type Measure =
  /** The mean utilization over the course traces of the run. */
  | { kind: 'utilization' }
  /** Operations per second over those of `versus` on the same trace: on every trace (the lowest counts), or on the churn trace. */
  | { kind: 'speedup'; versus: string; on: 'every trace' | 'churn' }
  /** Time over the time of `versus` on the churn trace (its ops/s over ours). */
  | { kind: 'time'; versus: string; on: 'churn' };

export interface TargetDefinition {
  allocator: string;
  /** The issues that set the target. */
  issues: readonly number[];
  measure: Measure;
  /** Above `bound` (strictly), at least, or at most. */
  compare: '>' | '>=' | '<=';
  bound: number;
}

export const TARGETS: readonly TargetDefinition[] = [
  { allocator: 'realloc', issues: [7], measure: { kind: 'utilization' }, compare: '>', bound: 0.9 },
  { allocator: 'zones', issues: [7], measure: { kind: 'utilization' }, compare: '>', bound: 0.85 },
  { allocator: 'zones', issues: [6], measure: { kind: 'utilization' }, compare: '>=', bound: 0.75 },
  { allocator: 'zones', issues: [7], measure: { kind: 'speedup', versus: THING_ID, on: 'every trace' }, compare: '>=', bound: 10 },
  { allocator: 'magazines', issues: [7], measure: { kind: 'speedup', versus: THING_ID, on: 'every trace' }, compare: '>=', bound: 10 },
  { allocator: 'zones', issues: [6, 7], measure: { kind: 'time', versus: 'bump', on: 'churn' }, compare: '<=', bound: 3 },
  { allocator: 'magazines', issues: [7], measure: { kind: 'time', versus: 'bump', on: 'churn' }, compare: '<=', bound: 3 },
  { allocator: 'zones', issues: [6], measure: { kind: 'speedup', versus: 'free-list', on: 'churn' }, compare: '>=', bound: 20 },
];

export type TargetStatus = 'pass' | 'short' | 'not built yet' | 'not measured';

export interface TargetResult {
  allocator: string;
  issues: number[];
  /** What is measured, and the bound: `average utilization over the course traces > 90%`. */
  target: string;
  status: TargetStatus;
  /** The figure compared with the bound; undefined when there is none. */
  measured: number | undefined;
  /** The figure as it reads, and where it comes from; or why there is none. */
  detail: string;
}

export interface TargetRun {
  /** Every row of the run: each allocator on each trace. */
  rows: readonly BenchRow[];
  /** The trace names that are a course's (read from a folder other than the workbook's traces/). */
  courseTraces: readonly string[];
}

const SIGN = { '>': '>', '>=': '≥', '<=': '≤' } as const;

/** How a value of `measure` reads: a percentage or a ratio. */
const format = (measure: Measure, value: number) => (measure.kind === 'utilization' ? percent(value) : times(value));

export function describeTarget(definition: TargetDefinition): string {
  const { measure } = definition;
  const what =
    measure.kind === 'utilization'
      ? 'average utilization over the course traces'
      : measure.kind === 'speedup'
        ? `ops/s over ${measure.versus}'s ${measure.on === 'churn' ? `on ${CHURN_TRACE}` : 'on every trace'}`
        : `time over ${measure.versus}'s on ${CHURN_TRACE}`;
  // A bound reads as it was set: 90%, 3×.
  const bound = measure.kind === 'utilization' ? `${Number((100 * definition.bound).toFixed(1))}%` : `${definition.bound}×`;
  return `${what} ${SIGN[definition.compare]} ${bound}`;
}

/** Each target, measured on the run's rows. */
export function evaluateTargets(run: TargetRun, targets: readonly TargetDefinition[] = TARGETS): TargetResult[] {
  return targets.map((definition) => {
    const result = (status: TargetStatus, measured: number | undefined, detail: string): TargetResult => ({
      allocator: definition.allocator,
      issues: [...definition.issues],
      target: describeTarget(definition),
      status,
      measured,
      detail,
    });
    const mine = run.rows.filter((r) => r.allocator === definition.allocator);
    if (mine.length === 0) return result('not built yet', undefined, `not built yet (no '${definition.allocator}' in workbook/allocators.ts)`);
    const measured = measure(definition.measure, definition.bound, mine, run);
    if ('missing' in measured) return result(measured.failed ? 'short' : 'not measured', undefined, measured.missing);
    const { value, where } = measured;
    const met = definition.compare === '>' ? value > definition.bound : definition.compare === '>=' ? value >= definition.bound : value <= definition.bound;
    return result(met ? 'pass' : 'short', value, `${format(definition.measure, value)}${where}`);
  });
}

type Measured = { value: number; where: string } | { missing: string; failed?: boolean };

function measure(measure: Measure, bound: number, mine: readonly BenchRow[], run: TargetRun): Measured {
  const failed = (rows: readonly BenchRow[]) => rows.filter((r) => r.failure !== undefined).map((r) => r.trace);
  if (measure.kind === 'utilization') {
    const course = mine.filter((r) => run.courseTraces.includes(r.trace));
    if (course.length === 0) return { missing: 'not measured (no course traces in this run: add them with --traces, as in --traces traces,../shared/traces)' };
    const failures = failed(course);
    if (failures.length > 0) return { missing: `fails on ${failures.join(', ')}`, failed: true };
    return { value: course.reduce((sum, r) => sum + (r.utilization as number), 0) / course.length, where: ` over ${course.length} course trace${course.length === 1 ? '' : 's'}` };
  }
  const theirs = run.rows.filter((r) => r.allocator === measure.versus);
  const onTraces = measure.on === 'churn' ? mine.filter((r) => basename(r.trace) === CHURN_TRACE) : mine;
  if (onTraces.length === 0) return { missing: `not measured (${CHURN_TRACE} is not in this run: it is in traces/, replayed without --traces or with --traces traces,…)` };
  const failures = failed(onTraces);
  if (failures.length > 0) return { missing: `fails on ${failures.join(', ')}`, failed: true };
  const ratios = speedups(onTraces, theirs);
  if (ratios.length === 0) return { missing: `not measured (no timed runs of both ${mine[0].allocator} and ${measure.versus})` };
  const worst = lowest(ratios);
  const left = onTraces.length - ratios.length;
  const leftOut = left === 0 ? '' : `; ${left} trace${left === 1 ? '' : 's'} without a figure for ${measure.versus}`;
  if (measure.kind === 'time') return { value: 1 / worst.speedup, where: ` on ${worst.trace}${workBeside(worst.trace, mine, theirs)}` };
  if (measure.on === 'churn') return { value: worst.speedup, where: ` on ${worst.trace}${workBeside(worst.trace, mine, theirs)}` };
  // How far from "every trace" a shortfall is: one slow trace, or all of them.
  const reached = ratios.filter((r) => r.speedup >= bound).length;
  const howMany = reached === ratios.length ? '' : `; reached on ${reached} of ${ratios.length} traces`;
  return { value: worst.speedup, where: ` at the lowest, on ${worst.trace}${howMany}${leftOut}${floorBeside(worst.trace, bound, theirs, run)}${nativeBeside(mine, theirs, run)}` };
}

/** Ours over theirs on each trace where both were timed. */
function speedups(mine: readonly BenchRow[], theirs: readonly BenchRow[]): Array<{ trace: string; speedup: number }> {
  return mine.flatMap((r) => {
    const other = theirs.find((t) => t.trace === r.trace)?.opsPerSecond;
    if (r.opsPerSecond === undefined || other === undefined || other <= 0) return [];
    return [{ trace: r.trace, speedup: r.opsPerSecond / other }];
  });
}

/** The lowest ratio: what "on every trace" means. */
const lowest = <T extends { speedup: number }>(ratios: readonly T[]) => ratios.reduce((a, b) => (b.speedup < a.speedup ? b : a));

/**
 * Beside a shortfall, the bump allocator's speed-up on the same trace when it too falls short
 * of the bound: bump only moves the break, so no allocator of the book, run on the same
 * simulated memory, can go faster there. The target then asks more than the machine allows.
 */
function floorBeside(trace: string, bound: number, theirs: readonly BenchRow[], run: TargetRun): string {
  const bump = run.rows.filter((r) => r.allocator === 'bump' && r.trace === trace);
  const [ratio] = speedups(bump, theirs);
  if (ratio === undefined || ratio.speedup >= bound) return '';
  return `; bump, which only moves the break, reaches ${times(ratio.speedup)} there`;
}

/**
 * Beside a speed-up on every trace, the C library's own over the same peer and traces, when
 * the run has it: how far compiled C gets on the same measure, for scale.
 */
function nativeBeside(mine: readonly BenchRow[], theirs: readonly BenchRow[], run: TargetRun): string {
  const native = run.rows.filter((r) => r.allocator === GLIBC_ID && mine.some((m) => m.trace === r.trace));
  const ratios = mine[0]?.allocator === GLIBC_ID ? [] : speedups(native, theirs);
  if (ratios.length === 0) return '';
  const worst = lowest(ratios);
  return ` (${GLIBC_ID}, compiled C: ${times(worst.speedup)} at its lowest, on ${worst.trace})`;
}

/**
 * Beside a time ratio, the work behind it: simulated loads and stores a call, ours and theirs
 * on `trace`. Time follows them, and unlike time they are the same on every machine. Empty for
 * a peer that runs outside the simulated memory.
 */
function workBeside(trace: string, mine: readonly BenchRow[], theirs: readonly BenchRow[]): string {
  const ours = mine.find((r) => r.trace === trace);
  const other = theirs.find((r) => r.trace === trace);
  if (ours?.memoryOpsPerCall === undefined || other?.memoryOpsPerCall === undefined) return '';
  const calls = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n > 0 && n < 0.1 ? n.toPrecision(1) : n.toFixed(1));
  return ` (${calls(ours.memoryOpsPerCall)} loads and stores a call against ${other.allocator}'s ${calls(other.memoryOpsPerCall)})`;
}
