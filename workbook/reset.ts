// `reset <exercise>`: the shipped skeleton back in place of the student's file. The skeleton
// is found in git's history by the hash the manifest records; the student's file is kept in
// .workbook-backups/ first, so nothing is lost.

import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { EXERCISES, type Exercise, exercisePath } from './exercises.ts';
import { ROOT, shownPath } from './paths.ts';
import { readSkeletonManifest, sha256 } from './skeletons.ts';
import { targetRoot } from './target.ts';

const BACKUPS = resolve(ROOT, '.workbook-backups');

/**
 * The text of the shipped skeleton of `exercise`, or a clear error: the file itself when it
 * is untouched, else the version git's history holds with the hash the manifest records.
 */
export function shippedSkeleton(exercise: Exercise): string {
  const path = exercisePath(exercise);
  const wanted = readSkeletonManifest()[path];
  if (wanted === undefined) throw new Error(`workbook/skeletons.json does not know ${path}.`);
  const current = resolve(ROOT, path);
  if (existsSync(current)) {
    const text = readFileSync(current);
    if (sha256(text) === wanted) return text.toString('utf8');
  }
  let commits: string[];
  try {
    commits = execFileSync('git', ['log', '--format=%H', '--', path], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }).split('\n').filter(Boolean);
  } catch {
    throw new Error(`Cannot find the shipped skeleton of ${path}: the file has changed, and this copy of the workbook is not a git clone, so its history cannot tell.`);
  }
  for (const commit of commits) {
    const text = execFileSync('git', ['show', `${commit}:${path}`], { cwd: ROOT, encoding: 'buffer', stdio: 'pipe' });
    if (sha256(text) === wanted) return text.toString('utf8');
  }
  throw new Error(`Cannot find the shipped skeleton of ${path}: no commit holds the version that workbook/skeletons.json records.`);
}

/** The files git tracks under `folder` (relative to the workbook), or undefined outside a git clone. */
function trackedFiles(folder: string): Set<string> | undefined {
  try {
    return new Set(execFileSync('git', ['ls-files', '-z', '--', folder], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }).split('\0').filter(Boolean));
  } catch {
    return undefined;
  }
}

/**
 * A copy of exercises/ as shipped, in `dir`/exercises: the student's own work left out, both
 * their versions of the exercise files and files of their own beside them (outside a git
 * clone those cannot be told apart, and come too). Tests that need untouched skeletons, and
 * the grader's sandboxes, start from it. A skeleton that cannot be recovered throws, unless
 * `lost` is given: then it is recorded there, with why, and the student's file stays.
 */
export function copyShippedExercises(dir: string, lost?: Map<Exercise, string>): void {
  const tracked = trackedFiles('exercises');
  const shipped = (source: string) => tracked === undefined || statSync(source).isDirectory() || tracked.has(relative(ROOT, source).split(sep).join('/'));
  cpSync(resolve(ROOT, 'exercises'), join(dir, 'exercises'), { recursive: true, filter: shipped });
  for (const exercise of EXERCISES) {
    try {
      writeFileSync(join(dir, 'exercises', exercise.chapter, exercise.file), shippedSkeleton(exercise));
    } catch (error) {
      if (lost === undefined) throw error;
      lost.set(exercise, (error as Error).message); // the caller says what it cannot check
    }
  }
}

/** Whether the target's file of `exercise` is the shipped skeleton already: nothing to reset, nothing to back up. */
export function isSkeletonAlready(exercise: Exercise, target = 'exercises'): boolean {
  const file = resolve(targetRoot(target), exercise.chapter, exercise.file);
  // Whatever its line endings: git on Windows checks the skeleton out with \r\n.
  return existsSync(file) && sha256(readFileSync(file)) === sha256(Buffer.from(shippedSkeleton(exercise)));
}

/** Puts the shipped skeleton back in the target, keeping the student's file as a backup. */
export function resetExercise(exercise: Exercise, target = 'exercises', backups = BACKUPS): { backup: string } {
  const skeleton = shippedSkeleton(exercise);
  const file = resolve(targetRoot(target), exercise.chapter, exercise.file);
  if (existsSync(backups) && !statSync(backups).isDirectory()) {
    throw new Error(`${shownPath(relative(process.env.INIT_CWD ?? process.cwd(), backups))} is a file, where reset keeps its backups in a folder of that name. Rename that file, then run reset again: nothing was changed.`);
  }
  mkdirSync(backups, { recursive: true });
  // 01-bump-bump.2026-…Z.ts: the extension stays last, so an editor still reads it as TypeScript.
  const ext = extname(exercise.file);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backup = join(backups, `${exercise.chapter}-${exercise.file.slice(0, exercise.file.length - ext.length)}.${stamp}${ext}`);
  if (existsSync(file)) copyFileSync(file, backup);
  writeFileSync(file, skeleton);
  return { backup: shownPath(relative(process.env.INIT_CWD ?? process.cwd(), backup)) };
}
