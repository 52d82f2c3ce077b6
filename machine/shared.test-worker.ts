// The worker side of shared.test.ts: attaches to the shared process it is given and runs one
// task, then posts the result (or the error) back. Workers wait for each other only through
// simulated memory, with wait32/notify32, and never longer than WAIT_MS.

import { parentPort, workerData } from 'node:worker_threads';
import { PAGE_SIZE, Process, SegmentationFault, type SharedProcessHandle } from './index.ts';

export interface WorkerTask {
  handle: SharedProcessHandle;
  thread: number;
  task: 'pages' | 'count' | 'mutex' | 'munmap-owner' | 'munmap-reader';
  /** Addresses of words in the data segment, and counts, as the task needs them. */
  args: Record<string, number>;
}

const WAIT_MS = 5000;

/** Blocks until the word at `addr` is at least `target`, or fails after WAIT_MS. */
function waitForAtLeast(proc: Process, addr: number, target: number): void {
  const deadline = Date.now() + WAIT_MS;
  for (let seen = proc.atomicLoad32(addr); seen < target; seen = proc.atomicLoad32(addr)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`thread ${proc.currentThread} waited ${WAIT_MS} ms at 0x${addr.toString(16)} for ${target}, still ${seen}`);
    proc.wait32(addr, seen, left);
  }
}

function signal(proc: Process, addr: number): void {
  proc.atomicAdd32(addr, 1);
  proc.notify32(addr);
}

/** A barrier at `args.start`: no worker begins before all have started, so that they really overlap. */
function startTogether(proc: Process, args: Record<string, number>): void {
  signal(proc, args.start);
  waitForAtLeast(proc, args.start, args.workers);
}

// A mutex in simulated memory, after Drepper's "Futexes Are Tricky" (mutex 2, with compare
// and swap for exchange): 0 free, 1 taken, 2 taken and someone may be waiting.

function lock(proc: Process, mutex: number): number {
  let waits = 0;
  let c = proc.atomicCompareExchange32(mutex, 0, 1);
  while (c !== 0) {
    if (c === 2 || proc.atomicCompareExchange32(mutex, 1, 2) !== 0) {
      waits++;
      proc.wait32(mutex, 2, WAIT_MS);
    }
    c = proc.atomicCompareExchange32(mutex, 0, 2);
  }
  return waits;
}

function unlock(proc: Process, mutex: number): void {
  if (proc.atomicSub32(mutex, 1) !== 1) {
    proc.atomicStore32(mutex, 0);
    proc.notify32(mutex, 1);
  }
}

function run({ handle, thread, task, args }: WorkerTask): unknown {
  const proc = Process.attach(handle, { thread });
  switch (task) {
    case 'pages': {
      // Map two pages, fill them with words naming this thread, publish where, wait for all.
      const mine = proc.mmap(2 * PAGE_SIZE, undefined, { name: `worker ${thread}` });
      for (let i = 0; i < (2 * PAGE_SIZE) / 4; i++) proc.store32(mine + 4 * i, thread * 0x10000 + i);
      proc.atomicStore32(args.table + 4 * thread, mine);
      signal(proc, args.barrier);
      waitForAtLeast(proc, args.barrier, args.workers);
      let checked = 0;
      for (let other = 0; other < args.workers; other++) {
        const theirs = proc.atomicLoad32(args.table + 4 * other);
        for (let i = 0; i < (2 * PAGE_SIZE) / 4; i++) {
          const word = proc.load32(theirs + 4 * i);
          if (word !== other * 0x10000 + i) throw new Error(`thread ${thread} read ${word} at 0x${(theirs + 4 * i).toString(16)} in worker ${other}'s pages`);
          checked++;
        }
      }
      return { checked, maps: proc.maps() };
    }
    case 'count': {
      startTogether(proc, args);
      const before = proc.stats().memoryOps;
      for (let i = 0; i < args.times; i++) proc.atomicAdd32(args.counter, 1);
      return { memoryOps: proc.stats().memoryOps - before };
    }
    case 'mutex': {
      startTogether(proc, args);
      let waits = 0;
      for (let i = 0; i < args.times; i++) {
        waits += lock(proc, args.mutex);
        proc.store32(args.counter, proc.load32(args.counter) + 1); // not atomic: the lock makes it safe
        unlock(proc, args.mutex);
      }
      return { waits };
    }
    case 'munmap-owner': {
      const page = proc.mmap(PAGE_SIZE);
      proc.store32(page + 8, 0xc0ffee);
      proc.atomicStore32(args.address, page);
      signal(proc, args.stage); // 1: mapped and written
      waitForAtLeast(proc, args.stage, 2); // the reader has read it
      proc.munmap(page, PAGE_SIZE);
      signal(proc, args.stage); // 3: unmapped
      return { page };
    }
    case 'munmap-reader': {
      waitForAtLeast(proc, args.stage, 1);
      const page = proc.atomicLoad32(args.address);
      const seen = proc.load32(page + 8);
      signal(proc, args.stage);
      waitForAtLeast(proc, args.stage, 3);
      try {
        proc.load32(page + 8);
        return { seen, fault: undefined };
      } catch (error) {
        if (!(error instanceof SegmentationFault)) throw error;
        return { seen, fault: { name: error.name, reason: error.reason, address: error.address, message: error.message } };
      }
    }
  }
}

try {
  parentPort?.postMessage({ result: run(workerData as WorkerTask) });
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
