// Watch mode as a student meets it: a real terminal (tmux), keys typed, the screen read.
// From an untouched skeleton to a passing exercise, a hint, the next exercise, and quit.

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';
import { copyShippedExercises } from './reset.ts';
import { listAnswer } from './watch.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI === 'true') throw new Error('tmux is missing: .ci/run installs it (apt-get install -y tmux).');
if (!hasTmux) console.log('Watch mode tests skipped: tmux is not installed (apt-get install tmux).');

const scratch = mkdtempSync(join(tmpdir(), 'watch-test-'));
const session = `workbook-watch-${process.pid}`;
afterAll(() => {
  spawnSync('tmux', ['kill-session', '-t', session]);
  rmSync(scratch, { recursive: true, force: true });
});

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');

/** Waits until the screen shows `text`, or fails with what it shows instead. */
async function waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const shown = screen();
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
    if (Date.now() - started > timeoutMs) throw new Error(`The screen never showed ${String(text)}. It shows:\n${shown}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('watch mode without a terminal', () => {
  it('writes its screens one after another, with no codes that clear a terminal', () => {
    const work = join(scratch, 'piped');
    copyShippedExercises(work);
    const run = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'workbook/cli.ts', 'watch', '--manual-run', '--target', work], {
      cwd: ROOT,
      encoding: 'utf8',
      input: '',
      env: { ...process.env, NO_COLOR: '1', WORKBOOK_PROGRESS: join(scratch, 'piped-progress') },
      timeout: 60_000,
    });
    expect(run.stdout).toContain('Exercise memory');
    expect(run.stdout).not.toContain('\u001b[2J');
  }, 90_000);
});

describe.skipIf(!hasTmux)('watch mode in a terminal', () => {
  it('runs the tests on save, gives hints, moves on when they pass, and quits', async () => {
    const work = join(scratch, 'student');
    copyShippedExercises(work);
    const progress = join(scratch, 'progress');
    const command = `cd ${ROOT} && WORKBOOK_PROGRESS=${progress} NO_COLOR=1 ${process.execPath} node_modules/tsx/dist/cli.mjs workbook/cli.ts watch --target ${work}; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '140', '-y', '50', command);

    const first = await waitFor(/✗ 0\/\d+ tests pass/);
    expect(first).toContain('Exercise memory');
    expect(first).toContain('Not written yet: fill');

    tmux('send-keys', '-t', session, 'n');
    await waitFor('n moves on once every test of memory passes');

    tmux('send-keys', '-t', session, 'h');
    await waitFor('Hint 1 of 3');
    tmux('send-keys', '-t', session, 'h');
    tmux('send-keys', '-t', session, 'h');
    const third = await waitFor('Hint 3 of 3');
    expect(third).toMatch(/Hint 1: .*\n(.*\n)*.*Hint 2: /);
    expect(third).toContain('That was the last hint.');

    cpSync(resolve(ROOT, 'solutions/00-the-process/memory.ts'), join(work, 'exercises/00-the-process/memory.ts'));
    await waitFor(/✓ (\d+)\/\1 tests pass/);

    tmux('send-keys', '-t', session, 'n');
    const next = await waitFor('Exercise vmmap');
    expect(next).toMatch(/1\/\d+ exercises done/);

    // The list: what it cannot read is said, not dropped; a name works as well as a number.
    tmux('send-keys', '-t', session, 'l');
    await waitFor('or Enter to go back:');
    tmux('send-keys', '-t', session, 'xq!', 'Enter');
    await waitFor("'xq!' is not a number from 1 to");
    tmux('send-keys', '-t', session, 'l');
    await waitFor('or Enter to go back:');
    tmux('send-keys', '-t', session, 'vmap', 'Enter');
    await waitFor('There is no exercise vmap. Did you mean vmmap?');
    tmux('send-keys', '-t', session, 'l');
    await waitFor('or Enter to go back:');
    tmux('send-keys', '-t', session, 'vmmap', 'Enter');
    await waitFor('Exercise vmmap');

    // Saved once as many editors save, by renaming a new file over the old, then in place: the
    // second save is seen too (a recursive watch on Linux watches the old file, not the new).
    const vmmap = join(work, 'exercises/00-the-process/vmmap.ts');
    writeFileSync(`${vmmap}.tmp`, `${readFileSync(vmmap, 'utf8')}\n// a first save\n`);
    renameSync(`${vmmap}.tmp`, vmmap);
    await new Promise((r) => setTimeout(r, 8000)); // its run over, the skeleton failing again
    writeFileSync(vmmap, readFileSync(resolve(ROOT, 'solutions/00-the-process/vmmap.ts'), 'utf8'));
    await waitFor(/✓ (\d+)\/\1 tests pass/);

    tmux('send-keys', '-t', session, 'q');
    // After q the watch process is gone and the pane runs the `sleep` that follows it.
    for (let i = 0; i < 40 && tmux('display', '-p', '-t', session, '#{pane_current_command}').trim() !== 'sleep'; i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(tmux('display', '-p', '-t', session, '#{pane_current_command}').trim(), 'q ends watch mode').toBe('sleep');
    expect(readFileSync(progress, 'utf8')).toMatch(/hint memory 3\ndone memory\ndone vmmap\ncurrent vmmap/);
  }, 120_000);
});

describe("watch mode's list prompt", () => {
  it('reads a number or a name to go to, and r with either to reset; a name that starts with r is a name', () => {
    expect(listAnswer('3')).toEqual({ reset: false, what: '3' });
    expect(listAnswer('realloc')).toEqual({ reset: false, what: 'realloc' });
    expect(listAnswer('rack')).toEqual({ reset: false, what: 'rack' });
    expect(listAnswer('r3')).toEqual({ reset: true, what: '3' });
    expect(listAnswer('r realloc')).toEqual({ reset: true, what: 'realloc' });
    expect(listAnswer('vmap')).toEqual({ reset: false, what: 'vmap' }); // no such exercise: said, with the name meant
    expect(listAnswer('xq!')).toBeUndefined();
  });
});
