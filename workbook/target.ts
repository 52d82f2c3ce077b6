// The one place where tests find the code under test. A target is `exercises` (the
// student's work, the default), `solutions` (the reference), or a folder: a submission
// holding an `exercises/` folder, or a folder of chapter folders itself.

import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHAPTERS, exerciseOfFile } from './exercises.ts';
import { removeOnExit } from './on-exit.ts';
import { EXERCISES_DIR, ROOT, SOLUTIONS_DIR, shownPath } from './paths.ts';

export const TARGET_VARIABLE = 'WORKBOOK_TARGET';

/** The folder holding the chapter folders (`01-bump/…`) of a target. */
export function targetRoot(target: string = process.env[TARGET_VARIABLE] ?? 'exercises'): string {
  if (target === 'exercises') return EXERCISES_DIR;
  if (target === 'solutions') return SOLUTIONS_DIR;
  const folder = isAbsolute(target) ? target : resolve(ROOT, target);
  if (!existsSync(folder)) throw new Error(`The target folder ${folder} does not exist (--target takes exercises, solutions, or a folder).`);
  const nested = resolve(folder, 'exercises');
  const root = existsSync(nested) ? nested : folder;
  // Its tests run from a copy inside the workbook: a folder holding the workbook cannot be copied into it.
  if (`${ROOT}${sep}`.startsWith(`${resolve(root)}${sep}`)) throw new Error(`The target folder ${folder} holds this workbook itself: give the folder of a submission, which holds exercises/ or chapter folders such as 01-bump.`);
  if (!CHAPTERS.some((chapter) => existsSync(join(root, chapter.slug)))) {
    throw new Error(`The target folder ${folder} holds no exercises: neither an exercises/ folder nor chapter folders such as ${CHAPTERS[1].slug}. Give the folder that holds them.`);
  }
  return root;
}

/**
 * `target` by its name when it is the student's exercises/ or the book's solutions/, however it
 * was written (`./solutions`, a whole path): its folder otherwise.
 */
export function targetName(target: string): string {
  if (target === 'exercises' || target === 'solutions') return target;
  const root = realpathSync(targetRoot(target));
  return root === realpathSync(SOLUTIONS_DIR) ? 'solutions' : root === realpathSync(EXERCISES_DIR) ? 'exercises' : target;
}

/** The target is the book's reference, solutions/, however it was written. */
export function isReference(target: string): boolean {
  return targetName(target) === 'solutions';
}

/** Imports `chapter/file.ts` (such as `01-bump/bump.ts`) from the target. */
export async function loadExercise<Module>(relative: string, target?: string): Promise<Module> {
  const root = targetRoot(target);
  const path = resolve(root, relative);
  if (!existsSync(path)) throw inGivenFolder(new Error(missingFileMessage(path, relative, target ?? process.env[TARGET_VARIABLE] ?? 'exercises')), root);
  try {
    return (await import(pathToFileURL(path).href)) as Module;
  } catch (error) {
    throw inGivenFolder(error, root); // a syntax error, or one thrown as the module loads
  }
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
  const cleanup = removeOnExit(stage);
  try {
    cpSync(root, stage, { recursive: true, filter: (source) => !source.includes('node_modules') });
    writeFileSync(join(stage, STAGED_FROM), root);
  } catch (error) {
    cleanup(); // a copy that failed halfway must not stay in the workbook
    throw new Error(`Could not copy the target ${root} to run its tests: ${(error as Error).message}`);
  }
  return { target: stage, cleanup };
}

/**
 * The file in a staged copy that names the folder it was copied from: the copy is gone once the
 * command ends, so messages name the student's own folder instead. A file, not a variable of
 * this module, as the copy is also loaded in worker threads and other processes.
 */
const STAGED_FROM = '.staged-from';

/** The folder `root` was copied from when it is a staged copy (stageTarget); undefined otherwise. */
function stagedFrom(root: string): string | undefined {
  try {
    return readFileSync(join(root, STAGED_FROM), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `error` with the staged copy `root` named as the folder it was copied from, in its message and
 * its stack, as a path and as a file URL; unchanged when `root` is no copy.
 */
function inGivenFolder(error: unknown, root: string): unknown {
  const given = stagedFrom(root);
  if (given === undefined || !(error instanceof Error)) return error;
  // As a URL and a path in a stack, and from the workbook's folder in vitest's transform errors.
  const names: [string, string][] = [
    [pathToFileURL(root).href, pathToFileURL(given).href],
    [root, given],
    [shownPath(root), shownPath(given)],
    [`${shownPath(relative(ROOT, root))}/`, `${shownPath(given)}/`],
  ];
  const moved = (text: string) => names.reduce((line, [from, to]) => line.split(from).join(to), text);
  try {
    error.message = moved(error.message);
    if (error.stack !== undefined) error.stack = moved(error.stack);
  } catch {
    // A frozen error keeps the copy's names: better than no error.
  }
  return error;
}

/** Where a target keeps `chapter/file` (such as `01-bump/bump.ts`), as a student would type it. */
export function fileInTarget(relativeFile: string, target: string): string {
  const path = resolve(targetRoot(target), relativeFile);
  const fromRoot = relative(ROOT, path);
  return shownPath(fromRoot.startsWith('..') ? path : fromRoot);
}
