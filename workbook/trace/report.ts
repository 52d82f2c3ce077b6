// What `npm run trace` prints: a table of the traces, then each failure with the bytes
// around it and the shrunk trace; or one JSON document with the same facts.

import pc from 'picocolors';
import { fileInTarget } from '../target.ts';
import { indent, stripAnsi } from '../text.ts';
import { hex } from '../../machine/index.ts';
import type { TraceFailure } from './driver.ts';
import { formatOp, writeRep } from './rep.ts';
import { averageOf, type TraceRun } from './run.ts';

export interface ReportHeading {
  allocator: string;
  target: string;
  /** The allocator's options the traces were replayed with (`--option`), so a replay can repeat them. */
  allocatorOptions?: object;
  /** The logical threads the calls were spread over (`--threads`, trace/threads.ts); 1 when absent. */
  threads?: number;
}

/** `, on 4 logical threads` after a table's count of traces, when the calls were spread over several. */
export function onThreads(threads = 1): string {
  return threads === 1 ? '' : `, on ${threads} logical threads`;
}

const COLUMNS = ['trace', 'ops', 'checks', 'util', 'ops/s', 'mem ops/call', 'virtual KiB', 'resident KiB'] as const;

/** The table, one row per trace and an average row. */
export function formatTable(runs: readonly TraceRun[], heading: ReportHeading): string {
  const rows: string[][] = runs.map(({ result: r }) => {
    const ok = r.failure === undefined;
    const dash = pc.dim('—');
    return [
      `${ok ? pc.green('✓') : pc.red('✗')} ${r.trace}`,
      String(r.ops),
      ok ? String(r.checksPassed) : pc.red(`${r.checksPassed} ✗`),
      ok ? percent(r.utilization) : dash,
      ok && r.opsPerSecond !== undefined ? rate(r.opsPerSecond) : dash,
      ok && r.memoryOpsPerCall !== undefined ? r.memoryOpsPerCall.toFixed(1) : dash,
      ok ? kib(r.peakVirtualBytes) : dash,
      ok ? kib(r.peakResidentBytes) : dash,
    ];
  });
  const average = averageOf(runs);
  const maybe = (value: number | undefined, format: (x: number) => string) => (value === undefined ? pc.dim('—') : format(value));
  // ops and checks add up; the other columns are averages (over the passing traces).
  const label = average.passed === average.traces ? 'all: sum / average' : average.passed === 0 ? 'all: sum (none passed)' : `all: sum / average of the ${average.passed} passing`;
  const footer = [
    `  ${label}`,
    String(runs.reduce((n, r) => n + r.result.ops, 0)),
    String(runs.reduce((n, r) => n + r.result.checksPassed, 0)),
    maybe(average.utilization, percent),
    maybe(average.opsPerSecond, rate),
    maybe(average.memoryOpsPerCall, (x) => x.toFixed(1)),
    maybe(average.peakVirtualBytes, kib),
    maybe(average.peakResidentBytes, kib),
  ];
  const header = COLUMNS.map((c, i) => (i === 0 ? `  ${c}` : c));
  return [pc.bold(`Allocator ${heading.allocator} (${heading.target}) on ${runs.length} trace${runs.length === 1 ? '' : 's'}${onThreads(heading.threads)}`), '', renderTable(header, rows, footer)].join('\n');
}

/** Columns aligned (the first to the left, the others to the right), a rule under the header and above the footer. */
export function renderTable(header: string[], rows: string[][], footer?: string[] | string[][], leftColumns = 1): string {
  const footers = footer === undefined ? [] : Array.isArray(footer[0]) ? (footer as string[][]) : [footer as string[]];
  const all = [header, ...rows, ...footers];
  const widths = header.map((_, i) => Math.max(...all.map((row) => visible(row[i] ?? '').length)));
  // Names to the left, figures to the right.
  const line = (row: string[]) => row.map((cell, i) => (i < leftColumns ? padEnd(cell, widths[i]) : padStart(cell, widths[i]))).join('  ');
  const rule = pc.dim('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  const lines = [pc.bold(line(header)), rule, ...rows.map(line)];
  if (footers.length > 0) lines.push(rule, ...footers.map((f) => pc.bold(line(f))));
  return lines.join('\n');
}

/**
 * The failures for the student: the first in full (where, what, the bytes, and the shrunk
 * trace that fails the same way), the others in a line or two each.
 */
export function formatFailures(runs: readonly TraceRun[], heading: ReportHeading): string {
  const failed = runsInTarget(runs, heading.target).filter((r) => r.result.failure !== undefined);
  const [first, ...others] = failed;
  if (first === undefined) return '';
  // The same message on every trace (code not written yet, say) is said once.
  const message = (run: TraceRun) => (run.result.failure as TraceFailure).message.replace(/^\w+\([^)]*\) /, ''); // without the call's arguments
  const same = others.filter((run) => message(run) === message(first));
  const different = others.filter((run) => message(run) !== message(first));
  const parts = [failureInFull(first, heading)];
  if (same.length > 0) parts.push(pc.dim(`The same failure on ${same.length} more trace${same.length === 1 ? '' : 's'}: ${same.map((r) => r.result.trace).join(', ')}.`));
  for (const run of different) {
    const failure = run.result.failure as TraceFailure;
    const again = replayCommand(heading, run.result.trace);
    parts.push([`${pc.red(pc.bold('✗'))} ${pc.bold(run.result.trace)}: ${where(failure)}`, indent(failure.message, 2), pc.dim(`  (In full, and shrunk: ${again})`)].join('\n'));
  }
  return parts.join('\n\n');
}

/** One failure in full: where, what, the bytes, and the shrunk trace that fails the same way. */
export function formatFailure(run: TraceRun, heading: ReportHeading): string {
  return failureInFull(runsInTarget([run], heading.target)[0], heading);
}

/** formatFailure of a run runsInTarget gave. */
function failureInFull({ result, shrunk }: TraceRun, heading: ReportHeading): string {
  const failure = result.failure as TraceFailure;
  const out: string[] = [`${pc.red(pc.bold('✗'))} ${pc.bold(result.trace)}: ${where(failure)}`, indent(describe(failure), 2)];
  if (shrunk === undefined) {
    if (failure.check === 'out-of-memory') out.push(pc.dim('  (Not shrunk: running out of memory depends on the whole trace, not on one operation.)'));
    if (failure.check === 'too-large') out.push(pc.dim(`  (Not shrunk: the request${failure.line === undefined ? '' : ` on line ${failure.line}`} fails alone, in any allocator.)`));
    return out.join('\n');
  }
  const small = shrunk.trace;
  const how = shrunk.minimal ? '' : pc.yellow(` (the time for shrinking ran out: a shorter one may exist)`);
  out.push(
    '',
    `  Shrunk to ${small.ops.length} operation${small.ops.length === 1 ? '' : 's'} (from ${shrunk.originalOps}, in ${shrunk.replays} replays, ${(shrunk.milliseconds / 1000).toFixed(1)} s)${how}:`,
    '',
    indent(pc.cyan(writeRep(small).trimEnd()), 4),
    '',
    `  which fails ${where(shrunk.failure)}`,
    indent(sameAsAbove(failure, shrunk.failure) ? failure.message : describe(shrunk.failure), 2),
    '',
    pc.dim(`  Save the trace above as a .rep file and replay it: ${replayCommand(heading, 'failure.rep')}`),
  );
  return out.join('\n');
}

/**
 * The runs with the lines of the allocator's code their failures name (`at …/bump.ts:12`),
 * the shrunk traces' included, in the target as the student gave it, not in the copy of a
 * target folder that ran (stageTarget), which is gone once the command ends. Every report
 * (the table's failures, the comparison's, --json) shows the runs through this.
 */
export function runsInTarget(runs: readonly TraceRun[], target: string): TraceRun[] {
  if (target === 'exercises' || target === 'solutions') return [...runs];
  let folder: string;
  try {
    folder = fileInTarget('.', target);
  } catch {
    return [...runs]; // the folder is gone: the copy's names are the best there are
  }
  const moved = (failure: TraceFailure): TraceFailure => {
    const { source } = failure;
    if (source === undefined || source.folder === folder) return failure;
    return { ...failure, message: failure.message.split(`at ${source.folder}/`).join(`at ${folder}/`), source: { ...source, folder } };
  };
  return runs.map(({ result, shrunk }) => ({
    result: result.failure === undefined ? result : { ...result, failure: moved(result.failure) },
    shrunk: shrunk === undefined ? undefined : { ...shrunk, failure: moved(shrunk.failure) },
  }));
}

/** Whether the shrunk trace's failure shows the same bytes as the original's, so one dump is enough. */
function sameAsAbove(a: TraceFailure, b: TraceFailure): boolean {
  return a.message === b.message && a.hexdump === b.hexdump;
}

/** The command that replays `trace` as it was replayed: the same allocator, options and target. */
export function replayCommand(heading: ReportHeading, trace: string): string {
  const options = Object.entries(heading.allocatorOptions ?? {}).map(([name, value]) => ` --option ${name}=${String(value)}`);
  const target = heading.target === 'exercises' ? '' : ` --target ${heading.target}`;
  const threads = (heading.threads ?? 1) === 1 ? '' : ` --threads ${heading.threads}`;
  return `npm run trace -- ${heading.allocator} ${trace}${options.join('')}${target}${threads}`;
}

/** `at operation 17 (line 21): a 3 4072` */
function where(failure: TraceFailure): string {
  if (failure.op === undefined) return 'after the last operation';
  const line = failure.line === undefined ? '' : ` (line ${failure.line})`;
  return `at operation ${failure.opIndex}${line}: ${pc.bold(formatOp(failure.op))}`;
}

function describe(failure: TraceFailure): string {
  const lines = [failure.message];
  if (failure.address !== undefined) {
    // An allocator's own HeapCorruption message often carries a dump already; one is enough.
    const dumped = /0x[0-9a-f]{8}: [0-9a-f]{2} /.test(failure.message);
    if (!dumped && failure.hexdump !== undefined) lines.push('', `the bytes around ${hex(failure.address)}:`, failure.hexdump);
  }
  return lines.join('\n');
}

/** The JSON document of `npm run trace -- --json`: what was not measured is null. */
export function toJson(runs: readonly TraceRun[], heading: ReportHeading): unknown {
  runs = runsInTarget(runs, heading.target);
  const document = {
    allocator: heading.allocator,
    target: heading.target,
    ...((heading.threads ?? 1) === 1 ? {} : { threads: heading.threads }),
    passed: runs.every((r) => r.result.failure === undefined),
    traces: runs.map(({ result, shrunk }) => ({
      ...result,
      status: result.failure === undefined ? 'pass' : 'fail',
      shrunk:
        shrunk === undefined
          ? undefined
          : { rep: writeRep(shrunk.trace), ops: shrunk.trace.ops.length, failure: shrunk.failure, replays: shrunk.replays, minimal: shrunk.minimal },
    })),
    average: averageOf(runs),
  };
  return JSON.parse(JSON.stringify(document, (_, value: unknown) => (value === undefined ? null : value)));
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A ratio: `42×`, `3.04×`, `0.0080×`. */
export function times(x: number): string {
  return x >= 10 ? `${x.toFixed(0)}×` : x >= 0.1 ? `${x.toFixed(2)}×` : `${x.toPrecision(2)}×`;
}

/** `42.2M`, `546K`, `812` operations per second. */
export function rate(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  if (x >= 999.5e3) return `${(x / 1e6).toFixed(1)}M`; // 999 600 is 1.0M, not 1000K
  if (x >= 9999.5) return `${(x / 1e3).toFixed(0)}K`;
  return x.toFixed(0);
}

function kib(bytes: number): string {
  return String(Math.round(bytes / 1024));
}

// Cells may hold colour codes: pad by what shows.
const visible = stripAnsi;

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visible(text).length));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visible(text).length)) + text;
}
