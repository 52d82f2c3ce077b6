// The one place where tests find the code under test. A target is `exercises` (the
// student's work, the default), `solutions` (the reference), or a folder: a submission
// holding an `exercises/` folder, or a folder of chapter folders itself.

import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exerciseOfFile } from './exercises.ts';
import { EXERCISES_DIR, ROOT, SOLUTIONS_DIR, shownPath } from './paths.ts';

export const TARGET_VARIABLE = 'WORKBOOK_TARGET';

/** The folder holding the chapter folders (`01-bump/…`) of a target. */
export function targetRoot(target: string = process.env[TARGET_VARIABLE] ?? 'exercises'): string {
  if (target === 'exercises') return EXERCISES_DIR;
  if (target === 'solutions') return SOLUTIONS_DIR;
  const folder = isAbsolute(target) ? target : resolve(ROOT, target);
  if (!existsSync(folder)) throw new Error(`The target folder ${folder} does not exist (--target takes exercises, solutions, or a folder).`);
  const nested = resolve(folder, 'exercises');
  return existsSync(nested) ? nested : folder;
}

/** Imports `chapter/file.ts` (such as `01-bump/bump.ts`) from the target. */
export async function loadExercise<Module>(relative: string, target?: string): Promise<Module> {
  const path = resolve(targetRoot(target), relative);
  if (!existsSync(path)) throw new Error(missingFileMessage(path, relative, target ?? process.env[TARGET_VARIABLE] ?? 'exercises'));
  return (await import(pathToFileURL(path).href)) as Module;
}

/** What a test says when the target has no `relative`. */
export function missingFileMessage(path: string, relative: string, target: string): string {
  // A student's own file can come back as the skeleton; a reference or a submission cannot.
  const exercise = target === 'exercises' ? exerciseOfFile(relative) : undefined;
  const restore = exercise === undefined ? '' : ` To get the skeleton back: npm run reset -- ${exercise.id}`;
  return `Cannot find ${shownPath(path)}: the target has no ${relative}. Did you rename or delete the file?${restore}`;
}

/**
 * A folder target runs from a copy placed directly inside the repository, so that its
 * files' imports of `../../machine/…` and `../../workbook/…` reach the workbook's own
 * machine and tools, never copies that came with the submission.
 */
export function stageTarget(target: string): { target: string; cleanup: () => void } {
  if (target === 'exercises' || target === 'solutions') return { target, cleanup: () => {} };
  const root = targetRoot(target);
  if (dirname(root) === ROOT) return { target: root, cleanup: () => {} };
  const stage = mkdtempSync(join(ROOT, `.target-${basename(resolve(root, root.endsWith('exercises') ? '..' : '.'))}-`));
  cpSync(root, stage, { recursive: true, filter: (source) => !source.includes('node_modules') });
  return { target: stage, cleanup: removeOnExit(stage) };
}

const leftovers = new Set<string>();
let hooked = false;

/**
 * Removes `path` when the returned function is called, or when the process ends first,
 * even by Ctrl-C: a staged copy, or a grader's sandbox, must never stay behind.
 */
export function removeOnExit(path: string): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => leftovers.forEach((p) => rmSync(p, { recursive: true, force: true })));
    // Ctrl-C and kill end the process through process.exit, so that the line above runs.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) if (process.listenerCount(signal) === 0) process.once(signal, () => process.exit(130));
  }
  leftovers.add(path);
  return () => {
    rmSync(path, { recursive: true, force: true });
    leftovers.delete(path);
  };
}

/** Where a target keeps `chapter/file` (such as `01-bump/bump.ts`), as a student would type it. */
export function fileInTarget(relativeFile: string, target: string): string {
  const path = resolve(targetRoot(target), relativeFile);
  const fromRoot = relative(ROOT, path);
  return shownPath(fromRoot.startsWith('..') ? path : fromRoot);
}
