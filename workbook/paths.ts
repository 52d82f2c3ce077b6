// Where things are, from the repository root, wherever the command was started.

import { dirname, type PlatformPath, posix, relative, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXERCISES_DIR = resolve(ROOT, 'exercises');
export const SOLUTIONS_DIR = resolve(ROOT, 'solutions');
/** The student's progress: hints seen. One small text file, safe to copy between machines. */
export const PROGRESS_FILE = process.env.WORKBOOK_PROGRESS ?? resolve(ROOT, '.workbook-progress');

/**
 * The path functions for paths shaped like `root`: Windows' for `C:\book` or `\\server\share`
 * (tests give such paths on any system), else this system's.
 */
export function pathsFor(root: string): PlatformPath {
  return process.platform === 'win32' || /^([A-Za-z]:[\\/]|\\\\)/.test(root) ? win32 : posix;
}

/** A path as the tools print it: with forward slashes, as the book writes paths, which Windows takes too. */
export function shownPath(path: string, paths: PlatformPath = pathsFor(path)): string {
  return path.split(paths.sep).join('/');
}

/** A path as the user would type it: from `here` when it is below `here`, whole otherwise. */
export function asTyped(here: string, path: string): string {
  const rel = relative(here, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
