// `npm run trace -- free-list,realloc`: several allocators on the same traces, side by side,
// measured in one run, with each one's ratios to the first.

import { basename } from 'node:path';
import pc from 'picocolors';
import { percent, rate, renderTable } from './report.ts';
import { averageOf, type TraceRun } from './run.ts';

export interface AllocatorRuns {
  id: string;
  runs: readonly TraceRun[];
}

/**
 * One row per trace: utilization, memory operations per call (the machine-independent
 * cost) and operations per second of each allocator, then, for each allocator after the
 * first, how many times cheaper (fewer memory operations) and faster (ops/s) it is.
 */
export function formatComparison(all: readonly AllocatorRuns[], target: string): string {
  const [base, ...others] = all;
  const header = ['  trace', ...all.map((a) => `util ${a.id}`), ...all.map((a) => `mem ops/call ${a.id}`), ...all.map((a) => `ops/s ${a.id}`)];
  for (const other of others) header.push(`cheaper ${other.id}`, `faster ${other.id}`);
  const traces = base.runs.map((r) => r.result.trace);
  const dash = pc.dim('—');
  const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined || y === 0 ? dash : `${(x / y).toFixed(2)}×`);
  const rows = traces.map((trace, i) => {
    const results = all.map((a) => a.runs[i].result);
    const ok = (k: number) => results[k].failure === undefined;
    const row = [`  ${basename(trace)}`];
    results.forEach((r, k) => row.push(ok(k) ? percent(r.utilization) : pc.red('fails')));
    results.forEach((r, k) => row.push(ok(k) && r.memoryOpsPerCall !== undefined ? r.memoryOpsPerCall.toFixed(1) : dash));
    results.forEach((r, k) => row.push(ok(k) && r.opsPerSecond !== undefined ? rate(r.opsPerSecond) : dash));
    for (let k = 1; k < all.length; k++) {
      const both = ok(0) && ok(k);
      row.push(both ? ratio(results[0].memoryOpsPerCall, results[k].memoryOpsPerCall) : dash);
      row.push(both ? ratio(results[k].opsPerSecond, results[0].opsPerSecond) : dash);
    }
    return row;
  });
  const averages = all.map((a) => averageOf(a.runs));
  const footer = ['  average'];
  averages.forEach((a) => footer.push(a.utilization === undefined ? dash : percent(a.utilization)));
  averages.forEach((a) => footer.push(a.memoryOpsPerCall === undefined ? dash : a.memoryOpsPerCall.toFixed(1)));
  averages.forEach((a) => footer.push(a.opsPerSecond === undefined ? dash : rate(a.opsPerSecond)));
  for (let k = 1; k < all.length; k++) {
    footer.push(ratio(averages[0].memoryOpsPerCall, averages[k].memoryOpsPerCall), ratio(averages[k].opsPerSecond, averages[0].opsPerSecond));
  }
  // Why each failure failed, in a line: the table only says that it did.
  const failures = all.flatMap((a) =>
    a.runs.flatMap(({ result: { trace, failure } }) =>
      failure === undefined ? [] : [`${pc.red('✗')} ${a.id} on ${basename(trace)}, at operation ${failure.opIndex}${failure.line === undefined ? '' : ` (line ${failure.line})`}: ${failure.message}`],
    ),
  );
  if (failures.length > 0) failures.push(pc.dim('The bytes around a failure, and a shrunk trace: npm run trace -- <allocator> <trace.rep>, one allocator at a time.'));
  return [
    pc.bold(`Allocators ${all.map((a) => a.id).join(', ')} (${target}) on ${traces.length} traces, in one run`),
    '',
    renderTable(header, rows, footer),
    ...(failures.length === 0 ? [] : ['', ...failures]),
    '',
    pc.dim(`cheaper: ${base.id}'s memory operations per call over the other's (machine-independent); faster: the other's ops/s over ${base.id}'s (wall clock).`),
  ].join('\n');
}
