// A test file run directly tests the reference: the run must end by saying so, or a student
// would read the skeleton's tests as passing.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';
import { targetNote } from './target-note.ts';

function vitest(env: Record<string, string | undefined>): string {
  const { WORKBOOK_TARGET: _, ...rest } = process.env; // this run's own target, set by the config
  const result = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'exercises/00-the-process/pages.test.ts'], {
    cwd: ROOT,
    env: { ...rest, ...env },
    encoding: 'utf8',
  });
  return result.stderr;
}

describe('a test file run directly', () => {
  it('ends by saying it tested the reference solutions, and how to test your own', () => {
    expect(vitest({})).toContain('These tests ran against the reference solutions in solutions/');
  }, 60_000);

  it('says nothing of the kind when the target is chosen, as npm run check chooses it', () => {
    expect(vitest({ WORKBOOK_TARGET: 'solutions' })).not.toContain('reference solutions');
  }, 60_000);
});

describe('targetNote', () => {
  it('on Windows, gives npm run check alone: PowerShell has no VAR=value before a command, and its $env: form would outlast the run', () => {
    expect(targetNote('win32')).toContain('To test your own code: npm run check -- <exercise>.\n');
    expect(targetNote('win32')).not.toContain('WORKBOOK_TARGET');
    expect(targetNote('linux')).toContain('npm run check -- <exercise> (or WORKBOOK_TARGET=exercises npx vitest run <file>).');
  });
});
