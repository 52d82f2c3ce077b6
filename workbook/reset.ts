// `reset <exercise>`: the shipped skeleton back in place of the student's file. The skeleton
// is found in git's history by the hash the manifest records; the student's file is kept in
// .workbook-backups/ first, so nothing is lost.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { EXERCISES, type Exercise, exercisePath } from './exercises.ts';
import { ROOT } from './paths.ts';
import { readSkeletonManifest } from './skeletons.ts';
import { targetRoot } from './target.ts';

const BACKUPS = resolve(ROOT, '.workbook-backups');

/** The text of the shipped skeleton of `exercise`, from git, or a clear error. */
export function shippedSkeleton(exercise: Exercise): string {
  const path = exercisePath(exercise);
  const wanted = readSkeletonManifest()[path];
  if (wanted === undefined) throw new Error(`workbook/skeletons.json does not know ${path}.`);
  let commits: string[];
  try {
    commits = execFileSync('git', ['log', '--format=%H', '--', path], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }).split('\n').filter(Boolean);
  } catch {
    throw new Error(`Cannot reset ${path}: this copy of the workbook is not a git clone, so the shipped skeleton cannot be found.`);
  }
  for (const commit of commits) {
    const text = execFileSync('git', ['show', `${commit}:${path}`], { cwd: ROOT, encoding: 'buffer', stdio: 'pipe' });
    if (createHash('sha256').update(text).digest('hex') === wanted) return text.toString('utf8');
  }
  throw new Error(`Cannot reset ${path}: no commit holds the skeleton that workbook/skeletons.json records.`);
}

/**
 * A copy of exercises/ as shipped, in `dir`/exercises: the student's own work left out.
 * Tests that need untouched skeletons start from it.
 */
export function copyShippedExercises(dir: string): void {
  cpSync(resolve(ROOT, 'exercises'), join(dir, 'exercises'), { recursive: true });
  for (const exercise of EXERCISES) writeFileSync(join(dir, 'exercises', exercise.chapter, exercise.file), shippedSkeleton(exercise));
}

/** Whether the target's file of `exercise` is the shipped skeleton already: nothing to reset, nothing to back up. */
export function isSkeletonAlready(exercise: Exercise, target = 'exercises'): boolean {
  const file = resolve(targetRoot(target), exercise.chapter, exercise.file);
  return existsSync(file) && readFileSync(file, 'utf8') === shippedSkeleton(exercise);
}

/** Puts the shipped skeleton back in the target, keeping the student's file as a backup. */
export function resetExercise(exercise: Exercise, target = 'exercises', backups = BACKUPS): { backup: string } {
  const skeleton = shippedSkeleton(exercise);
  const file = resolve(targetRoot(target), exercise.chapter, exercise.file);
  mkdirSync(backups, { recursive: true });
  // 01-bump-bump.2026-…Z.ts: the extension stays last, so an editor still reads it as TypeScript.
  const ext = extname(exercise.file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = join(backups, `${exercise.chapter}-${exercise.file.slice(0, exercise.file.length - ext.length)}.${stamp}${ext}`);
  if (existsSync(file)) copyFileSync(file, backup);
  writeFileSync(file, skeleton);
  return { backup: relative(process.env.INIT_CWD ?? process.cwd(), backup) };
}
