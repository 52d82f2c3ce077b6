// The worker side of guarded.ts: loads the allocator, replays the traces, and keeps a
// heartbeat in shared memory (steps taken, the trace, the operation) that the main thread
// reads even while this thread is stuck in the allocator's code.

import { parentPort, workerData } from 'node:worker_threads';
import type { CreateAllocator } from '../../machine/index.ts';
import { loadAllocator } from '../allocators.ts';
import { targetRoot } from '../target.ts';
import { HEARTBEAT, type GuardedRequest, type GuardedMessage } from './guarded.ts';
import { runTraces } from './run.ts';

const request = workerData as GuardedRequest;
const beat = new Int32Array(request.heartbeat);
const send = (message: GuardedMessage) => parentPort!.postMessage(message);

try {
  const { createAllocator } = await loadAllocator(request.allocator, request.target);
  const create: CreateAllocator = (proc) => createAllocator(proc, request.allocatorOptions);
  const runs = runTraces(request.traces, create, {
    shrink: request.shrink,
    threads: request.threads ?? 1,
    onTrace: (index) => Atomics.store(beat, HEARTBEAT.trace, index),
    onProgress: (message) => send({ kind: 'progress', message }),
    replay: {
      ...(request.timeline === true ? { timeline: true } : {}),
      sourceFolder: targetRoot(request.target),
      onStep: (opIndex) => {
        Atomics.store(beat, HEARTBEAT.op, opIndex);
        Atomics.add(beat, HEARTBEAT.steps, 1);
      },
    },
  });
  send({ kind: 'done', runs });
} catch (error) {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}
