// A type error must show in `check` as it will in a grade: the tests themselves run without
// type checks, so without this a student could see every test pass and then score 0.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectExercises } from './exercises.ts';
import { ROOT } from './paths.ts';
import { runExerciseTests } from './run-tests.ts';
import { exerciseTypeErrors } from './type-errors.ts';

const scratch = mkdtempSync(join(tmpdir(), 'type-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Chapter 1 solved, with one line that does not type-check added to batched.ts. */
function solvedWithTypeError(): string {
  const dir = join(scratch, 'submission');
  cpSync(resolve(ROOT, 'solutions/01-bump'), join(dir, 'exercises/01-bump'), { recursive: true });
  const batched = join(dir, 'exercises/01-bump/batched.ts');
  writeFileSync(batched, `${readFileSync(batched, 'utf8')}export const oops: number = 'a string';\n`);
  return join(dir, 'exercises');
}

describe('type errors', () => {
  it('the shipped skeletons and solutions compile', () => {
    expect(exerciseTypeErrors(ROOT, 'exercises').size).toBe(0);
    expect(exerciseTypeErrors(ROOT, 'solutions').size).toBe(0);
  });

  it('are found where node_modules/.bin has no tsc to start, as on Windows (tsc.cmd)', () => {
    const root = join(scratch, 'windows-bin');
    mkdirSync(join(root, 'workbook'), { recursive: true });
    mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
    for (const module of ['typescript', '@types']) symlinkSync(resolve(ROOT, 'node_modules', module), join(root, 'node_modules', module), 'junction');
    for (const file of ['tsconfig.json', 'package.json']) cpSync(resolve(ROOT, file), join(root, file));
    mkdirSync(join(root, 'exercises/01-bump'), { recursive: true });
    writeFileSync(join(root, 'exercises/01-bump/bump.ts'), "export const oops: number = 'a string';\n");
    const errors = exerciseTypeErrors(root, 'exercises', selectExercises('bump'));
    expect([...errors.values()].join('')).toMatch(/^exercises\/01-bump\/bump\.ts\(1,\d+\): error TS2322/);
  }, 60_000);

  it('fail check on the exercise whose file has them, naming the line, while its tests still run', async () => {
    const results = await runExerciseTests(selectExercises('01'), solvedWithTypeError());
    const bump = results.find((r) => r.exercise.id === 'bump')!;
    const batched = results.find((r) => r.exercise.id === 'batched')!;
    expect(bump.status).toBe('pass');
    expect(batched.status).toBe('fail');
    const [compiles, ...tests] = batched.tests;
    expect(compiles).toMatchObject({ name: 'compiles without type errors', status: 'fail' });
    expect(compiles.message).toMatch(/01-bump\/batched\.ts does not compile:\n.*batched\.ts\(\d+,\d+\): error TS2322/);
    expect(compiles.message).toContain('an exercise whose file has a type error scores 0');
    expect(compiles.message).not.toContain('.target-'); // the student's path, not the staged copy's
    expect(tests.length).toBeGreaterThan(0);
    expect(tests.every((t) => t.status === 'pass')).toBe(true);
  }, 60_000);
});
