// One worker of the stress workload (stress.ts). It attaches to the shared process, loads the
// allocator under test, and for `ops` steps allocates blocks, fills each with its thread id,
// frees some itself and posts others to the next worker's mailbox; blocks posted to it are
// checked (every byte must still be the sender's id) and freed here: cross-thread frees.

import { parentPort, workerData } from 'node:worker_threads';
import { Process, hex, type Allocator, type CreateAllocator, type SharedProcessHandle } from '../../machine/index.ts';
import { Random } from '../trace/prng.ts';
import { post, take } from './mailbox.ts';
import { PHASE, STATUS } from './status.ts';
import { replaceMethod } from '../testing.ts';

export interface StressTask {
  handle: SharedProcessHandle;
  thread: number;
  workers: number;
  /** file: URL of the allocator module. */
  module: string;
  options: object;
  ops: number;
  seed: number;
  /** Mailbox addresses, one per worker (index = thread - 1). */
  mailboxes: number[];
  /** Two counters: workers started, workers done posting. */
  sync: number;
  /** Milliseconds a worker may wait for the others before it gives up. */
  waitMs: number;
  /** Where each worker says what it is doing (status.ts), outside the simulated memory so a broken allocator cannot overwrite it. */
  status: SharedArrayBuffer;
}

export interface WorkerReport {
  thread: number;
  mallocs: number;
  frees: number;
  posted: number;
  received: number;
  nulls: number;
  /** The first problems seen: a block whose bytes changed, a throw. */
  problems: string[];
  /** Wall-clock seconds of the workload itself, after every worker had started. */
  seconds: number;
  /** Whether it ran every step and freed every block it had; false when it threw on the way. */
  completed: boolean;
}

/** The share of frees handed to the next worker: producer-consumer traffic, as in a server. */
const CROSS_THREAD = 0.1;

const task = workerData as StressTask;
const proc = Process.attach(task.handle, { thread: task.thread });
const status = new Int32Array(task.status, (task.thread - 1) * STATUS.words * 4, STATUS.words);

function phase(p: number): void {
  Atomics.store(status, STATUS.phase, p);
}

// Every wait32, the allocator's included, notes its word, so a hang can name what it sleeps on.
const wait32 = proc.wait32.bind(proc);
replaceMethod(proc, 'wait32', (address, expected, timeoutMs) => {
  Atomics.store(status, STATUS.waitingFor, expected | 0);
  Atomics.store(status, STATUS.waitingAt, address | 0);
  try {
    return wait32(address, expected, timeoutMs);
  } finally {
    Atomics.store(status, STATUS.waitingAt, 0);
  }
});

const { createAllocator } = (await import(task.module)) as { createAllocator: CreateAllocator };
const heap: Allocator = createAllocator(proc, task.options);
const random = new Random(task.seed * 7919 + task.thread);
const report: WorkerReport = { thread: task.thread, mallocs: 0, frees: 0, posted: 0, received: 0, nulls: 0, problems: [], seconds: 0, completed: false };
const mine = task.mailboxes[task.thread - 1];
const next = task.mailboxes[task.thread % task.workers];
const live: Array<{ ptr: number; size: number }> = [];
/** Until this worker has counted itself done posting, the others wait for it. */
let posting = true;

/** Mostly small requests, a few small-scale ones, rarely a large block. */
function size(): number {
  const r = random.float();
  if (r < 0.7) return random.int(1, 256);
  if (r < 0.95) return random.int(257, 4096);
  if (r < 0.99) return random.int(4097, 32 * 1024);
  return random.int(32 * 1024 + 1, 64 * 1024);
}

const patterns = new Map<number, Buffer>();

/** True if every byte of the block is `id`; otherwise notes where it is not. */
function intact(ptr: number, bytes: number, id: number, what: string): boolean {
  const seen = proc.bytes(ptr, bytes);
  let pattern = patterns.get(id);
  if (pattern === undefined) patterns.set(id, (pattern = Buffer.alloc(64 * 1024, id)));
  if (Buffer.compare(seen, pattern.subarray(0, bytes)) === 0) return true; // native, so the check costs little beside malloc
  const bad = seen.findIndex((b) => b !== id);
  if (report.problems.length < 5) {
    report.problems.push(
      `thread ${task.thread}: ${what} ${hex(ptr)} (${bytes} bytes, filled with ${id} by thread ${id}) has ${seen[bad]} at ${hex(ptr + bad)}: ` +
        `another block overlaps it, or it was handed out twice\n${proc.hexdump(ptr + bad - 16, 48, { from: ptr + bad, to: ptr + bad + 1 })}`,
    );
  }
  return false;
}

function drain(): void {
  for (let block = take(proc, mine); block !== undefined; block = take(proc, mine)) {
    report.received++;
    const sender = task.thread === 1 ? task.workers : task.thread - 1;
    intact(block.ptr, block.size, sender, 'a block received');
    heap.free(block.ptr);
    report.frees++;
  }
}

function waitFor(counter: number, target: number): void {
  const deadline = Date.now() + task.waitMs;
  for (let seen = proc.atomicLoad32(counter); seen < target; seen = proc.atomicLoad32(counter)) {
    drain();
    if (Date.now() > deadline) throw new Error(`thread ${task.thread} waited ${task.waitMs} ms for the other workers (counter at ${hex(counter)} is ${seen}, not ${target})`);
    proc.wait32(counter, seen, 5);
  }
}

function run(): void {
  phase(PHASE.starting);
  proc.atomicAdd32(task.sync, 1);
  waitFor(task.sync, task.workers);
  phase(PHASE.working);
  const started = performance.now();
  for (let step = 0; step < task.ops; step++) {
    // A plain store: read only after a timeout, it needs no fence inside the timed loop.
    status[STATUS.step] = step;
    if (live.length < 64 || random.chance(0.55)) {
      const bytes = size();
      const ptr = heap.malloc(bytes);
      report.mallocs++;
      if (ptr === 0) {
        report.nulls++;
        continue;
      }
      proc.memset(ptr, task.thread, bytes);
      live.push({ ptr, size: bytes });
    } else {
      const index = random.int(0, live.length - 1);
      const block = live[index];
      live[index] = live[live.length - 1];
      live.pop();
      intact(block.ptr, block.size, task.thread, 'a block of its own');
      if (task.workers > 1 && random.chance(CROSS_THREAD) && post(proc, next, block.ptr, block.size)) report.posted++;
      else {
        heap.free(block.ptr);
        report.frees++;
      }
    }
    if ((step & 15) === 0) drain();
  }
  Atomics.store(status, STATUS.step, task.ops);
  phase(PHASE.freeing);
  for (const block of live) {
    intact(block.ptr, block.size, task.thread, 'a block of its own');
    heap.free(block.ptr);
    report.frees++;
  }
  phase(PHASE.finishing);
  donePosting();
  waitFor(task.sync + 4, task.workers); // nobody posts any more
  drain();
  report.seconds = (performance.now() - started) / 1000;
  report.completed = true;
}

function donePosting(): void {
  posting = false;
  proc.atomicAdd32(task.sync + 4, 1);
  proc.notify32(task.sync + 4);
}

try {
  run();
} catch (error) {
  report.problems.push(`thread ${task.thread} threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  // The others would otherwise wait for this worker until their time is up, and the run would look hung.
  if (posting) donePosting();
}
phase(PHASE.done);
parentPort?.postMessage(report);
