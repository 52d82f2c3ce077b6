import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { stageTarget } from '../target.ts';
import { ReplayHung, runTracesGuarded } from './guarded.ts';
import { parseRep } from './rep.ts';

const scratch = mkdtempSync(join(tmpdir(), 'guarded-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const trace = parseRep('0\n2\n3\n1\na 0 100\na 1 24\nf 0\n', 'two.rep');

describe('a trace replayed in a watched worker', () => {
  it('gives the same results as a replay here', async () => {
    const [run] = await runTracesGuarded({ allocator: 'bump', target: 'solutions', allocatorOptions: {}, traces: [trace], shrink: 'first' });
    expect(run.result.failure).toBeUndefined();
    expect(run.result.peakPayload).toBe(124);
  }, 30_000);

  it('stops an allocator that never returns, naming the trace, the line and the call', async () => {
    cpSync(resolve(ROOT, 'solutions/01-bump'), join(scratch, 'exercises/01-bump'), { recursive: true });
    const bump = join(scratch, 'exercises/01-bump/bump.ts');
    const line = '    requireSize(size, `malloc(${size})`);';
    writeFileSync(bump, readFileSync(bump, 'utf8').replace(line, `${line}\n    while (size === 24) size += 0;`));
    const staged = stageTarget(join(scratch, 'exercises'));
    try {
      const hung = runTracesGuarded({ allocator: 'bump', target: staged.target, allocatorOptions: {}, traces: [trace], shrink: 'first' }, () => {}, 1_500);
      await expect(hung).rejects.toThrow(ReplayHung);
      await expect(hung).rejects.toThrow(/^bump did not return within 1\.5 s from operation 1 of two\.rep \(line 6\): a 1 24, a malloc\(24\)\. Is there an infinite loop/);
    } finally {
      staged.cleanup();
    }
  }, 30_000);
});
