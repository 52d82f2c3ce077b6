// The stress workload of chapter 6: 2–4 real worker_threads share one simulated process and
// one allocator. Each allocates blocks, writes its id into every byte, and hands some blocks
// to the next worker, which checks the bytes and frees them (a cross-thread free). At the end
// every block must have come back: the zone holds no block in use, and its check() passes.

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Process, type CreateAllocator } from '../../machine/index.ts';
import { startWorker } from '../../machine/workers.ts';
import { ALLOCATORS } from '../allocators.ts';
import { targetRoot } from '../target.ts';
import { MAILBOX_BYTES } from './mailbox.ts';
import type { StressTask, WorkerReport } from './stress-worker.ts';

export interface StressOptions {
  /** Real threads: 2 to 4. */
  workers: number;
  /** Allocator options: `{ magazines: 1 }` is one lock for everyone. */
  allocatorOptions: object;
  /** Steps per worker. */
  ops: number;
  seed?: number;
  /** exercises, solutions or a folder (default: WORKBOOK_TARGET, else exercises). */
  target?: string;
  /** The allocator id in the registry (default magazines). */
  allocator?: string;
  /** Seconds before the workers are stopped and the run fails. */
  timeoutSeconds?: number;
}

export interface LockFigures {
  name: string;
  acquisitions: number;
  waits: number;
  /** Frees that found this lock busy and left their block in its rack's inbox (chapter 6). */
  inboxed?: number;
}

export interface StressResult {
  workers: WorkerReport[];
  /** Slowest worker's time for its workload. */
  seconds: number;
  /** Blocks still in use after every worker freed everything: lost blocks. */
  blocksLeft: number;
  /** The allocator's check() after the run ('' when sound). */
  check: string;
  problems: string[];
  locks: LockFigures[];
  waits: number;
  acquisitions: number;
  /** Frees that went through an inbox instead of waiting. */
  inboxed: number;
}

interface Introspectable {
  statistics?(): { blocksInUse: number };
  check?(): string;
  locks?(): LockFigures[];
}

export async function runStress(options: StressOptions): Promise<StressResult> {
  const { workers, ops } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > 4) throw new RangeError(`stress: ${workers} workers; use 1 to 4`);
  const id = options.allocator ?? 'magazines';
  const entry = ALLOCATORS.find((a) => a.id === id);
  if (entry === undefined) throw new Error(`stress: there is no allocator '${id}'`);
  const module = pathToFileURL(resolve(targetRoot(options.target), entry.module)).href;
  const { createAllocator } = (await import(module)) as { createAllocator: CreateAllocator };

  const proc = new Process({ shared: true });
  const heap = createAllocator(proc, options.allocatorOptions) as unknown as Introspectable; // sets up the allocator's memory before any worker attaches
  const mailboxes = Array.from({ length: workers }, (_, i) => proc.static(`stress_mailbox_${i}`, MAILBOX_BYTES));
  const sync = proc.static('stress_sync', 8);
  const handle = proc.shareHandle();
  const timeout = (options.timeoutSeconds ?? 60) * 1000;

  const started = workers === 0 ? [] : Array.from({ length: workers }, (_, i) => {
    const task: StressTask = { handle, thread: i + 1, workers, module, options: options.allocatorOptions, ops, seed: options.seed ?? 1, mailboxes, sync, waitMs: timeout };
    return startWorker(new URL('./stress-worker.ts', import.meta.url), { workerData: task });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const reports = await Promise.race([
      Promise.all(
        started.map(
          (worker, i) =>
            new Promise<WorkerReport>((done, fail) => {
              worker.once('message', (report: WorkerReport) => done(report));
              worker.once('error', (error) => fail(new Error(`worker ${i + 1} crashed: ${error.message}`)));
              worker.once('exit', (code) => fail(new Error(`worker ${i + 1} exited with code ${code} before reporting`)));
            }),
        ),
      ),
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`stress: the workers did not finish within ${timeout / 1000} s (a lock never released, or a lost wake-up?)`)), timeout);
      }),
    ]);
    const locks = typeof heap.locks === 'function' ? heap.locks() : [];
    return {
      workers: reports,
      seconds: Math.max(...reports.map((r) => r.seconds)),
      blocksLeft: heap.statistics?.().blocksInUse ?? 0,
      check: heap.check?.() ?? '',
      problems: reports.flatMap((r) => r.problems),
      locks,
      waits: locks.reduce((sum, l) => sum + l.waits, 0),
      acquisitions: locks.reduce((sum, l) => sum + l.acquisitions, 0),
      inboxed: locks.reduce((sum, l) => sum + (l.inboxed ?? 0), 0),
    };
  } finally {
    clearTimeout(timer);
    await Promise.all(started.map((worker) => worker.terminate()));
  }
}
