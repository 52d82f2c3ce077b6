// The book's allocators in `npm run bench`: each replays the trace through the driver once,
// checked (utilization, and the memory operations of one bare replay), then is timed on
// bare replays in fresh simulated processes, the median of several after a warm-up.

import type { CreateAllocator } from '../../machine/index.ts';
import { replay } from '../trace/driver.ts';
import type { Trace } from '../trace/rep.ts';
import type { BenchRow } from './row.ts';
import { BENCH_TIMING, type TimingOptions } from './timing.ts';

/** One of the book's allocators on one trace; ops/s unless `timing` is false. */
export function benchBook(id: string, trace: Trace, create: CreateAllocator, timing: TimingOptions | false = {}): BenchRow {
  // Bench's own timing, over the trace command's shorter one (TRACE_TIMING).
  const checked = replay(trace, create, { timing: timing === false ? false : { ...BENCH_TIMING, ...timing } });
  const failure = checked.failure;
  return {
    allocator: id,
    trace: trace.name,
    ops: trace.ops.length,
    utilization: failure === undefined ? checked.utilization : undefined,
    memoryOpsPerCall: failure === undefined ? checked.memoryOpsPerCall : undefined,
    opsPerSecond: failure === undefined ? checked.opsPerSecond : undefined,
    failure: failure === undefined ? undefined : `${failure.check} at operation ${failure.opIndex}: ${failure.message.split('\n')[0]}`,
  };
}
