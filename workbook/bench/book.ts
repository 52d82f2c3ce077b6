// The book's allocators in `npm run bench`: each replays the trace through the driver once,
// checked (utilization, and the memory operations of one bare replay), then is timed on
// bare replays in fresh simulated processes, the median of several after a warm-up.

import { Process, type CreateAllocator } from '../../machine/index.ts';
import { TRACE_PROCESS, bareReplay, replay } from '../trace/driver.ts';
import type { Trace } from '../trace/rep.ts';
import type { BenchRow } from './row.ts';
import { medianSeconds, type TimingOptions } from './timing.ts';

/** The allocator calls of the trace in a fresh process, nothing else; the seconds they took. */
function bareReplayIn(trace: Trace, create: CreateAllocator): number {
  return bareReplay(trace, create(new Process(TRACE_PROCESS)));
}

/** One of the book's allocators on one trace; ops/s unless `timing` is false. */
export function benchBook(id: string, trace: Trace, create: CreateAllocator, timing: TimingOptions | false = {}): BenchRow {
  const checked = replay(trace, create, { timing: false });
  const failure = checked.failure;
  let opsPerSecond: number | undefined;
  if (failure === undefined && timing !== false) {
    const seconds = medianSeconds(() => bareReplayIn(trace, create), timing);
    opsPerSecond = seconds === 0 ? Infinity : trace.ops.length / seconds;
  }
  return {
    allocator: id,
    trace: trace.name,
    ops: trace.ops.length,
    utilization: failure === undefined ? checked.utilization : undefined,
    memoryOpsPerCall: failure === undefined ? checked.memoryOpsPerCall : undefined,
    opsPerSecond,
    failure: failure === undefined ? undefined : `${failure.check} at operation ${failure.opIndex}: ${failure.message.split('\n')[0]}`,
  };
}
