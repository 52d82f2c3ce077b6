import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, PROT_READ, Process, SegmentationFault } from './index.ts';
import type { WorkerTask } from './shared.test-worker.ts';
import { startWorker } from './workers.ts';

const MiB = 1 << 20;

function faultOf(fn: () => unknown): SegmentationFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof SegmentationFault) return error;
    throw error;
  }
  throw new Error('expected a SegmentationFault, but the access succeeded');
}

describe('shared mode, in one thread', () => {
  it('is asked for with { shared: true }; a normal process has no handle to share', () => {
    expect(new Process().isShared).toBe(false);
    expect(() => new Process().shareHandle()).toThrow(/new Process\(\{ shared: true \}\)/);
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    expect(proc.isShared).toBe(true);
    const handle = proc.shareHandle();
    expect(handle.physical).toBeInstanceOf(SharedArrayBuffer);
    expect(structuredClone(handle).physicalLimit).toBe(16 * MiB);
  });

  it('an attached process sees the same bytes, mappings, break, statics and counters', () => {
    const a = new Process({ shared: true, physicalLimit: 16 * MiB });
    const b = Process.attach(a.shareHandle(), { thread: 1 });
    expect(b.currentThread).toBe(1);
    const global = a.static('global_base', 8);
    const heap = a.sbrk(100);
    a.store64(global, heap);
    const region = a.mmap(2 * PAGE_SIZE, undefined, { name: 'region' });
    a.store32(region + PAGE_SIZE, 0xfeedface);

    expect(b.static('global_base', 8)).toBe(global);
    expect(b.load64(global)).toBe(heap);
    expect(b.load32(region + PAGE_SIZE)).toBe(0xfeedface);
    expect(b.currentBreak).toBe(heap + 100);
    expect(b.maps()).toBe(a.maps());
    expect(b.maps()).toContain('[anon:region]');
    expect(b.sbrk(0)).toBe(heap + 100);
    const { memoryOps: _a, bytesMoved: _b, ...shared } = a.stats();
    const { memoryOps, bytesMoved: _d, ...seen } = b.stats();
    expect(seen).toEqual(shared);
    expect(shared.syscalls).toMatchObject({ sbrk: 2, mmap: 1 });
    expect(memoryOps).toBe(2); // memoryOps are counted per Process: b made two loads
  });

  it('munmap and mprotect in one process change what the other may do', () => {
    const a = new Process({ shared: true, physicalLimit: 16 * MiB });
    const b = Process.attach(a.shareHandle(), { thread: 1 });
    const region = a.mmap(2 * PAGE_SIZE);
    b.store8(region, 7);
    b.store8(region + PAGE_SIZE, 8);
    expect(a.mprotect(region + PAGE_SIZE, PAGE_SIZE, PROT_READ)).toBe(0);
    expect(faultOf(() => b.store8(region + PAGE_SIZE, 9)).reason).toBe('protected');
    expect(a.munmap(region, PAGE_SIZE)).toBe(0);
    expect(faultOf(() => b.load8(region)).reason).toBe('unmapped');
    expect(b.load8(region + PAGE_SIZE)).toBe(8);
    expect(b.stats().residentBytes).toBe(a.stats().residentBytes);
  });

  it('frames come from one shared pool, which the physical limit bounds', () => {
    const a = new Process({ shared: true, physicalLimit: 4 * PAGE_SIZE });
    const b = Process.attach(a.shareHandle(), { thread: 1 });
    const region = a.mmap(8 * PAGE_SIZE);
    for (let i = 0; i < 2; i++) a.store8(region + i * PAGE_SIZE, 1);
    for (let i = 2; i < 4; i++) b.store8(region + i * PAGE_SIZE, 1);
    expect(() => a.store8(region + 4 * PAGE_SIZE, 1)).toThrow(/out of physical memory/);
    b.munmap(region, PAGE_SIZE); // gives a frame back, zeroed when reused
    a.store8(region + 5 * PAGE_SIZE + 1, 1);
    expect(a.load8(region + 5 * PAGE_SIZE)).toBe(0);
  });

  it('wait32 really waits, with Atomics.wait results', () => {
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    const word = proc.static('futex', 4);
    expect(proc.wait32(word, 1)).toBe('not-equal');
    const started = Date.now();
    expect(proc.wait32(word, 0, 20)).toBe('timed-out');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(proc.notify32(word)).toBe(0); // nobody waits
  });
});

// ---------------------------------------------------------------- real workers

const WORKER = new URL('./shared.test-worker.ts', import.meta.url);
const TASK_MS = 10_000;

/** Runs one task per worker, all at once, and resolves to their results; every worker ends, whatever happens. */
async function inWorkers(tasks: WorkerTask[]): Promise<unknown[]> {
  const workers: Worker[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const results = tasks.map((task) => {
      const worker = startWorker(WORKER, { workerData: task });
      workers.push(worker);
      return new Promise<unknown>((resolve, reject) => {
        worker.once('message', (message: { result?: unknown; error?: string }) => {
          if (message.error === undefined) resolve(message.result);
          else reject(new Error(`thread ${task.thread} (${task.task}): ${message.error}`));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`thread ${task.thread} (${task.task}) exited with code ${code} before it answered`)));
      });
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the workers did not finish within ${TASK_MS} ms`)), TASK_MS);
    });
    return await Promise.race([Promise.all(results), timeout]);
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function tasksFor(proc: Process, workers: number, task: WorkerTask['task'], args: Record<string, number>): WorkerTask[] {
  return Array.from({ length: workers }, (_, thread) => ({ handle: proc.shareHandle(), thread, task, args }));
}

describe('shared mode, in worker_threads', () => {
  it('workers map pages, write them, and read each other\'s', async () => {
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    const args = { table: proc.static('table', 16), barrier: proc.static('barrier', 4), workers: 3 };
    const results = (await inWorkers(tasksFor(proc, 3, 'pages', args))) as { checked: number; maps: string }[];
    for (const { checked, maps } of results) {
      expect(checked).toBe(3 * 2 * (PAGE_SIZE / 4));
      for (let thread = 0; thread < 3; thread++) expect(maps).toContain(`[anon:worker ${thread}]`);
    }
    expect(proc.stats().mappedBytes).toBe(3 * 2 * PAGE_SIZE);
    expect(proc.stats().syscalls.mmap).toBe(3);
    expect(proc.load32(proc.load32(args.table + 4) + 8)).toBe(0x10000 + 2); // and the main thread reads them too
  });

  it('a counter incremented with atomicAdd32 by 4 workers ends exact', async () => {
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    const counter = proc.static('counter', 4);
    const args = { counter, start: proc.static('start', 4), workers: 4, times: 100_000 };
    const results = (await inWorkers(tasksFor(proc, 4, 'count', args))) as { memoryOps: number }[];
    expect(proc.load32(counter)).toBe(400_000);
    expect(results.map((r) => r.memoryOps)).toEqual([100_000, 100_000, 100_000, 100_000]);
  });

  it('a futex mutex in simulated memory keeps a plain read-modify-write exact', async () => {
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    const args = { mutex: proc.static('mutex', 4), counter: proc.static('counter', 4), start: proc.static('start', 4), workers: 4, times: 20_000 };
    await inWorkers(tasksFor(proc, 4, 'mutex', args));
    expect(proc.load32(args.counter)).toBe(80_000);
    expect(proc.load32(args.mutex)).toBe(0);
  });

  it('munmap in one worker makes the next access in another a SegmentationFault', async () => {
    const proc = new Process({ shared: true, physicalLimit: 16 * MiB });
    const args = { address: proc.static('address', 4), stage: proc.static('stage', 4) };
    const [owner, reader] = (await inWorkers([
      { handle: proc.shareHandle(), thread: 1, task: 'munmap-owner', args },
      { handle: proc.shareHandle(), thread: 2, task: 'munmap-reader', args },
    ])) as [{ page: number }, { seen: number; fault?: { name: string; reason: string; address: number; message: string } }];
    expect(reader.seen).toBe(0xc0ffee);
    expect(reader.fault).toMatchObject({ name: 'SegmentationFault', reason: 'unmapped', address: owner.page + 8 });
    expect(reader.fault?.message).toMatch(/not mapped/);
  });
});
