// A sandbox for one submission: a private copy of the workbook (machine, tools, reference
// code, canonical tests) with the submission's exercise files put in place of the
// skeletons. Whatever the submission's code writes or deletes, it does so in the copy, and
// the grader notices: every file the submission does not own is fingerprinted.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { EXERCISES, type Exercise } from '../exercises.ts';
import { ROOT } from '../paths.ts';

/** What a sandbox copies from the workbook: everything the canonical tests need. */
const COPIED = ['package.json', 'tsconfig.json', 'vitest.config.ts', 'machine', 'workbook', 'solutions', 'exercises', 'traces'];

export interface Sandbox {
  dir: string;
  /** The submission's exercise files that were missing, so the skeleton stands in for them. */
  missing: Exercise[];
  /** Files the submission does not own that are no longer as they were, if any. */
  tampered(): string[];
  cleanup(): void;
}

/**
 * Builds a sandbox from `submissionRoot` (the folder holding the chapter folders) and,
 * optionally, a folder of hidden tests laid out as `NN-slug/*.test.ts`.
 */
export function createSandbox(submissionRoot: string, extraTests?: string): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'workbook-grade-'));
  for (const entry of COPIED) {
    cpSync(resolve(ROOT, entry), join(dir, entry), { recursive: true, filter: (source) => !/\.(target|types)-|node_modules/.test(source) });
  }
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  if (extraTests !== undefined) copyHiddenTests(extraTests, join(dir, 'exercises'));

  const missing: Exercise[] = [];
  for (const exercise of EXERCISES) {
    const from = resolve(submissionRoot, exercise.chapter, exercise.file);
    if (existsSync(from)) cpSync(from, join(dir, 'exercises', exercise.chapter, exercise.file));
    else missing.push(exercise);
  }
  const owned = new Set(EXERCISES.map((e) => join('exercises', e.chapter, e.file)));
  const before = fingerprint(dir, owned);
  return {
    dir,
    missing,
    tampered() {
      const after = fingerprint(dir, owned);
      const changed = [...before.keys()].filter((file) => after.get(file) !== before.get(file));
      const added = [...after.keys()].filter((file) => !before.has(file) && !file.startsWith('node_modules'));
      return [...changed, ...added].sort();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function copyHiddenTests(from: string, exercisesDir: string): void {
  if (!existsSync(from)) throw new Error(`--extra-tests ${from}: there is no such folder.`);
  for (const chapter of readdirSync(from)) {
    if (!statSync(join(from, chapter)).isDirectory()) continue;
    if (!existsSync(join(exercisesDir, chapter))) throw new Error(`--extra-tests: ${chapter} is not a chapter folder of the workbook.`);
    for (const file of readdirSync(join(from, chapter)).filter((f) => f.endsWith('.test.ts'))) {
      cpSync(join(from, chapter, file), join(exercisesDir, chapter, `hidden-${file}`));
    }
  }
}

/** Hidden tests of a chapter in a sandbox, relative to the sandbox. */
export function hiddenTests(dir: string, chapter: string): string[] {
  const folder = join(dir, 'exercises', chapter);
  return existsSync(folder) ? readdirSync(folder).filter((f) => f.startsWith('hidden-') && f.endsWith('.test.ts')).map((f) => join('exercises', chapter, f)) : [];
}

/** Hash of every file under `dir` except the ones the submission owns. */
function fingerprint(dir: string, owned: Set<string>): Map<string, string> {
  const hashes = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path);
      if (rel === 'node_modules') continue;
      if (entry.isDirectory()) walk(path);
      else if (!owned.has(rel)) hashes.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return hashes;
}
