// The red check: on the untouched skeletons, every test of an exercise fails, so no test
// passes by accident. It runs on a copy of exercises/ as shipped, never on the student's
// work: a skeleton imports others (hardened.ts builds on zone.ts), and a student who has
// written those must not turn the check red. In CI (a clean clone) every skeleton must also
// match the manifest.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXERCISES, type Exercise, exerciseOfFile, exercisePath } from './exercises.ts';
import { relativeImports } from './imports.ts';
import { copyShippedExercises } from './reset.ts';
import { type ExerciseResult, runExerciseTests } from './run-tests.ts';
import { isUntouchedSkeleton } from './skeletons.ts';

const shipped = mkdtempSync(join(tmpdir(), 'red-check-'));
afterAll(() => rmSync(shipped, { recursive: true, force: true }));

/** exercises/ as shipped, in `dir`; the exercises whose skeleton cannot be recovered (a changed file outside a git clone), with why. */
function copyShipped(dir: string): Map<Exercise, string> {
  const lost = new Map<Exercise, string>();
  copyShippedExercises(dir, lost);
  return lost;
}

/** The exercises whose files `exercise` runs, itself included: its file's imports, followed through exercises/. */
function runs(exercise: Exercise, root: string): Set<Exercise> {
  const found = new Set<Exercise>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || file.startsWith('../') || !existsSync(join(root, file))) return;
    seen.add(file);
    const owner = exerciseOfFile(file);
    if (owner !== undefined) found.add(owner);
    for (const imported of relativeImports(readFileSync(join(root, file), 'utf8'), file)) visit(imported);
  };
  visit(`${exercise.chapter}/${exercise.file}`);
  return found;
}

const lost = copyShipped(shipped);
// An exercise that runs a skeleton which could not be recovered would run the student's code.
const unchecked = EXERCISES.filter((e) => [...runs(e, join(shipped, 'exercises'))].some((used) => lost.has(used)));
const checked = EXERCISES.filter((e) => !unchecked.includes(e));
const changed = EXERCISES.filter((e) => !isUntouchedSkeleton(e));
let results: ExerciseResult[] = [];

if (unchecked.length > 0 && process.env.CI !== 'true') {
  console.log(
    `The red check skips ${unchecked.length} exercise${unchecked.length === 1 ? '' : 's'} ` +
      `(${unchecked.map((e) => e.id).join(', ')}): it proves that the shipped skeletons fail, and this copy of the workbook, not a git clone, no longer holds all of them.`,
  );
}

beforeAll(async () => {
  results = await runExerciseTests(checked, shipped);
}, 120_000);

describe('every exercise test fails on the untouched skeleton', () => {
  for (const exercise of checked) {
    it(`${exercise.id} (${exercisePath(exercise)})`, () => {
      const result = results.find((r) => r.exercise === exercise);
      expect(result?.status, `the tests of ${exercise.id} did not run: ${result?.error}`).toBe('fail');
      const passing = result!.tests.filter((t) => t.status !== 'fail').map((t) => t.name);
      expect(passing, `these tests pass on the empty skeleton, so they test nothing the student writes`).toEqual([]);
      expect(result!.tests.length).toBeGreaterThanOrEqual(3);
    });
  }

  for (const exercise of unchecked) {
    it.skip(`${exercise.id}: skipped, it runs a skeleton this copy cannot recover (${[...runs(exercise, join(shipped, 'exercises'))].filter((e) => lost.has(e)).map((e) => exercisePath(e)).join(', ')})`, () => {});
  }
});

// In a clean clone every skeleton is as shipped: a mismatch means the manifest is stale. A
// student's clone holds their own work, which is theirs to keep.
if (changed.length > 0) {
  describe('the shipped skeletons', () => {
    const test = process.env.CI === 'true' ? it : it.skip;
    for (const exercise of changed) {
      test(`${exercise.id}: ${exercisePath(exercise)} differs from the shipped skeleton (your own work, kept)`, () => {
        expect.fail(`${exercisePath(exercise)} does not match workbook/skeletons.json; after changing a skeleton run: npx tsx workbook/cli.ts skeletons --update`);
      });
    }
  });
}
