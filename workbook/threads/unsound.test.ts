// What the stress workload and `npm run bench -- threads` say about a broken allocator: the
// reference magazines, wrapped to drop cross-thread frees, to throw, or to keep a lock for ever.
// Each wrapper lives in a target folder of its own, as a student's 06-magazines/magazines.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hex } from '../../machine/index.ts';
import { ROOT } from '../paths.ts';
import { benchThreads, describeFewerWaits, fewerWaitsOf } from './bench.ts';
import { runStress, unsoundness } from './stress.ts';

/** The import specifier of a file of the reference magazines, for a wrapper outside the workbook. */
const solution = (file: string) => JSON.stringify(pathToFileURL(resolve(ROOT, 'solutions/06-magazines', file)).href);

const BROKEN = {
  // A free from another thread drops its block: the stress workers fill each block with their thread id.
  drops: `export function createAllocator(proc: Process, options: object) {
  const heap = reference(proc, options);
  return { ...heap, free: (ptr: number) => (ptr !== 0 && proc.load8(ptr) !== proc.currentThread ? undefined : heap.free(ptr)) };
}`,
  // Thread 1's 100th free throws.
  throws: `export function createAllocator(proc: Process, options: object) {
  const heap = reference(proc, options);
  let frees = 0;
  return { ...heap, free: (ptr: number) => {
    if (proc.currentThread === 1 && ++frees === 100) throw new Error('the 100th free');
    heap.free(ptr);
  } };
}`,
  // With several magazines, thread 1 takes thread 2's magazine's lock as it starts, and never lets go.
  holds: `export function createAllocator(proc: Process, options: { magazines?: number }) {
  const heap = reference(proc, options);
  if (heap.count > 1 && proc.currentThread === 1) lock(proc, heap.tiny.locks[heap.magazineOf(2)]);
  return heap;
}`,
};

let root = '';
const target = (name: keyof typeof BROKEN) => join(root, name);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'broken-magazines-'));
  for (const [name, body] of Object.entries(BROKEN)) {
    mkdirSync(join(root, name, '06-magazines'), { recursive: true });
    const imports = [
      `import type { Process } from ${JSON.stringify(pathToFileURL(resolve(ROOT, 'machine/index.ts')).href)};`,
      `import { createAllocator as reference } from ${solution('magazines.ts')};`,
      `import { lock } from ${solution('lock.ts')};`,
      'void lock; // not every wrapper takes a lock',
    ];
    writeFileSync(join(root, name, '06-magazines', 'magazines.ts'), `${imports.join('\n')}\n${body}\n`);
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the bench, and returns what it printed on stdout and stderr, colours removed. */
async function bench(name: keyof typeof BROKEN, repeat: number): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  const code = await benchThreads({ workers: 2, repeat, ops: 2000, target: target(name), whose: 'a broken allocator', json: false, timeoutSeconds: 8 });
  const plain = (s: string[]) => s.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
  return { code, out: plain(out), err: plain(err) };
}

afterEach(() => vi.restoreAllMocks());

describe('the stress workload names what went wrong', () => {
  it('lost blocks: how many, where, what it means, and what to check', { timeout: 60_000 }, async () => {
    const result = await runStress({ workers: 2, allocatorOptions: { magazines: 2 }, ops: 2000, target: target('drops'), timeoutSeconds: 50 });
    expect(result.finished).toBe(true);
    expect(result.blocksLeft, 'blocks freed by the other thread and dropped').toBeGreaterThan(0);
    expect(result.lost.length, 'a few of the lost blocks, by address').toBe(4);
    const said = unsoundness(result).join('\n');
    expect(said).toContain(`${result.blocksLeft} blocks lost: after every worker had freed every block it held, statistics().blocksInUse was ${result.blocksLeft}, not 0.`);
    expect(said).toContain(`Still in use: ${hex(result.lost[0].address)} (${result.lost[0].size} bytes)`);
    expect(said).toContain('never returned to the magazine that owns them');
    expect(said).toContain('npm run check -- cross-thread');
  });

  it('a worker that throws lets the others finish: the run ends at once, and says why', { timeout: 60_000 }, async () => {
    const result = await runStress({ workers: 2, allocatorOptions: { magazines: 2 }, ops: 2000, target: target('throws'), timeoutSeconds: 15 });
    expect(result.finished, 'worker 2 must not wait for worker 1, which stopped').toBe(true);
    expect(result.workers.map((w) => w.completed)).toEqual([false, true]);
    const said = unsoundness(result).join('\n');
    expect(said).toContain('thread 1 threw: Error: the 100th free');
    expect(said).toContain('thread 1 threw before the end, and never freed the blocks it held');
  });

  it('a hang: where each worker was, and the lock words read from shared memory', { timeout: 60_000 }, async () => {
    const result = await runStress({ workers: 2, allocatorOptions: { magazines: 2 }, ops: 2000, target: target('holds'), timeoutSeconds: 8 });
    expect(result.finished).toBe(false);
    expect(result.workers.length, 'neither worker reported: worker 1 waits for worker 2').toBe(0);
    const said = unsoundness(result).join('\n');
    expect(said).toContain('stress: the workers did not finish within 8 s. Where each one was:');
    expect(said).toContain('worker 1 (thread 1): waiting for the other workers to finish posting blocks');
    expect(said).toMatch(/worker 2 \(thread 2\): at step \d+ of 2000, asleep in wait32 on tiny magazine 1's lock at 0x[0-9a-f]{8}, for as long as it holds 2 \(it holds 2\)/);
    expect(said).toMatch(/ {2}tiny magazine 1 at 0x[0-9a-f]{8}: state 2, acquisitions \d+, waits 1, holder 2 \(thread 1\)/);
    expect(said).toContain("tiny magazine 1's lock is held by thread 1, which has made its last call to the allocator: some path never released it");
  });
});

describe('bench threads grades no target on an unsound run', () => {
  it('lost blocks: the figures are not measured, and every run is shown', { timeout: 60_000 }, async () => {
    const { code, out, err } = await bench('drops', 1);
    expect(err).toContain('magazines (2), run 1: ');
    expect(err).toContain('npm run check -- cross-thread');
    expect(out).toMatch(/magazines \(2\) +1 .* unsound: \d+ blocks lost/);
    expect(out).toContain('magazines wait on a lock at least 10× less often than one lock: not measured, since 2 runs were unsound');
    expect(out).toContain('magazines finish the workload faster than one lock: not measured, since 2 runs were unsound');
    expect(out).not.toMatch(/pass {2}magazines/);
    expect(out).toContain('FAIL   every run sound (no block lost or damaged) in 2 runs: 0 sound');
    expect(code).toBe(1);
  });

  it('a hang: the runs that finished are shown, the one that did not is marked, and the bench stops', { timeout: 60_000 }, async () => {
    const { code, out, err } = await bench('holds', 2);
    expect(err).toContain('magazines (2), run 1: stress: the workers did not finish within 8 s.');
    expect(err).toContain("tiny magazine 1's lock is held by thread 1");
    expect(err).toContain('Stopped after run 2/4');
    expect(out).toMatch(/one lock \(1 magazine\) +1 +\d+\.\d{3} s .* sound/);
    expect(out).toMatch(/magazines \(2\) +1 .* did not finish in 8 s/);
    expect(out).toContain('2 runs not started after the run that did not finish.');
    expect(out).toContain('not measured, since 1 run was unsound (and 2 not run)');
    expect(out).toContain('FAIL   every run sound (no block lost or damaged) in 4 runs: 1 sound, 1 did not finish, 2 not run');
    expect(code).toBe(1);
  });
});

describe("the waits target's figure", () => {
  it('compares nothing when one lock made no thread wait either, and meets no target on it', () => {
    expect(fewerWaitsOf(0, 0)).toBeNaN();
    expect(fewerWaitsOf(0, 0) >= 10).toBe(false);
    expect(describeFewerWaits(0, 0)).toBe('not compared: neither one lock nor the magazines made a thread wait (more --workers or --ops make them meet)');
    expect(describeFewerWaits(0, 5)).toBe('the magazines made threads wait 5 times, one lock never');
    expect(fewerWaitsOf(0, 5) >= 10).toBe(false);
    expect(describeFewerWaits(120, 0)).toBe('no waits at all, against 120 with one lock');
    expect(describeFewerWaits(120, 4)).toBe('30.0× fewer');
  });
});
