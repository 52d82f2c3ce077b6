// `npm run trace`'s work, apart from printing: find the trace files, replay each one,
// and shrink each failure to a short trace that fails the same way.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { CreateAllocator } from '../../machine/index.ts';
import { replay, type OpsPerSecondRange, type ReplayOptions, type TraceResult } from './driver.ts';
import { readRep, type Trace } from './rep.ts';
import { shrink, type ShrinkOptions, type ShrinkResult } from './shrink.ts';
import { spread, threadsOf } from './threads.ts';

/**
 * The .rep files named by `paths` (files, or folders whose .rep files are taken in name
 * order), each read and checked. Paths are read from `base`; a missing one is named as
 * typed, a trace relative to `base`. A file named itself that is not a trace throws; one
 * found in a folder goes to `onUnreadable`, if given, and the folder's other traces are
 * read (one bad file of a course's forty need not stop the rest).
 */
export function readTraces(paths: readonly string[], base: string, onUnreadable?: (error: Error) => void): Trace[] {
  const files: Array<{ file: string; inFolder: boolean }> = [];
  for (const typed of paths) {
    const path = resolve(base, typed);
    if (!existsSync(path)) throw new Error(`There is no trace file or folder ${typed}.`);
    if (statSync(path).isDirectory()) {
      const found = readdirSync(path).filter((f) => f.endsWith('.rep')).sort();
      if (found.length === 0) throw new Error(`The folder ${typed} holds no .rep traces.`);
      files.push(...found.map((f) => ({ file: join(path, f), inFolder: true })));
    } else files.push({ file: path, inFolder: false });
  }
  const traces = files.flatMap(({ file, inFolder }) => {
    try {
      return [readRep(file, relative(base, file))];
    } catch (error) {
      if (!inFolder || onUnreadable === undefined || !(error instanceof Error)) throw error;
      onUnreadable(error);
      return [];
    }
  });
  if (traces.length === 0 && files.length > 0) throw new Error(`None of the ${files.length} .rep files is a trace that can be read (the reasons are above).`);
  return traces;
}

export interface TraceRun {
  result: TraceResult;
  /** For a failure (other than running out of memory): the shortest trace found that fails the same way. */
  shrunk: ShrinkResult | undefined;
}

export interface RunOptions {
  replay?: Omit<ReplayOptions, 'onProgress'>;
  /** Which failures to shrink: every one, only the first (the default), or none. */
  shrink?: 'all' | 'first' | false;
  /** The shrinker's budget. */
  shrinkOptions?: Omit<ShrinkOptions, 'onProgress' | 'replay'>;
  /** What is happening, for a progress line: `binary.rep: 2048/4000 operations`. */
  onProgress?: (message: string) => void;
  /** Called as each trace begins, with its index. */
  onTrace?: (index: number) => void;
  /** The logical threads each trace's calls are spread over (threads.ts); 1, the default, keeps them all on thread 0. */
  threads?: number;
}

/** Replays every trace through the allocator, one fresh process each. */
export function runTraces(traces: readonly Trace[], create: CreateAllocator, options: RunOptions = {}): TraceRun[] {
  const progress = options.onProgress ?? (() => {});
  const which = options.shrink ?? 'first';
  let failures = 0;
  return traces.map((trace, n) => {
    options.onTrace?.(n);
    const label = `[${n + 1}/${traces.length}] ${trace.name}`;
    progress(`${label}: replaying ${trace.ops.length} operations`);
    const threads = options.threads ?? 1;
    const result = replay(trace, threads === 1 ? create : spread(trace, create, threadsOf(threads)), {
      ...options.replay,
      onProgress: (done, total) => progress(`${label}: ${done}/${total} operations checked`),
    });
    let shrunk: ShrinkResult | undefined;
    // Running out of memory is about the whole trace, not one operation, and a request too
    // large for any process is the trace's own: nothing to shrink.
    // Code not written yet (a todo) is not a bug to shrink.
    const unwritten = result.failure?.message.includes('Not written yet') === true;
    const shrinking = !unwritten && (which === 'all' || (which === 'first' && failures === 0));
    if (result.failure !== undefined && result.failure.check !== 'out-of-memory' && result.failure.check !== 'too-large' && shrinking) {
      progress(`${label}: failed at operation ${result.failure.opIndex}; shrinking`);
      shrunk = shrink(trace, result.failure, create, {
        ...options.shrinkOptions,
        replay: options.replay,
        threads,
        onProgress: ({ ops, replays }) => progress(`${label}: shrunk to ${ops} operations (${replays} replays)`),
      });
    }
    if (result.failure !== undefined) failures++;
    return { result, shrunk };
  });
}

/** The average row: utilization and sizes averaged over the passing traces, speed over all their operations. */
export interface TraceAverage {
  traces: number;
  passed: number;
  utilization: number | undefined;
  opsPerSecond: number | undefined;
  /** As opsPerSecond, from each trace's slowest and fastest timed runs. */
  opsPerSecondRange: OpsPerSecondRange | undefined;
  memoryOpsPerCall: number | undefined;
  peakVirtualBytes: number | undefined;
  peakResidentBytes: number | undefined;
}

export function averageOf(runs: readonly TraceRun[]): TraceAverage {
  const passed = runs.map((r) => r.result).filter((r) => r.failure === undefined);
  const mean = (values: number[]) => (values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length);
  const timed = passed.filter((r) => r.opsPerSecond !== undefined && r.opsPerSecond > 0);
  const ops = timed.reduce((n, r) => n + r.ops, 0);
  const seconds = timed.reduce((s, r) => s + r.ops / (r.opsPerSecond as number), 0);
  const ranged = timed.every((r) => r.opsPerSecondRange !== undefined);
  const over = (rate: (r: TraceResult) => number) => ops / timed.reduce((s, r) => s + r.ops / rate(r), 0);
  const counted = passed.filter((r) => r.memoryOpsPerCall !== undefined);
  const calls = counted.reduce((n, r) => n + r.ops, 0);
  return {
    traces: runs.length,
    passed: passed.length,
    utilization: mean(passed.map((r) => r.utilization)),
    // As CS:APP's mdriver: all the operations over all the time, so long traces weigh more.
    opsPerSecond: timed.length === 0 ? undefined : seconds === 0 ? Infinity : ops / seconds,
    opsPerSecondRange:
      timed.length === 0 || !ranged ? undefined : { slowest: over((r) => (r.opsPerSecondRange as OpsPerSecondRange).slowest), fastest: over((r) => (r.opsPerSecondRange as OpsPerSecondRange).fastest) },
    memoryOpsPerCall: calls === 0 ? undefined : counted.reduce((n, r) => n + (r.memoryOpsPerCall as number) * r.ops, 0) / calls,
    peakVirtualBytes: mean(passed.map((r) => r.peakVirtualBytes)),
    peakResidentBytes: mean(passed.map((r) => r.peakResidentBytes)),
  };
}
