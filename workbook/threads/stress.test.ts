// Chapter 6's allocator on real threads: 2 and 4 worker_threads share one simulated process,
// allocate, hand blocks to each other to be freed, and check every byte. No block may be lost
// or damaged, and the allocator's check() must pass at the end.
import { describe, expect, it } from 'vitest';
import { runStress, type StressResult } from './stress.ts';

function expectSound(result: StressResult, what: string): void {
  expect(result.problems, `${what}: the workers saw damaged blocks or errors:\n${result.problems.join('\n')}`).toEqual([]);
  expect(result.check, `${what}: check() after the run`).toBe('');
  expect(result.blocksLeft, `${what}: blocks still in use after every worker freed all it had (lost blocks)`).toBe(0);
  const received = result.workers.reduce((sum, w) => sum + w.received, 0);
  const posted = result.workers.reduce((sum, w) => sum + w.posted, 0);
  expect(received, `${what}: every block posted to another worker must be received and freed there`).toBe(posted);
  expect(received, `${what}: the run must include cross-thread frees`).toBeGreaterThan(0);
}

describe('magazines on real worker threads', () => {
  it('2 workers, 4 magazines: every block comes back intact', { timeout: 60_000 }, async () => {
    expectSound(await runStress({ workers: 2, allocatorOptions: { magazines: 4 }, ops: 8000, timeoutSeconds: 50 }), '2 workers');
  });

  it('4 workers sharing 2 magazines: every block comes back intact', { timeout: 60_000 }, async () => {
    expectSound(await runStress({ workers: 4, allocatorOptions: { magazines: 2 }, ops: 4000, seed: 2, timeoutSeconds: 50 }), '4 workers');
  });

  it('one magazine is one lock for every thread: its lock is taken for every malloc and free', { timeout: 60_000 }, async () => {
    const result = await runStress({ workers: 2, allocatorOptions: { magazines: 1 }, ops: 3000, seed: 3, timeoutSeconds: 50 });
    expectSound(result, 'one magazine');
    const magazine = result.locks.find((l) => l.name === 'tiny magazine 1');
    expect(magazine?.acquisitions, 'tiny magazine 1 serves both threads').toBeGreaterThan(3000);
  });
});
