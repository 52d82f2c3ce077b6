// The TypeScript peer of `npm run bench`: @thi.ng/malloc's MemPool, a first-fit allocator
// with a free list over an ArrayBuffer, replaying the same traces as the book's allocators.
// Its footprint is the pool's top (the end of the highest block it has handed out) less its
// initial top (where its heap starts, after its own state at the start of the buffer), as
// the book's is the break less the heap's start; sampled after every operation.
//
// Measured as it is, with its faults: in version 6.1 a realloc that has to move a block never
// frees the old one (it hands free() the block's header address, which free() takes for a
// payload address and does not find), so traces that grow blocks show a low utilization.

import { MemPool } from '@thi.ng/malloc';
import type { Trace } from '../trace/rep.ts';
import type { BenchRow } from './row.ts';
import { medianSeconds, secondsSince, type TimingOptions } from './timing.ts';

export const THING_ID = '@thi.ng/malloc';

/** As the simulated process's heap: 256 MiB (the buffer's pages are only touched when used). */
const POOL_BYTES = 256 * 1024 * 1024;
const ALIGN = 16;

function newPool(): MemPool {
  return new MemPool({ size: POOL_BYTES, align: ALIGN });
}

/** The pool's top, which MemPool keeps in its state but declares protected. */
function top(pool: MemPool): number {
  return (pool as unknown as { top: number }).top;
}

export interface ThingReplay {
  peakPayload: number;
  peakFootprint: number;
  utilization: number;
  failure: string | undefined;
}

/** The measured pass: every result not NULL and 16-byte aligned; payload and top after every operation. */
export function replayThing(trace: Trace): ThingReplay {
  const pool = newPool();
  const pointers = new Float64Array(trace.numIds);
  const sizes = new Float64Array(trace.numIds);
  let payload = 0;
  let peakPayload = 0;
  const start = top(pool);
  let peakFootprint = 0;
  let failure: string | undefined;
  for (let i = 0; i < trace.ops.length && failure === undefined; i++) {
    const op = trace.ops[i];
    if (op.kind === 'f') {
      if (pointers[op.id] !== 0) pool.free(pointers[op.id]);
      payload -= sizes[op.id];
      pointers[op.id] = 0;
      sizes[op.id] = 0;
    } else {
      const ptr = op.kind === 'a' ? pool.malloc(op.bytes) : pointers[op.id] === 0 ? pool.malloc(op.bytes) : pool.realloc(pointers[op.id], op.bytes);
      if (ptr === 0 && op.bytes > 0) failure = `operation ${i}: ${op.kind === 'a' ? 'malloc' : 'realloc'}(${op.bytes}) returned NULL`;
      else if (ptr % ALIGN !== 0) failure = `operation ${i}: returned ${ptr}, not ${ALIGN}-byte aligned`;
      payload += op.bytes - (op.kind === 'r' ? sizes[op.id] : 0);
      pointers[op.id] = ptr;
      sizes[op.id] = op.bytes;
    }
    peakPayload = Math.max(peakPayload, payload);
    peakFootprint = Math.max(peakFootprint, top(pool) - start);
  }
  return { peakPayload, peakFootprint, utilization: peakFootprint === 0 ? (peakPayload === 0 ? 1 : 0) : peakPayload / peakFootprint, failure };
}

/** The calls alone, in a fresh pool; the seconds they took. */
function bareReplay(trace: Trace): number {
  const pool = newPool();
  const pointers = new Float64Array(trace.numIds);
  const ops = trace.ops;
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.kind === 'a') pointers[op.id] = pool.malloc(op.bytes);
    else if (op.kind === 'r') pointers[op.id] = pointers[op.id] === 0 ? pool.malloc(op.bytes) : pool.realloc(pointers[op.id], op.bytes);
    else pool.free(pointers[op.id]);
  }
  return secondsSince(started);
}

/** @thi.ng/malloc on one trace: utilization, and ops/s unless `timing` is false. */
export function benchThing(trace: Trace, timing: TimingOptions | false = {}): BenchRow {
  const measured = replayThing(trace);
  const ok = measured.failure === undefined;
  const seconds = ok && timing !== false ? medianSeconds(() => bareReplay(trace), timing) : undefined;
  return {
    allocator: THING_ID,
    trace: trace.name,
    ops: trace.ops.length,
    utilization: ok ? measured.utilization : undefined,
    memoryOpsPerCall: undefined,
    opsPerSecond: seconds === undefined ? undefined : seconds === 0 ? Infinity : trace.ops.length / seconds,
    failure: measured.failure,
  };
}
