// The stress workload of chapter 6: 2–4 real worker_threads share one simulated process and
// one allocator. Each allocates blocks, writes its id into every byte, and hands some blocks
// to the next worker, which checks the bytes and frees them (a cross-thread free). At the end
// every block must have come back: the zone holds no block in use, and its check() passes.

import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Process, hex, type CreateAllocator } from '../../machine/index.ts';
import { startWorker } from '../../machine/workers.ts';
import { ALLOCATORS } from '../allocators.ts';
import { targetRoot } from '../target.ts';
import { MAILBOX_BYTES } from './mailbox.ts';
import { PHASE, PHASES, STATUS } from './status.ts';
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
  /** Seconds before the workers are stopped and the run fails (default 60). */
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
  /** The reports of the workers that finished (all of them, unless `finished` is false). */
  workers: WorkerReport[];
  /** False when some worker had not finished within the timeout; `problems` then says where each one was. */
  finished: boolean;
  /** Slowest worker's time for its workload (the timeout, when the run did not finish). */
  seconds: number;
  /** Blocks still in use after every worker freed everything: lost blocks (0 when the run did not finish). */
  blocksLeft: number;
  /** A few of the lost blocks, by address: blocks the allocator still counts in use. */
  lost: Array<{ address: number; size: number }>;
  /** The allocator's check() after the run ('' when sound, and when the run did not finish). */
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
  locks?(): Array<LockFigures & { address?: number }>;
  enumerate?(recorder: (type: number, ranges: Array<{ address: number; size: number }>) => void, typeMask?: number): void;
}

/** The book's lock layout (lock.ts, given to the student): four words from the lock's address. */
const LOCK_WORDS = { state: 0, acquisitions: 4, waits: 8, holder: 12 } as const;
/** enumerate's record type for blocks in use (chapter 5). */
const IN_USE = 1;
/** Lost blocks named in a message. */
const EXAMPLES = 4;

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
  const status = new SharedArrayBuffer(workers * STATUS.words * 4);
  const handle = proc.shareHandle();
  const timeout = (options.timeoutSeconds ?? 60) * 1000;

  const started = Array.from({ length: workers }, (_, i) => {
    // The workers wait for each other longer than this thread waits for them, so that a hang is reported here, with where each one was.
    const task: StressTask = { handle, thread: i + 1, workers, module, options: options.allocatorOptions, ops, seed: options.seed ?? 1, mailboxes, sync, waitMs: timeout + 10_000, status };
    return startWorker(new URL('./stress-worker.ts', import.meta.url), { workerData: task });
  });
  const reports: Array<WorkerReport | undefined> = new Array(workers).fill(undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const finished = await Promise.race([
      Promise.all(
        started.map(
          (worker, i) =>
            new Promise<void>((done, fail) => {
              worker.once('message', (report: WorkerReport) => {
                reports[i] = report;
                done();
              });
              worker.once('error', (error) => fail(new Error(`worker ${i + 1} crashed: ${error.message}`)));
              worker.once('exit', (code) => fail(new Error(`worker ${i + 1} exited with code ${code} before reporting`)));
            }),
        ),
      ).then(() => true),
      new Promise<false>((done) => {
        timer = setTimeout(() => done(false), timeout);
      }),
    ]);
    const figures = typeof heap.locks === 'function' ? heap.locks() : [];
    const counts = {
      locks: figures.map(({ name, acquisitions, waits, inboxed }) => ({ name, acquisitions, waits, inboxed })),
      waits: figures.reduce((sum, l) => sum + l.waits, 0),
      acquisitions: figures.reduce((sum, l) => sum + l.acquisitions, 0),
      inboxed: figures.reduce((sum, l) => sum + (l.inboxed ?? 0), 0),
    };
    // One reading of who reported, for the hang's text and the result alike: a report that
    // arrives while describeHang waits must not make the two disagree.
    const reported = [...reports];
    const done = reported.filter((r): r is WorkerReport => r !== undefined);
    if (!finished) {
      const hang = await describeHang({ proc, figures, status, reports: reported, ops, sync, seconds: timeout / 1000 });
      return { workers: done, finished: false, seconds: timeout / 1000, blocksLeft: 0, lost: [], check: '', problems: [hang, ...done.flatMap((r) => r.problems)], ...counts };
    }
    const blocksLeft = heap.statistics?.().blocksInUse ?? 0;
    return {
      workers: done,
      finished: true,
      seconds: Math.max(...done.map((r) => r.seconds)),
      blocksLeft,
      lost: blocksLeft > 0 ? someBlocksInUse(heap) : [],
      check: heap.check?.() ?? '',
      problems: done.flatMap((r) => r.problems),
      ...counts,
    };
  } finally {
    clearTimeout(timer);
    await Promise.all(started.map((worker) => worker.terminate()));
  }
}

/** The first blocks that enumerate lists in use; none if the allocator cannot enumerate, or its enumeration fails. */
function someBlocksInUse(heap: Introspectable): Array<{ address: number; size: number }> {
  const blocks: Array<{ address: number; size: number }> = [];
  try {
    heap.enumerate?.((type, ranges) => {
      if (type === IN_USE) blocks.push(...ranges.slice(0, EXAMPLES - blocks.length));
    }, IN_USE);
  } catch {
    // a heap that lost blocks may be damaged too: the count alone must do
  }
  return blocks.slice(0, EXAMPLES);
}

interface Snapshot {
  phase: number;
  step: number;
  waitingAt: number;
  waitingFor: number;
}

function snapshot(status: SharedArrayBuffer, workers: number): Snapshot[] {
  const words = new Int32Array(status);
  return Array.from({ length: workers }, (_, i) => {
    const at = i * STATUS.words;
    return { phase: Atomics.load(words, at + STATUS.phase), step: Atomics.load(words, at + STATUS.step), waitingAt: Atomics.load(words, at + STATUS.waitingAt) >>> 0, waitingFor: Atomics.load(words, at + STATUS.waitingFor) >>> 0 };
  });
}

interface HangScene {
  proc: Process;
  figures: Array<LockFigures & { address?: number }>;
  status: SharedArrayBuffer;
  reports: Array<WorkerReport | undefined>;
  ops: number;
  sync: number;
  seconds: number;
}

/**
 * Where each worker was when the timeout came, and the locks' words as the shared memory holds
 * them: which lock is held, by whom, and who sleeps on it. Read while the workers still run.
 */
async function describeHang(scene: HangScene): Promise<string> {
  const { proc, reports, ops } = scene;
  const first = snapshot(scene.status, reports.length);
  // A second look a little later tells a worker that is stuck from one that is only slow.
  await new Promise((done) => setTimeout(done, 200));
  const now = snapshot(scene.status, reports.length);
  const locks = scene.figures
    .filter((l) => l.address !== undefined)
    .map((l) => ({ name: l.name, address: l.address as number, state: proc.atomicLoad32((l.address as number) + LOCK_WORDS.state), holder: proc.atomicLoad32((l.address as number) + LOCK_WORDS.holder), acquisitions: l.acquisitions, waits: l.waits }));
  const lockAt = (address: number) => locks.find((l) => l.address + LOCK_WORDS.state === address);
  const wordName = (address: number) => {
    const lock = lockAt(address);
    if (lock !== undefined) return `${lock.name}'s lock at ${hex(address)}`;
    if (address === scene.sync) return `the count of workers started, at ${hex(address)}`;
    if (address === scene.sync + 4) return `the count of workers done posting, at ${hex(address)}`;
    return hex(address);
  };

  const lines = [`stress: the workers did not finish within ${scene.seconds} s. Where each one was:`];
  const why: string[] = [];
  now.forEach((w, i) => {
    const thread = i + 1;
    const name = `worker ${thread} (thread ${thread})`;
    if (reports[i] !== undefined) {
      lines.push(`  ${name}: finished${reports[i].problems.length > 0 ? ', with the problems below' : ''}`);
      return;
    }
    const where = w.phase === PHASE.working ? `at step ${w.step} of ${ops}` : PHASES[w.phase] ?? `in phase ${w.phase}`;
    let doing: string;
    if (w.waitingAt !== 0) {
      const holds = proc.atomicLoad32(w.waitingAt);
      doing = `asleep in wait32 on ${wordName(w.waitingAt)}, for as long as it holds ${w.waitingFor} (it holds ${holds})`;
      const lock = lockAt(w.waitingAt);
      const counter = w.waitingAt === scene.sync || w.waitingAt === scene.sync + 4; // waited on 5 ms at a time, never for ever
      if (first[i].waitingAt !== w.waitingAt || counter) {
        // it woke and slept again between the two looks, or it sleeps a little at a time: no conclusion
      } else if (holds !== w.waitingFor) why.push(`${name} sleeps on a word that no longer holds ${w.waitingFor}, and nobody woke it: a lost wake-up (whoever changes the word must notify32 after).`);
      else if (lock !== undefined && lock.holder === 0) why.push(`${lock.name}'s lock says held (state ${lock.state}) but names no holder (0): two threads took it at once, or a release cleared the holder and left the state above 0. Taking a lock must be one atomicCompareExchange32, never a load then a store; a release must bring the state back to 0.`);
      else if (lock !== undefined && lock.holder === thread + 1) why.push(`${name} waits for ${lock.name}'s lock, which it holds itself.`);
      else if (lock !== undefined && (reports[lock.holder - 2] !== undefined || (now[lock.holder - 2]?.phase ?? 0) >= PHASE.finishing)) {
        why.push(`${lock.name}'s lock is held by thread ${lock.holder - 1}, which has made its last call to the allocator: some path never released it (an early return, or a throw before unlock).`);
      }
    } else if (w.phase !== first[i].phase || w.step !== first[i].step) {
      doing = `still working: from step ${first[i].step} to ${w.step} in 0.2 s (too slow for the timeout rather than stuck?)`;
    } else {
      doing = 'awake, and no further in 0.2 s: a loop that never ends?';
    }
    lines.push(`  ${name}: ${where}, ${doing}`);
  });
  if (locks.length > 0) {
    const busy = locks.filter((l) => l.state !== 0 || l.holder !== 0);
    lines.push(busy.length === 0 ? 'Every lock was free (state 0, holder 0).' : 'The locks not free (state: 0 free, 1 held, 2 held with waiters; holder: the thread holding it + 1):');
    for (const l of busy) lines.push(`  ${l.name} at ${hex(l.address)}: state ${l.state}, acquisitions ${l.acquisitions}, waits ${l.waits}, holder ${l.holder}${l.holder > 0 ? ` (thread ${l.holder - 1})` : ' (no thread)'}`);
    if (busy.length > 0 && busy.length < locks.length) lines.push(`  the other ${locks.length - busy.length} locks: free (state 0, holder 0)`);
  }
  lines.push(...new Set(why)); // two workers asleep on one lock: one explanation
  return lines.join('\n');
}

/**
 * What made a run unsound, a paragraph each: the workers' problems (a hang among them), check(),
 * and lost blocks with what they mean and what to run. Empty when the run was sound.
 */
export function unsoundness(result: StressResult): string[] {
  const found = [...result.problems];
  if (result.check !== '') found.push(`check() after the run: ${result.check}`);
  if (result.blocksLeft > 0) {
    const n = result.blocksLeft;
    const examples = result.lost.map((b) => `${hex(b.address)} (${b.size} bytes)`);
    const received = result.workers.reduce((sum, w) => sum + w.received, 0);
    const stopped = result.workers.filter((w) => !w.completed).map((w) => `thread ${w.thread}`);
    found.push(
      [
        `${n} block${n === 1 ? '' : 's'} lost: ${stopped.length > 0 ? 'at the end' : 'after every worker had freed every block it held'}, statistics().blocksInUse was ${n}, not 0.`,
        examples.length > 0 ? `Still in use: ${examples.join(', ')}${n > examples.length ? `, and ${n - examples.length} more` : ''}.` : '',
        stopped.length > 0
          ? `${stopped.join(' and ')} threw before the end, and never freed the blocks ${stopped.length === 1 ? 'it' : 'they'} held or those posted to ${stopped.length === 1 ? 'it' : 'them'}: they are among these. See first why ${stopped.length === 1 ? 'it' : 'they'} threw.`
          : received > 0
          ? `These are blocks freed but never returned to the magazine that owns them, most likely frees from another thread (${received} in this run, ${result.inboxed} of them through an inbox): a block left in an inbox that nobody empties, or dropped. Check the cross-thread free: npm run check -- cross-thread`
          : 'These are blocks freed but never returned to the magazine that owns them. Check the magazines: npm run check -- magazines',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  return found;
}
