// For the project's own tests: a copy of the workbook as a fresh clone would have it, its
// exercises the shipped skeletons whatever this checkout's exercises/ holds, in a git
// repository of one commit (the skeletons are found by their hashes in its history).

import { execFileSync } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './paths.ts';
import { copyShippedExercises } from './reset.ts';

/** Fills `dir` with `entries` of the workbook, the shipped exercises and a link to node_modules, and commits them. */
export function shippedCheckout(dir: string, entries: readonly string[]): string {
  for (const entry of entries) {
    cpSync(resolve(ROOT, entry), join(dir, entry), { recursive: true, filter: (source) => !/\.(target|types)-|node_modules/.test(source) });
  }
  copyShippedExercises(dir);
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'shipped');
  return dir;
}
