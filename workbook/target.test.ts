// What a student hears when the code under test is not where the tests look for it.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';
import { isReference, loadExercise, missingFileMessage, stageTarget, targetName, targetRoot } from './target.ts';

describe('a missing exercise file', () => {
  it("names the file, and for the student's own exercises the command that brings its skeleton back", () => {
    expect(missingFileMessage('/book/exercises/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', 'exercises')).toBe(
      'Cannot find /book/exercises/00-the-process/vmmap.ts: the target has no 00-the-process/vmmap.ts. Did you rename or delete the file? To get the skeleton back: npm run reset -- vmmap',
    );
  });

  it('offers no reset for the reference or a submission, nor for a file that is no exercise', () => {
    expect(missingFileMessage('/book/solutions/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', 'solutions')).toMatch(/Did you rename or delete the file\?$/);
    expect(missingFileMessage('/s/exercises/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', '/s')).toMatch(/Did you rename or delete the file\?$/);
    expect(missingFileMessage('/book/exercises/00-the-process/helper.ts', '00-the-process/helper.ts', 'exercises')).toMatch(/Did you rename or delete the file\?$/);
  });
});

describe('a target folder', () => {
  it('is refused, saying why, when it holds no exercises or holds the workbook itself', () => {
    const empty = mkdtempSync(join(tmpdir(), 'target-'));
    try {
      expect(() => targetRoot(empty)).toThrow(`The target folder ${empty} holds no exercises: neither an exercises/ folder nor chapter folders such as 01-bump.`);
      expect(() => targetRoot(resolve(ROOT, '..'))).toThrow(/holds this workbook itself: give the folder of a submission/);
      mkdirSync(join(empty, 'exercises', '01-bump'), { recursive: true });
      expect(targetRoot(empty)).toBe(join(empty, 'exercises'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('a target folder, staged to run', () => {
  // Its tests and replays run from a copy that is gone once the command ends: messages name the folder the student gave.
  const submission = mkdtempSync(join(tmpdir(), 'target-staged-'));
  afterAll(() => rmSync(submission, { recursive: true, force: true }));
  mkdirSync(join(submission, '01-bump'));
  mkdirSync(join(submission, '02-free-list'));
  mkdirSync(join(submission, '05-zones'));
  writeFileSync(join(submission, '01-bump', 'bump.ts'), 'export function createAllocator() {\n  return {;\n}\n');
  writeFileSync(join(submission, '02-free-list', 'free-list.ts'), "throw new Error('not yet');\n");

  async function failureOf(file: string): Promise<Error> {
    const staged = stageTarget(submission);
    try {
      expect(staged.target).not.toBe(submission);
      return await loadExercise(file, staged.target).then(
        () => expect.unreachable(`${file} loaded`),
        (error: Error) => error,
      );
    } finally {
      staged.cleanup();
    }
  }

  it('names the missing file in the folder given, not in the copy', async () => {
    const error = await failureOf('05-zones/zone.ts');
    expect(error.message).toBe(`Cannot find ${submission}/05-zones/zone.ts: the target has no 05-zones/zone.ts. Did you rename or delete the file?`);
    expect(error.stack).not.toContain('.target-');
  });

  it('names the file that does not parse in the folder given', async () => {
    const error = await failureOf('01-bump/bump.ts');
    expect(error.message).toContain(`${submission}/01-bump/bump.ts`);
    expect(`${error.message}\n${error.stack}`).not.toContain('.target-');
  });

  it('names the file that throws as it loads in the folder given, in the stack too', async () => {
    const error = await failureOf('02-free-list/free-list.ts');
    expect(error.message).toBe('not yet');
    expect(error.stack).toContain(`${submission}/02-free-list/free-list.ts`);
    expect(error.stack).not.toContain('.target-');
  });
});

describe('the folders removed on exit', () => {
  const scratches: string[] = [];
  afterAll(() => scratches.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /**
   * A process that registers a folder with removeOnExit, says `ready`, then keeps busy (a
   * grader copying a sandbox is busy for seconds). The test sends it signals, or kills it.
   */
  function registering(busy: 'waiting' | 'synchronous'): { child: ChildProcess; folder: string; ready: Promise<void>; exited: Promise<number | null> } {
    const scratch = mkdtempSync(join(tmpdir(), 'remove-on-exit-'));
    scratches.push(scratch);
    const folder = join(scratch, 'workbook-grade-x');
    mkdirSync(join(folder, 'deep', 'er'), { recursive: true });
    for (let i = 0; i < 200; i++) writeFileSync(join(folder, 'deep', `${i}.ts`), 'export {};\n');
    const script = join(scratch, 'register.mts');
    const work = `${busy === 'waiting' ? '' : 'const end = Date.now() + 1500; while (Date.now() < end) {}\n'}setInterval(() => {}, 1000);`;
    writeFileSync(script, `import { removeOnExit } from ${JSON.stringify(resolve(ROOT, 'workbook/on-exit.ts'))};\nremoveOnExit(${JSON.stringify(folder)});\nconsole.log('ready');\n${work}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = new Promise<void>((done) => child.stdout?.on('data', () => done()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, folder, ready, exited };
  }

  const gone = async (folder: string) => {
    for (let i = 0; i < 50 && existsSync(folder); i++) await new Promise((done) => setTimeout(done, 100));
    return !existsSync(folder);
  };

  it('are removed on Ctrl-C, however many come, and the process ends with 130', async () => {
    const { child, folder, ready, exited } = registering('waiting');
    await ready;
    for (let i = 0; i < 5; i++) child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(folder)).toBe(false);
  }, 20_000);

  it('are removed on kill, and the process ends with 143', async () => {
    const { child, folder, ready, exited } = registering('waiting');
    await ready;
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(existsSync(folder)).toBe(false);
  }, 20_000);

  it('are removed when Ctrl-C comes twice during synchronous work, the second before the first is answered', async () => {
    const { child, folder, ready, exited } = registering('synchronous');
    await ready;
    child.kill('SIGINT');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(folder)).toBe(false);
  }, 20_000);

  it('are removed even when the process is killed outright, as tsx kills one that is busy at Ctrl-C', async () => {
    const { child, folder, ready, exited } = registering('synchronous');
    await ready;
    child.kill('SIGKILL');
    await exited;
    expect(await gone(folder), 'the janitor removed it').toBe(true);
  }, 20_000);
});

describe("a target's name", () => {
  it('is solutions or exercises however the folder is written, a folder otherwise', () => {
    expect(targetName('solutions')).toBe('solutions');
    expect(targetName(resolve(ROOT, 'solutions'))).toBe('solutions');
    expect(targetName(`${resolve(ROOT, 'solutions')}/`)).toBe('solutions');
    expect(targetName(resolve(ROOT, 'exercises'))).toBe('exercises');
    expect(isReference(resolve(ROOT, 'solutions'))).toBe(true);
    expect(isReference('exercises')).toBe(false);
    const submission = mkdtempSync(join(tmpdir(), 'target-'));
    try {
      mkdirSync(join(submission, '01-bump'));
      expect(targetName(submission)).toBe(submission);
      expect(isReference(submission)).toBe(false);
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  });
});
