// `npm run bench`: every allocator of the book on every trace, beside two peers measured in
// the same run, @thi.ng/malloc (TypeScript, over an ArrayBuffer) and the C library's malloc;
// each row with its ops/s over bump's and over @thi.ng/malloc's on the same trace.
//
// The book's allocators come from the registry (workbook/allocators.ts), so a new chapter's
// allocator is benchmarked as soon as it is registered.

import { relative, resolve } from 'node:path';
import { ALLOCATORS, loadAllocator, type AllocatorEntry } from '../allocators.ts';
import { ROOT } from '../paths.ts';
import { readTraces } from '../trace/run.ts';
import type { Trace } from '../trace/rep.ts';
import { benchBook } from './book.ts';
import { GLIBC_ID, benchGlibc, buildReplayer } from './glibc.ts';
import { averageRows, type BenchAverage, type BenchRow } from './row.ts';
import { evaluateTargets, type TargetResult } from './targets.ts';
import { THING_ID, benchThing } from './thing.ts';
import type { TimingOptions } from './timing.ts';

export const BASELINE_ID = 'bump';

/** A trace and the file it was read from (the C replayer reads the file). */
export interface BenchTrace {
  trace: Trace;
  file: string;
  /** A course's trace: read from anywhere but the workbook's own traces/. */
  course: boolean;
}

/** The .rep files of `paths` (files or folders), named relative to `base`; a folder's file that is no trace goes to `onUnreadable`. */
export function readBenchTraces(paths: readonly string[], base: string, onUnreadable?: (error: Error) => void): BenchTrace[] {
  return readTraces(paths, base, onUnreadable).map((trace) => {
    const file = resolve(base, trace.name);
    return { trace, file, course: relative(resolve(ROOT, 'traces'), file).startsWith('..') };
  });
}

export interface BenchOptions {
  /** The book's allocators; default every one in the registry. */
  allocators?: readonly AllocatorEntry[];
  /** Where they come from: solutions (the default), exercises or a folder. */
  target?: string;
  /** false: utilization and memory operations only, no timed runs. */
  timing?: TimingOptions | false;
  /** Timed runs of the C replayer (it times itself). Default 7. */
  glibcRuns?: number;
  /** The C compiler; default $CC or cc. */
  cc?: string;
  /** What is being measured, and how many of the steps are done. */
  onProgress?: (message: string, done: number, total: number) => void;
}

/** A row with its speed against bump's and @thi.ng/malloc's on the same trace (or on average). */
export type Ratios = { vsBump: number | undefined; vsThing: number | undefined };

export interface BenchDocument {
  traces: string[];
  /** In the order of the table: the book's, then @thi.ng/malloc, then glibc (when measured). */
  allocators: string[];
  rows: (BenchRow & Ratios)[];
  averages: (BenchAverage & Ratios)[];
  /** Why something was not measured, such as a missing C compiler. */
  notes: string[];
  /** The reference allocators' targets, measured on this run. */
  targets: TargetResult[];
}

export async function benchAllocators(traces: readonly BenchTrace[], options: BenchOptions = {}): Promise<BenchDocument> {
  const entries = options.allocators ?? ALLOCATORS;
  const target = options.target ?? 'solutions';
  const timing = options.timing ?? {};
  const notes: string[] = [];
  const replayer = buildReplayer(options.cc);
  if ('missing' in replayer) notes.push(`glibc skipped: ${replayer.missing}.`);
  const columns = entries.length + 1 + ('path' in replayer ? 1 : 0);
  const total = columns * traces.length;
  let done = 0;
  const step = (allocator: string, trace: string) => options.onProgress?.(`${allocator} on ${trace}`, done++, total);

  const rows: BenchRow[] = [];
  for (const entry of entries) {
    const { createAllocator } = await loadAllocator(entry.id, target);
    for (const { trace } of traces) {
      step(entry.id, trace.name);
      rows.push(benchBook(entry.id, trace, (proc) => createAllocator(proc), timing));
    }
  }
  for (const { trace } of traces) {
    step(THING_ID, trace.name);
    rows.push(benchThing(trace, timing));
  }
  if ('path' in replayer) {
    for (const { trace, file } of traces) {
      step(GLIBC_ID, trace.name);
      rows.push(benchGlibc(replayer.path, file, trace.name, trace.ops.length, timing === false ? 1 : (options.glibcRuns ?? 7)));
    }
  }
  options.onProgress?.('done', total, total);

  const allocators = [...entries.map((e) => e.id), THING_ID, ...('path' in replayer ? [GLIBC_ID] : [])];
  const ratio = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined || y === 0 || !Number.isFinite(y) ? undefined : x / y);
  const speedOf = (allocator: string, trace: string) => rows.find((r) => r.allocator === allocator && r.trace === trace)?.opsPerSecond;
  const withRatios = rows.map((r) => ({ ...r, vsBump: ratio(r.opsPerSecond, speedOf(BASELINE_ID, r.trace)), vsThing: ratio(r.opsPerSecond, speedOf(THING_ID, r.trace)) }));
  // A ratio's average is the geometric mean of the traces' ratios: one trace 100× faster and
  // one 100× slower average to 1×, and no single slow trace decides the figure.
  const geometricMean = (values: (number | undefined)[]) => {
    const known = values.filter((x): x is number => x !== undefined && x > 0 && Number.isFinite(x));
    return known.length === 0 ? undefined : Math.exp(known.reduce((sum, x) => sum + Math.log(x), 0) / known.length);
  };
  return {
    traces: traces.map((t) => t.trace.name),
    allocators,
    rows: withRatios,
    averages: allocators.map((id) => {
      const mine = withRatios.filter((r) => r.allocator === id);
      return { ...averageRows(id, mine), vsBump: geometricMean(mine.map((r) => r.vsBump)), vsThing: geometricMean(mine.map((r) => r.vsThing)) };
    }),
    notes,
    targets: evaluateTargets({ rows, courseTraces: traces.filter((t) => t.course).map((t) => t.trace.name) }),
  };
}

/** The document as JSON: what was not measured is null. */
export function benchJson(document: BenchDocument): unknown {
  return JSON.parse(JSON.stringify(document, (_, value: unknown) => (value === undefined ? null : value === Infinity ? null : value)));
}
