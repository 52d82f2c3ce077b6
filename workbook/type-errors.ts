// The compiler's verdict on exercise files, for the grader and for `check` alike: an exercise
// whose file has a type error earns nothing when graded, so a student must hear of the error
// when checking, not only when the grade comes back.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXERCISES, type Exercise } from './exercises.ts';
import { forwardSlashes } from './text.ts';

/**
 * Type errors in the exercise files that `folder` (relative to `root`) holds for `exercises`,
 * as the compiler prints them, by exercise. Only those files and what they import are
 * compiled, with the workbook's tsconfig.json; errors elsewhere (a tool, a test) are not the
 * student's.
 */
export function exerciseTypeErrors(root: string, folder: string, exercises: readonly Exercise[] = EXERCISES): Map<Exercise, string> {
  const errors = new Map<Exercise, string>();
  if (exercises.length === 0) return errors;
  // The project is written beside workbook/'s sources (a folder .gitignore covers), so its
  // paths, and the compiler's messages, are relative to `root` as everywhere else.
  const project = mkdtempSync(join(root, 'workbook', '.types-'));
  const files = exercises.map((e) => resolve(root, folder, e.chapter, e.file));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ extends: relative(project, resolve(root, 'tsconfig.json')), include: [], files: files.map((f) => relative(project, f)) }));
  let output = '';
  try {
    // Node runs the compiler's own script: on Windows node_modules/.bin/tsc is a shell script, which cannot be started.
    execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? '');
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  const prefix = `${forwardSlashes(folder)}/`;
  for (const line of output.split(/\r?\n/)) {
    if (!line.startsWith(prefix)) continue;
    const match = /^([^/]+)\/([^(]+)\(/.exec(line.slice(prefix.length));
    const owner = match === null ? undefined : exercises.find((e) => e.chapter === match[1] && e.file === match[2]);
    if (owner !== undefined) errors.set(owner, `${errors.get(owner) ?? ''}${line}\n`.slice(0, 4000));
  }
  return errors;
}
