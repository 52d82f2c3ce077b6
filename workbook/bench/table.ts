// What `npm run bench` prints: a table per allocator (its traces, then its average row),
// then a summary table with one row of averages per allocator.

import pc from 'picocolors';
import { percent, rate, renderTable, times } from '../trace/report.ts';
import { BASELINE_ID, type BenchDocument } from './allocators.ts';
import type { TargetResult } from './targets.ts';
import { THING_ID } from './thing.ts';

const HEADER = ['util', 'mem ops/call', 'ops/s', `× ${BASELINE_ID}`, `× ${THING_ID}`];

type Cells = { utilization: number | undefined; memoryOpsPerCall: number | undefined; opsPerSecond: number | undefined; vsBump: number | undefined; vsThing: number | undefined };

function cells(r: Cells): string[] {
  const dash = pc.dim('—');
  const ratio = (x: number | undefined) => (x === undefined ? dash : times(x));
  return [
    r.utilization === undefined ? dash : percent(r.utilization),
    r.memoryOpsPerCall === undefined ? dash : r.memoryOpsPerCall.toFixed(1),
    r.opsPerSecond === undefined ? dash : rate(r.opsPerSecond),
    ratio(r.vsBump),
    ratio(r.vsThing),
  ];
}

export function formatBench(document: BenchDocument, heading: string): string {
  const out: string[] = [pc.bold(heading), ''];
  for (const id of document.allocators) {
    const rows = document.rows
      .filter((r) => r.allocator === id)
      .map((r) => (r.failure === undefined ? [`  ${r.trace}`, ...cells(r)] : [`  ${r.trace}`, pc.red('fails'), '', '', '', '']));
    const average = document.averages.find((a) => a.allocator === id);
    const footer = average === undefined ? undefined : [`  average (${average.passed}/${average.traces} passed)`, ...cells(average)];
    out.push(renderTable([pc.cyan(id), ...HEADER], rows, footer), '');
    for (const r of document.rows.filter((row) => row.allocator === id && row.failure !== undefined)) out.push(pc.red(`  ${r.trace}: ${r.failure}`), '');
  }
  out.push(pc.bold('Summary: averages over the traces'), '');
  out.push(renderTable(['  allocator', ...HEADER], document.averages.map((a) => [`  ${a.allocator}`, ...cells(a)])));
  for (const note of document.notes) out.push('', pc.yellow(note));
  out.push(
    '',
    pc.dim(
      [
        "util: peak live payload / peak footprint, sampled after every operation (the book: heap + mmap'd pages written at",
        'least once; @thi.ng/malloc: pool top; glibc: mallinfo2 arena + hblkhd). mem ops/call: loads and stores in the simulated',
        'memory, the same on every machine (the peers run outside it). ops/s: median of timed runs after a warm-up, wall clock;',
        `the average is all operations over all the time. × ${BASELINE_ID}, × ${THING_ID}: ops/s over theirs on the same trace; on average,`,
        'the geometric mean of those.',
      ].join('\n'),
    ),
  );
  if (document.targets.length > 0) out.push('', formatTargets(document.targets));
  return out.join('\n');
}

/** A line per target: pass or short, with the figure measured and the bound; or why there is no figure. */
export function formatTargets(targets: readonly TargetResult[]): string {
  const issues = [...new Set(targets.flatMap((t) => t.issues))].sort((a, b) => a - b);
  const verdict = (t: TargetResult) => (t.status === 'pass' ? pc.green('pass ') : t.status === 'short' ? pc.red('short') : pc.dim('  —  '));
  const issue = (t: TargetResult) => t.issues.map((n) => `#${n}`).join(' ');
  const width = Math.max(...targets.map((t) => t.allocator.length));
  const issueWidth = Math.max(...targets.map((t) => issue(t).length));
  const lines = targets.map((t) => {
    const detail = t.status === 'pass' || t.status === 'short' ? t.detail : pc.dim(t.detail);
    return `  ${verdict(t)}  ${t.allocator.padEnd(width)}  ${pc.dim(issue(t).padEnd(issueWidth))}  ${t.target}: ${detail}`;
  });
  // A student reads this too: the targets are the book's, for its own reference allocators, not a grade of theirs.
  const heading = `The book's targets for its reference allocators (issue${issues.length === 1 ? '' : 's'} ${issues.join(' and ')} of its tracker; "short": not reached yet)`;
  return [pc.bold(heading), '', ...lines].join('\n');
}
