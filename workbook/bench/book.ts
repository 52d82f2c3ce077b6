// The book's allocators in `npm run bench`: each replays the trace through the driver once,
// checked (utilization, and the memory operations of one bare replay); its timed run is a
// bare replay in a fresh simulated process, which allocators.ts times beside the others'.

import { Process, type CreateAllocator } from '../../machine/index.ts';
import { TRACE_PROCESS, bareReplay, replay } from '../trace/driver.ts';
import type { Trace } from '../trace/rep.ts';
import type { Contender } from './row.ts';

/** The allocator calls of the trace in a fresh process, nothing else; the seconds they took. */
function bareReplayIn(trace: Trace, create: CreateAllocator): number {
  return bareReplay(trace, create(new Process(TRACE_PROCESS)));
}

/** One of the book's allocators on one trace: its row without speed, and its timed run if it passed. */
export function checkBook(id: string, trace: Trace, create: CreateAllocator): Contender {
  const checked = replay(trace, create, { timing: false });
  const failure = checked.failure;
  return {
    row: {
      allocator: id,
      trace: trace.name,
      ops: trace.ops.length,
      utilization: failure === undefined ? checked.utilization : undefined,
      memoryOpsPerCall: failure === undefined ? checked.memoryOpsPerCall : undefined,
      opsPerSecond: undefined,
      failure: failure === undefined ? undefined : `${failure.check} at operation ${failure.opIndex}: ${failure.message.split('\n')[0]}`,
    },
    timedRun: failure === undefined ? () => bareReplayIn(trace, create) : undefined,
  };
}
