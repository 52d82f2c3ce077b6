// reset: the shipped skeleton comes back from git's history, and the student's file is kept.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exerciseToReset } from './commands/student.ts';
import { EXERCISES } from './exercises.ts';
import { ROOT } from './paths.ts';
import { readProgress } from './progress.ts';
import { isSkeletonAlready, resetExercise, shippedSkeleton } from './reset.ts';
import { hashFile, readSkeletonManifest } from './skeletons.ts';

const scratch = mkdtempSync(join(tmpdir(), 'reset-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('reset', () => {
  it('finds every shipped skeleton in git by the hash the manifest records', () => {
    const manifest = readSkeletonManifest();
    for (const exercise of EXERCISES) {
      const path = `exercises/${exercise.chapter}/${exercise.file}`;
      const text = shippedSkeleton(exercise);
      expect(text.includes('TODO'), path).toBe(true);
      writeFileSync(join(scratch, 'check.ts'), text);
      expect(hashFile(join(scratch, 'check.ts')), path).toBe(manifest[path]);
    }
  });

  it("puts the skeleton back in a student's folder and keeps their file", () => {
    const student = join(scratch, 'student');
    cpSync(resolve(ROOT, 'solutions'), join(student, 'exercises'), { recursive: true });
    const bump = EXERCISES.find((e) => e.id === 'bump')!;
    const backups = join(scratch, 'backups');
    resetExercise(bump, student, backups);
    expect(readFileSync(join(student, 'exercises/01-bump/bump.ts'), 'utf8')).toBe(shippedSkeleton(bump));
    const [kept] = readdirSync(backups);
    expect(kept).toMatch(/^01-bump-bump\.\d{4}-\d\d-\d\dT[\d-]+Z\.ts$/); // still a .ts file
    expect(readFileSync(join(backups, kept), 'utf8')).toBe(readFileSync(resolve(ROOT, 'solutions/01-bump/bump.ts'), 'utf8'));
  });

  it('changes nothing, and says what to do, when a file sits where its backups folder goes', () => {
    const student = join(scratch, 'blocked');
    cpSync(resolve(ROOT, 'solutions'), join(student, 'exercises'), { recursive: true });
    const backups = join(scratch, 'backups-file');
    writeFileSync(backups, 'not a folder');
    expect(() => resetExercise(EXERCISES.find((e) => e.id === 'bump')!, student, backups)).toThrow(/is a file, where reset keeps its backups in a folder of that name\. Rename that file, then run reset again: nothing was changed/);
    expect(readFileSync(join(student, 'exercises/01-bump/bump.ts'), 'utf8')).toBe(readFileSync(resolve(ROOT, 'solutions/01-bump/bump.ts'), 'utf8'));
  });

  it('says what to do when a folder sits where the progress file goes', () => {
    const progress = join(scratch, 'progress-folder');
    mkdirSync(progress);
    expect(() => readProgress(progress)).toThrow(/is a folder, where the workbook keeps its progress .* Move the folder away/);
  });

  it('knows a file that is the skeleton already, which needs no reset and no backup', () => {
    const student = join(scratch, 'untouched');
    cpSync(resolve(ROOT, 'solutions'), join(student, 'exercises'), { recursive: true });
    const bump = EXERCISES.find((e) => e.id === 'bump')!;
    expect(isSkeletonAlready(bump, student)).toBe(false);
    writeFileSync(join(student, 'exercises/01-bump/bump.ts'), shippedSkeleton(bump));
    expect(isSkeletonAlready(bump, student)).toBe(true);
  });

  it('knows an untouched skeleton whose lines git on Windows ended with \\r\\n', () => {
    const student = join(scratch, 'crlf');
    cpSync(resolve(ROOT, 'solutions'), join(student, 'exercises'), { recursive: true });
    const bump = EXERCISES.find((e) => e.id === 'bump')!;
    const crlf = shippedSkeleton(bump).replace(/\n/g, '\r\n');
    writeFileSync(join(student, 'exercises/01-bump/bump.ts'), crlf);
    expect(hashFile(join(student, 'exercises/01-bump/bump.ts')), 'the red check counts it untouched').toBe(readSkeletonManifest()['exercises/01-bump/bump.ts']);
    expect(isSkeletonAlready(bump, student), 'nothing to reset').toBe(true);
  });

  it('takes one exercise, and says what is wrong with anything else as check and hint do', () => {
    expect(exerciseToReset(['bump']).id).toBe('bump');
    expect(() => exerciseToReset(['nonexist'])).toThrow("There is no chapter or exercise 'nonexist'. Try one of: 00, 01,");
    // As check takes them: the path a message prints, and a typo's suggestion.
    expect(exerciseToReset(['exercises/01-bump/bump.ts']).id).toBe('bump');
    expect(() => exerciseToReset(['memroy'])).toThrow("Did you mean 'memory'?");
    expect(() => exerciseToReset(['all'])).toThrow('reset takes one exercise, not all of them.');
    expect(() => exerciseToReset(['01'])).toThrow("reset takes one exercise, not a chapter. Chapter 1's exercises: bump, batched. For example: npm run reset -- bump");
    expect(() => exerciseToReset(['bump', 'batched'])).toThrow('reset takes one exercise, not 2: bump batched.');
    expect(() => exerciseToReset([])).toThrow('Which exercise?');
  });
});
