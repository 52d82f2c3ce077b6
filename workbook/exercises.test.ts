// The exercise metadata, held against the files on disk.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAPTERS, EXERCISES, exercisePath, selectExercises, testPath } from './exercises.ts';
import { hintsFor } from './hints.ts';
import { EXERCISES_DIR, ROOT, SOLUTIONS_DIR } from './paths.ts';
import { isUntouchedSkeleton, readSkeletonManifest } from './skeletons.ts';

describe('the exercise metadata', () => {
  it('names files that exist: skeleton, solution, tests, and the chapter', () => {
    for (const e of EXERCISES) {
      expect(existsSync(resolve(ROOT, exercisePath(e))), exercisePath(e)).toBe(true);
      expect(existsSync(resolve(SOLUTIONS_DIR, e.chapter, e.file)), `solutions/${e.chapter}/${e.file}`).toBe(true);
      expect(existsSync(resolve(ROOT, testPath(e))), testPath(e)).toBe(true);
      expect(existsSync(resolve(ROOT, 'chapters', `${e.chapter}.md`)), `chapters/${e.chapter}.md`).toBe(true);
    }
  });

  it('leaves out no test file and no chapter folder', () => {
    const listed = new Set(EXERCISES.map((e) => testPath(e)));
    for (const chapter of readdirSync(EXERCISES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      expect(CHAPTERS.map((c) => c.slug), `exercises/${chapter.name} is not a chapter in workbook/exercises.ts`).toContain(chapter.name);
      for (const file of readdirSync(resolve(EXERCISES_DIR, chapter.name)).filter((f) => f.endsWith('.test.ts'))) {
        expect(listed.has(`exercises/${chapter.name}/${file}`), `exercises/${chapter.name}/${file} is not in workbook/exercises.ts`).toBe(true);
      }
    }
  });

  it('ships the files a chapter gives complete exactly as they are in the solutions', () => {
    for (const chapter of CHAPTERS) {
      const folder = resolve(EXERCISES_DIR, chapter.slug);
      if (!existsSync(folder)) continue;
      const exercises = new Set(EXERCISES.filter((e) => e.chapter === chapter.slug).map((e) => e.file));
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !exercises.has(f))) {
        const solution = resolve(SOLUTIONS_DIR, chapter.slug, file);
        if (!existsSync(solution)) continue; // a helper of the chapter's tests
        const given = readFileSync(resolve(folder, file), 'utf8') === readFileSync(solution, 'utf8');
        expect(given, `exercises/${chapter.slug}/${file} is given complete, so it must be solutions/${chapter.slug}/${file} as it is: copy it over`).toBe(true);
      }
    }
  });

  it('has a TODO in every shipped skeleton and none in the solutions', () => {
    for (const e of EXERCISES) {
      // A skeleton the student has filled in may have lost its TODOs: that is the point.
      if (isUntouchedSkeleton(e)) expect(readFileSync(resolve(ROOT, exercisePath(e)), 'utf8'), exercisePath(e)).toMatch(/TODO/);
      expect(readFileSync(resolve(SOLUTIONS_DIR, e.chapter, e.file), 'utf8'), `solutions/${e.chapter}/${e.file}`).not.toMatch(/\btodo\(|TODO/);
    }
  });

  it('has unique ids, and hints for every exercise', () => {
    expect(new Set(EXERCISES.map((e) => e.id)).size).toBe(EXERCISES.length);
    for (const e of EXERCISES) expect(hintsFor(e).length, `hints for ${e.id} in exercises/${e.chapter}/hints.md`).toBeGreaterThanOrEqual(2);
  });

  it('records every skeleton in the manifest', () => {
    const manifest = readSkeletonManifest();
    expect(Object.keys(manifest).sort()).toEqual(EXERCISES.map((e) => exercisePath(e)).sort());
  });

  it('selects by chapter number, chapter folder, or exercise id, and names the choices otherwise', () => {
    expect(selectExercises('01').map((e) => e.id)).toEqual(['bump', 'batched']);
    expect(selectExercises('1')).toEqual(selectExercises('01-bump'));
    expect(selectExercises('vmmap').map((e) => e.id)).toEqual(['vmmap']);
    expect(selectExercises(undefined)).toHaveLength(EXERCISES.length);
    expect(() => selectExercises('nope')).toThrow(/no chapter or exercise 'nope'. Try one of: 00, 01, .*memory/);
    expect(() => selectExercises('9')).toThrow(/There is no chapter or exercise '9'/);
  });

  it('selects by the paths its messages print, and suggests the name a typo meant', () => {
    expect(selectExercises('exercises/00-the-process/memory.ts').map((e) => e.id)).toEqual(['memory']);
    expect(selectExercises('exercises/00-the-process/memory.ts:12').map((e) => e.id)).toEqual(['memory']);
    expect(selectExercises('/home/ada/malloc-workbook/exercises/00-the-process/vmmap.ts:3:9').map((e) => e.id)).toEqual(['vmmap']);
    expect(selectExercises('./exercises/01-bump/batched.test.ts').map((e) => e.id)).toEqual(['batched']);
    expect(selectExercises('exercises\\01-bump\\bump.ts').map((e) => e.id)).toEqual(['bump']);
    expect(selectExercises('exercises/01-bump/').map((e) => e.id)).toEqual(['bump', 'batched']);
    expect(selectExercises('functions').map((e) => e.id), "a file's name alone: functions.ts is interpose's").toEqual(['interpose']);
    expect(selectExercises('functions.ts').map((e) => e.id)).toEqual(['interpose']);
    expect(() => selectExercises('memroy')).toThrow(/There is no chapter or exercise 'memroy'\. Did you mean 'memory'\?/);
    expect(() => selectExercises('exercises/01-bump/nope.ts')).toThrow(/no chapter or exercise 'exercises\/01-bump\/nope\.ts'\. Try one of/);
  });
});
