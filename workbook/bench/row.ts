// One allocator on one trace, as `npm run bench` measures it, whichever allocator it is:
// one of the book's (replayed in the simulated process), @thi.ng/malloc, or the C library's.

export interface BenchRow {
  allocator: string;
  /** The trace's name, relative to where the command was typed: `traces/binary.rep`. */
  trace: string;
  ops: number;
  /** Peak live payload / peak footprint, sampled after every operation; undefined if the run failed. */
  utilization: number | undefined;
  /** Loads and stores per call in the simulated memory; undefined for the peers, which run outside it. */
  memoryOpsPerCall: number | undefined;
  /** Operations per second of wall-clock time, the median of the timed runs. */
  opsPerSecond: number | undefined;
  /** What went wrong, when the run failed. */
  failure: string | undefined;
}

/** An allocator's summary over the traces it passed. */
export interface BenchAverage {
  allocator: string;
  traces: number;
  passed: number;
  /** The mean of the traces' utilizations. */
  utilization: number | undefined;
  /** Weighted by operations: all the calls over all the memory operations. */
  memoryOpsPerCall: number | undefined;
  /** As CS:APP's mdriver and `npm run trace`: all the operations over all the time. */
  opsPerSecond: number | undefined;
}

export function averageRows(allocator: string, rows: readonly BenchRow[]): BenchAverage {
  const passed = rows.filter((r) => r.failure === undefined);
  const mean = (values: number[]) => (values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length);
  const counted = passed.filter((r) => r.memoryOpsPerCall !== undefined);
  const timed = passed.filter((r) => r.opsPerSecond !== undefined && r.opsPerSecond > 0);
  const seconds = timed.reduce((t, r) => t + r.ops / (r.opsPerSecond as number), 0);
  const calls = counted.reduce((n, r) => n + r.ops, 0);
  return {
    allocator,
    traces: rows.length,
    passed: passed.length,
    utilization: mean(passed.flatMap((r) => (r.utilization === undefined ? [] : [r.utilization]))),
    memoryOpsPerCall: calls === 0 ? undefined : counted.reduce((n, r) => n + (r.memoryOpsPerCall as number) * r.ops, 0) / calls,
    opsPerSecond: timed.length === 0 ? undefined : seconds === 0 ? Infinity : timed.reduce((n, r) => n + r.ops, 0) / seconds,
  };
}
