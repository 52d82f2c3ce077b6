// `npm run trace` replays in a worker thread, watched from here. Student code that never
// returns (a cycle in a free list, a search that never ends) blocks only the worker: when it
// takes no step for a while, it is stopped, and the error names the trace, the operation and
// the call it was in, instead of a terminal that stays silent until Ctrl-C.

import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../machine/workers.ts';
import { formatOp, type Trace } from './rep.ts';
import type { RunOptions, TraceRun } from './run.ts';

/** How long an operation may run before the replay counts as hung. */
export const STALL_MS = 15_000;

/** The heartbeat's words (Int32): steps taken so far, the trace being replayed, its operation (-1: createAllocator). */
export const HEARTBEAT = { steps: 0, trace: 1, op: 2 } as const;

export interface GuardedRequest {
  allocator: string;
  /** exercises, solutions, or a staged folder. */
  target: string;
  /** What --option gave: words, whole numbers and switches. */
  allocatorOptions: Record<string, string | number | boolean>;
  traces: Trace[];
  shrink: RunOptions['shrink'];
  /** Record each trace's payload and footprint along the replay (TraceResult.timeline). */
  timeline?: boolean;
  /**
   * Spread each trace's calls over this many logical threads (threads.ts); 1 or absent: every
   * call on thread 0. A failure is shrunk on as many, each call kept on its thread.
   */
  threads?: number;
  heartbeat: SharedArrayBuffer;
}

export type GuardedMessage = { kind: 'progress'; message: string } | { kind: 'done'; runs: TraceRun[] } | { kind: 'error'; message: string };

/** An allocator that stopped answering: where it was. */
export class ReplayHung extends Error {}

/** runTraces in a worker, stopped (with a ReplayHung) if an operation takes longer than `stallMs`. */
export function runTracesGuarded(
  request: Omit<GuardedRequest, 'heartbeat'>,
  onProgress: (message: string) => void = () => {},
  stallMs = STALL_MS,
): Promise<TraceRun[]> {
  const heartbeat = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const beat = new Int32Array(heartbeat);
  const worker: Worker = startWorker(new URL('./guarded-worker.ts', import.meta.url), { workerData: { ...request, heartbeat } });
  let lastMessage = '';
  return new Promise<TraceRun[]>((resolve, reject) => {
    let seen = -1;
    let since = Date.now();
    const watch = setInterval(() => {
      const steps = Atomics.load(beat, HEARTBEAT.steps);
      if (steps !== seen) {
        seen = steps;
        since = Date.now();
        return;
      }
      if (Date.now() - since < stallMs) return;
      clearInterval(watch);
      void worker.terminate();
      reject(new ReplayHung(hungMessage(request, Atomics.load(beat, HEARTBEAT.trace), Atomics.load(beat, HEARTBEAT.op), stallMs, lastMessage.includes('shrink'))));
    }, Math.min(250, stallMs / 4));
    worker.on('message', (message: GuardedMessage) => {
      if (message.kind === 'progress') {
        lastMessage = message.message;
        onProgress(message.message);
      } else {
        clearInterval(watch);
        void worker.terminate();
        if (message.kind === 'done') resolve(message.runs);
        else reject(new Error(message.message));
      }
    });
    worker.on('error', (error) => {
      clearInterval(watch);
      reject(error);
    });
  });
}

function hungMessage(request: Omit<GuardedRequest, 'heartbeat'>, traceIndex: number, opIndex: number, stallMs: number, shrinking: boolean): string {
  const trace = request.traces[traceIndex];
  const seconds = stallMs / 1000;
  const advice = 'Is there an infinite loop: a cycle in a free list, a loop whose pointer never advances, a search that never reaches its end?';
  if (shrinking) {
    return `${request.allocator} stopped answering for ${seconds} s while a failure of ${trace.name} was being shrunk: one of the shorter traces tried made it loop. ${advice} Run the trace again after fixing the first failure.`;
  }
  if (opIndex < 0) return `${request.allocator}'s createAllocator(proc) did not return within ${seconds} s, on ${trace.name}. ${advice}`;
  const op = trace.ops[opIndex];
  const line = trace.lines?.[opIndex];
  const call = op.kind === 'a' ? `malloc(${op.bytes})` : op.kind === 'r' ? `realloc(block ${op.id}, ${op.bytes})` : `free(block ${op.id})`;
  return `${request.allocator} did not return within ${seconds} s from operation ${opIndex} of ${trace.name}${line === undefined ? '' : ` (line ${line})`}: ${formatOp(op)}, a ${call}. ${advice}`;
}
