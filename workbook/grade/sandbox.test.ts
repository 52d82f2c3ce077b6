// The sandbox starts from the exercises as shipped, whatever the grading checkout holds: an
// instructor who has solved an exercise, or left a file of their own beside one, must not
// lend it to a submission that lacks it.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { shippedCheckout } from '../shipped-checkout.ts';
import { createSandbox } from './sandbox.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A git clone-like copy of the workbook as it is now (committed or not), with one commit. Its
 * exercises are the shipped skeletons, whatever this checkout's own exercises/ holds: the commit
 * must hold the versions workbook/skeletons.json records.
 */
function checkout(): string {
  return shippedCheckout(join(scratch, 'checkout'), ['package.json', 'tsconfig.json', 'vitest.config.ts', 'machine', 'workbook', 'solutions', 'traces']);
}

describe('the grading sandbox', () => {
  it("grades a missing file as the shipped skeleton, not as the grading checkout's own version, and leaves the checkout's own files out", () => {
    const dir = checkout();
    const skeleton = readFileSync(join(dir, 'exercises/01-bump/bump.ts'), 'utf8');
    // The instructor solved bump and wrote a helper of their own in their checkout.
    cpSync(join(dir, 'solutions/01-bump/bump.ts'), join(dir, 'exercises/01-bump/bump.ts'));
    writeFileSync(join(dir, 'exercises/01-bump/align.ts'), 'export const mine = 1;\n');
    const empty = join(scratch, 'empty-submission');
    mkdirSync(empty);
    const script = [
      "import { createSandbox } from './workbook/grade/sandbox.ts';",
      "import { readFileSync, existsSync } from 'node:fs';",
      `const sandbox = createSandbox(${JSON.stringify(empty)});`,
      "console.log(JSON.stringify({ bump: readFileSync(sandbox.dir + '/exercises/01-bump/bump.ts', 'utf8'), align: existsSync(sandbox.dir + '/exercises/01-bump/align.ts'), test: existsSync(sandbox.dir + '/exercises/01-bump/bump.test.ts'), missing: sandbox.missing.length }));",
      'sandbox.cleanup();',
    ].join('\n');
    writeFileSync(join(dir, 'probe.mts'), script);
    const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'probe.mts'], { cwd: dir, encoding: 'utf8' })) as { bump: string; align: boolean; test: boolean; missing: number };
    expect(out.bump).toBe(skeleton);
    expect(out.align).toBe(false);
    expect(out.test).toBe(true); // the shipped tests come, of course
    expect(out.missing).toBeGreaterThan(30);
    expect(existsSync(join(dir, 'exercises/01-bump/align.ts'))).toBe(true); // the checkout is left as it was
  }, 60_000);

  it('names a given file the submission changed, which is graded as shipped, and not one it left alone or saved with other line ends', () => {
    const submission = join(scratch, 'given-edit');
    cpSync(resolve(ROOT, 'solutions'), submission, { recursive: true });
    const region = join(submission, '05-zones/region.ts');
    writeFileSync(region, `${readFileSync(region, 'utf8')}export const MINE = 1;\n`);
    const check = join(submission, '05-zones/check.ts');
    writeFileSync(check, readFileSync(check, 'utf8').replace(/\n/g, '\r\n'));
    const sandbox = createSandbox(submission);
    try {
      expect(sandbox.replaced).toEqual(['05-zones/region.ts']);
      expect(readFileSync(join(sandbox.dir, 'exercises/05-zones/region.ts'), 'utf8')).not.toContain('MINE');
    } finally {
      sandbox.cleanup();
    }
  }, 60_000);

  it('leaves no copy behind when it cannot be made, as with a wrong --extra-tests', () => {
    const temporary = join(scratch, 'tmp');
    mkdirSync(temporary);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = temporary;
    try {
      expect(() => createSandbox(resolve(ROOT, 'solutions'), join(scratch, 'no-hidden-tests'))).toThrow(/--extra-tests .*no-hidden-tests: there is no such folder/);
    } finally {
      process.env.TMPDIR = before;
    }
    expect(readdirSync(temporary)).toEqual([]);
  }, 60_000);
});
