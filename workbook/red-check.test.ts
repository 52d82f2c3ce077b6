// The red check: on an untouched skeleton, every test of its exercise fails, so no test
// passes by accident. A skeleton the student has changed is skipped, with a note; in CI
// (a clean clone) every skeleton must match the manifest.

import { beforeAll, describe, expect, it } from 'vitest';
import { EXERCISES, exercisePath } from './exercises.ts';
import { type ExerciseResult, runExerciseTests } from './run-tests.ts';
import { isUntouchedSkeleton } from './skeletons.ts';

const untouched = EXERCISES.filter((e) => isUntouchedSkeleton(e));
const changed = EXERCISES.filter((e) => !untouched.includes(e));
let results: ExerciseResult[] = [];

if (changed.length > 0 && process.env.CI !== 'true') {
  console.log(
    `The red check skips ${changed.length} exercise${changed.length === 1 ? '' : 's'} you have worked on ` +
      `(${changed.map((e) => e.id).join(', ')}): it proves that the shipped skeletons fail, and yours are no longer those.`,
  );
}

beforeAll(async () => {
  results = await runExerciseTests(untouched, 'exercises');
}, 120_000);

describe('every exercise test fails on the untouched skeleton', () => {
  for (const exercise of untouched) {
    it(`${exercise.id} (${exercisePath(exercise)})`, () => {
      const result = results.find((r) => r.exercise === exercise);
      expect(result?.status, `the tests of ${exercise.id} did not run: ${result?.error}`).toBe('fail');
      const passing = result!.tests.filter((t) => t.status !== 'fail').map((t) => t.name);
      expect(passing, `these tests pass on the empty skeleton, so they test nothing the student writes`).toEqual([]);
      expect(result!.tests.length).toBeGreaterThanOrEqual(3);
    });
  }

  for (const exercise of changed) {
    // In a clean clone every skeleton is as shipped: a mismatch means the manifest is stale.
    const test = process.env.CI === 'true' ? it : it.skip;
    test(`${exercise.id}: skipped, ${exercisePath(exercise)} differs from the shipped skeleton (your own work, kept)`, () => {
      expect.fail(`${exercisePath(exercise)} does not match workbook/skeletons.json; after changing a skeleton run: npx tsx workbook/cli.ts skeletons --update`);
    });
  }
});
