import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectExercises } from './exercises.ts';
import { ROOT } from './paths.ts';
import { cleanMessage, endedUnreported, fileKey, findModule, killGroup, runExerciseTests } from './run-tests.ts';

describe('cleanMessage', () => {
  const frame = (path: string, line: number) => `    at f (${join(ROOT, path)}:${line}:7)`;

  it("keeps the student's own line when reference code threw above it", () => {
    const raw = [
      'SegmentationFault: read of 4 bytes at 0xaff04164, which is not mapped.',
      frame('solutions/05-zones/tiny-region.ts', 47),
      frame('solutions/05-zones/tiny-region.ts', 90),
      frame('exercises/05-zones/rack.ts', 290),
      frame('exercises/05-zones/rack.test.ts', 37),
      frame('node_modules/vitest/dist/index.js', 1),
    ].join('\n');
    expect(cleanMessage(raw)).toBe(
      'SegmentationFault: read of 4 bytes at 0xaff04164, which is not mapped.\n  at solutions/05-zones/tiny-region.ts:47\n  at exercises/05-zones/rack.ts:290',
    );
  });

  it('keeps the top two frames when the first is already the student’s', () => {
    const raw = ['Error: boom', frame('exercises/05-zones/rack.ts', 12), frame('exercises/05-zones/rack.test.ts', 40), frame('workbook/todo.ts', 3)].join('\n');
    expect(cleanMessage(raw)).toBe('Error: boom\n  at exercises/05-zones/rack.ts:12\n  at exercises/05-zones/rack.test.ts:40');
  });

  it("shows the exercise's own line when the error passed through it below another exercise file", () => {
    const raw = [
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds',
      frame('solutions/06-magazines/lock.ts', 30),
      frame('exercises/06-magazines/cross-thread.ts', 51),
      frame('exercises/06-magazines/cross-thread.ts', 77),
      frame('exercises/06-magazines/magazines.ts', 160),
      frame('exercises/06-magazines/magazines.test.ts', 88),
    ].join('\n');
    expect(cleanMessage(raw, ROOT, '06-magazines/magazines.ts')).toBe(
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds\n  at solutions/06-magazines/lock.ts:30\n  at exercises/06-magazines/magazines.ts:160',
    );
    expect(cleanMessage(raw, ROOT, '06-magazines/cross-thread.ts'), 'checking cross-thread.ts, its first line is the one').toBe(
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds\n  at solutions/06-magazines/lock.ts:30\n  at exercises/06-magazines/cross-thread.ts:51',
    );
  });

  it('reads the frames of Windows, as paths and as file URLs, and shows them with forward slashes', () => {
    const root = 'C:\\Users\\Ada Lovelace\\malloc-workbook';
    const raw = [
      'Error: boom',
      '    at malloc (file:///C:/Users/Ada%20Lovelace/malloc-workbook/solutions/05-zones/rack.ts:12:5)',
      `    at ${root}\\node_modules\\vitest\\dist\\index.js:1:1`,
      '    at f (D:\\elsewhere\\x.ts:3:1)',
      `    at Object.<anonymous> (${root}\\exercises\\05-zones\\zone.ts:40:9)`,
    ].join('\n');
    expect(cleanMessage(raw, root)).toBe('Error: boom\n  at solutions/05-zones/rack.ts:12\n  at exercises/05-zones/zone.ts:40');
  });

  it('reads the frames of a workbook on a Windows share (\\\\server\\…), as vitest and Node write them', () => {
    const root = '\\\\uni-files\\home\\ada\\malloc-workbook';
    const raw = [
      'Error: boom',
      '    at malloc (//uni-files/home/ada/malloc-workbook/solutions/05-zones/rack.ts:12:5)',
      `    at Object.<anonymous> (${root}\\exercises\\05-zones\\zone.ts:40:9)`,
    ].join('\n');
    expect(cleanMessage(raw, root)).toBe('Error: boom\n  at solutions/05-zones/rack.ts:12\n  at exercises/05-zones/zone.ts:40');
    // As a file URL, which names the share's server as its host.
    const url = ['Error: boom', '    at malloc (file://uni-files/home/ada/malloc-workbook/solutions/05-zones/rack.ts:12:5)'].join('\n');
    expect(cleanMessage(url, root)).toBe('Error: boom\n  at solutions/05-zones/rack.ts:12');
  });
});

describe('findModule', () => {
  it("finds a test file by the name vitest gives it on Windows, C:/… with forward slashes", () => {
    const root = 'C:\\Users\\Ada\\malloc-workbook';
    const module = { file: 'C:/Users/Ada/malloc-workbook/exercises/01-bump/bump.test.ts', errors: [], tests: [] };
    expect(findModule([module], root, 'exercises/01-bump/bump.test.ts')).toBe(module);
    expect(findModule([module], root, 'exercises/01-bump/batched.test.ts')).toBeUndefined();
    expect(fileKey(root, 'c:/Users/Ada/malloc-workbook/exercises/01-bump/bump.test.ts'), 'the drive in either case').toBe(fileKey(root, 'exercises\\01-bump\\bump.test.ts'));
  });

  it('finds it on Linux and macOS by its path, as before', () => {
    const module = { file: join(ROOT, 'exercises/01-bump/bump.test.ts'), errors: [], tests: [] };
    expect(findModule([module], ROOT, 'exercises/01-bump/bump.test.ts')).toBe(module);
    expect(fileKey(ROOT, 'exercises/01-bump/bump.test.ts')).toBe(resolve(ROOT, 'exercises/01-bump/bump.test.ts'));
  });
});

describe('killGroup', () => {
  it('on Windows, which has no process groups, ends the runner with its workers by taskkill', () => {
    const calls: unknown[][] = [];
    const run = ((...args: unknown[]) => calls.push(args)) as unknown as Parameters<typeof killGroup>[2];
    killGroup(4242, 'win32', run);
    expect(calls).toEqual([['taskkill', ['/pid', '4242', '/t', '/f'], { stdio: 'ignore', windowsHide: true }]]);
  });
});

describe('a check that hangs', () => {
  it('runs again the files that ended unreported: their worker blocked on a hang before it sent their results', () => {
    const root = '/book';
    const files = ['exercises/06-magazines/lock.test.ts', 'exercises/06-magazines/depot.test.ts', 'exercises/06-magazines/magazines.test.ts'];
    const ended = new Set([fileKey(root, '/book/exercises/06-magazines/lock.test.ts'), fileKey(root, '/book/exercises/06-magazines/depot.test.ts')]);
    const reported = [{ file: '/book/exercises/06-magazines/depot.test.ts', errors: [], tests: [] }];
    expect(endedUnreported(root, files, ended, reported)).toEqual(['exercises/06-magazines/lock.test.ts']);
    expect(endedUnreported(root, files, new Set(), reported), 'no file ended: nothing to run again').toEqual([]);
  });

  it('names the exercise and the test that did not finish, and keeps the results of the ones that did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hang-'));
    try {
      cpSync(resolve(ROOT, 'solutions/01-bump'), join(dir, 'exercises/01-bump'), { recursive: true });
      const bump = join(dir, 'exercises/01-bump/bump.ts');
      const line = '    requireSize(size, `malloc(${size})`);';
      writeFileSync(bump, readFileSync(bump, 'utf8').replace(line, `${line}\n    while (size >= 0) size += 0;`));
      const results = await runExerciseTests(selectExercises('01'), join(dir, 'exercises'), 10_000);
      const [hung, batched] = [results.find((r) => r.exercise.id === 'bump')!, results.find((r) => r.exercise.id === 'batched')!];
      expect([hung.status, hung.hung]).toEqual(['error', true]);
      expect(hung.error).toMatch(/^The tests of bump did not finish within 10 s, in the test "[^"]+"\. Is there an infinite loop/);
      // With one worker the files may run in either order: batched either ended first, and is
      // reported (run again if its worker blocked before it sent the results), or never began.
      if (batched.status !== 'error') expect(batched.status).toBe('pass');
      else {
        expect(batched.waited).toBe(true);
        expect(batched.error).toMatch(/^The tests of batched did not begin within 10 s: they waited behind the tests of bump, which did not finish, or batched\.ts loops as it loads\./);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a test run stopped by Ctrl-C', () => {
  it('leaves no folder of its own behind (its report is written in one), whether the process is interrupted or killed outright', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interrupted-'));
    try {
      cpSync(resolve(ROOT, 'solutions/01-bump'), join(dir, 'exercises/01-bump'), { recursive: true });
      const bump = join(dir, 'exercises/01-bump/bump.ts');
      const line = '    requireSize(size, `malloc(${size})`);';
      writeFileSync(bump, readFileSync(bump, 'utf8').replace(line, `${line}\n    while (size >= 0) size += 0;`));
      const script = join(dir, 'run.mts');
      const files = JSON.stringify(['exercises/01-bump/bump.test.ts']);
      writeFileSync(script, `import { runTestFiles } from ${JSON.stringify(resolve(ROOT, 'workbook/run-tests.ts'))};\nawait runTestFiles({ root: ${JSON.stringify(ROOT)}, files: ${files}, target: ${JSON.stringify(join(dir, 'exercises'))}, timeoutMs: 60_000 });\n`);
      for (const signal of ['SIGINT', 'SIGKILL'] as const) {
        const temporary = mkdtempSync(join(dir, 'tmp-'));
        const ours = () => readdirSync(temporary).filter((f) => f.startsWith('workbook-'));
        const run = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, TMPDIR: temporary } });
        const exited = new Promise((done) => run.once('exit', done));
        for (let i = 0; i < 200 && ours().length === 0; i++) await new Promise((done) => setTimeout(done, 50));
        expect(ours(), 'the run made its folder').toHaveLength(1);
        await new Promise((done) => setTimeout(done, 1000)); // the runner started, and hangs
        run.kill(signal);
        await exited;
        for (let i = 0; i < 50 && ours().length > 0; i++) await new Promise((done) => setTimeout(done, 100));
        expect(ours(), `after ${signal}`).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
