// `npm run trace -- free-list,realloc`: several allocators on the same traces, side by side,
// measured in one run, with each one's ratios to the first.

import { basename } from 'node:path';
import pc from 'picocolors';
import type { OpsPerSecondRange } from './driver.ts';
import { onThreads, percent, rate, renderTable, runsInTarget, times } from './report.ts';
import { averageOf, type TraceRun } from './run.ts';

/** What a row of the table shows: a trace's result, or an allocator's average. */
interface Figures {
  utilization?: number;
  memoryOpsPerCall?: number;
  opsPerSecond?: number;
  opsPerSecondRange?: OpsPerSecondRange;
}

export interface AllocatorRuns {
  id: string;
  runs: readonly TraceRun[];
}

/**
 * A row per allocator and trace: utilization, memory operations per call (the
 * machine-independent cost) and operations per second, then, for each allocator after the
 * first, how many times cheaper (fewer memory operations) and faster (ops/s) it is. With a
 * row for each allocator, the table is as wide for seven allocators as for two.
 */
export function formatComparison(given: readonly AllocatorRuns[], target: string, threads = 1): string {
  const all = given.map(({ id, runs }) => ({ id, runs: runsInTarget(runs, target) }));
  const [base] = all;
  const header = ['  trace', 'allocator', 'util', 'mem ops/call', 'ops/s', `cheaper than ${base.id}`, `faster than ${base.id}`];
  const traces = base.runs.map((r) => r.result.trace);
  const dash = pc.dim('—');
  // A ratio to nothing (bump makes no memory operation) says nothing.
  const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined || x === 0 || y === 0 ? dash : times(x / y));
  // bump's few operations a call (0.02: a break moved now and then) are not nothing.
  const perCall = (n: number) => (n > 0 && n < 0.1 ? n.toPrecision(1) : n.toFixed(1));
  // Wall-clock speed moves from run to run: a ratio is claimed only when every timed run of
  // one allocator was faster than every timed run of the other.
  const overlap = (a: OpsPerSecondRange | undefined, b: OpsPerSecondRange | undefined) => a !== undefined && b !== undefined && a.slowest <= b.fastest && b.slowest <= a.fastest;
  const faster = (row: Figures, first: Figures) => (overlap(row.opsPerSecondRange, first.opsPerSecondRange) ? '≈' : ratio(row.opsPerSecond, first.opsPerSecond));
  const figures = (id: string, k: number, row: Figures | undefined, first: Figures | undefined) => [
    id,
    row === undefined ? pc.red('fails') : row.utilization === undefined ? dash : percent(row.utilization),
    row?.memoryOpsPerCall === undefined ? dash : perCall(row.memoryOpsPerCall),
    row?.opsPerSecond === undefined ? dash : rate(row.opsPerSecond),
    k === 0 || row === undefined || first === undefined ? dash : ratio(first.memoryOpsPerCall, row.memoryOpsPerCall),
    k === 0 || row === undefined || first === undefined ? dash : faster(row, first),
  ];
  const rows = traces.flatMap((trace, i) => {
    const passed = all.map((a) => (a.runs[i].result.failure === undefined ? a.runs[i].result : undefined));
    return all.map((a, k) => [k === 0 ? `  ${basename(trace)}` : '', ...figures(a.id, k, passed[k], passed[0])]);
  });
  const averages = all.map((a) => averageOf(a.runs));
  const footer = all.map((a, k) => [k === 0 ? '  average' : '', ...figures(a.id, k, averages[k], averages[0])]);
  // Why each failure failed, in a line: the table only says that it did.
  const failures = all.flatMap((a) =>
    a.runs.flatMap(({ result: { trace, failure } }) =>
      failure === undefined ? [] : [`${pc.red('✗')} ${a.id} on ${basename(trace)}, at operation ${failure.opIndex}${failure.line === undefined ? '' : ` (line ${failure.line})`}: ${failure.message}`],
    ),
  );
  // On several threads a failure is replayed, and shrunk, on as many.
  if (failures.length > 0) failures.push(pc.dim(`The bytes around a failure, and a shrunk trace: npm run trace -- <allocator> <trace.rep>${threads === 1 ? '' : ` --threads ${threads}`}, one allocator at a time.`));
  return [
    pc.bold(`Allocators ${all.map((a) => a.id).join(', ')} (${target}) on ${traces.length} trace${traces.length === 1 ? '' : 's'}${onThreads(threads)}, in one run`),
    '',
    renderTable(header, rows, footer, 2),
    ...(failures.length === 0 ? [] : ['', ...failures]),
    '',
    pc.dim(
      `cheaper: ${base.id}'s memory operations per call over the other's (machine-independent); faster: the other's ops/s over ${base.id}'s (wall clock, the median of timed runs after a warm-up), ` +
        'or ≈ when the two are too close to call (some timed run of the slower was as fast as one of the faster). ' +
        'average: utilization is the mean over the traces an allocator passed; memory operations and ops/s are over all the calls of those traces, so long traces weigh more.',
    ),
  ].join('\n');
}
