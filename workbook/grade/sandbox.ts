// A sandbox for one submission: a private copy of the workbook (machine, tools, reference
// code, canonical tests) with the submission's exercise files put in place of the
// skeletons. The test processes run under Node's permission model: they may write in the
// sandbox's temporary folder only, and start no other program. Should anything else in the
// copy change all the same, the grader notices: every file of it is fingerprinted, the
// submission's own too (a test that rewrote them would grade something else).

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { CHAPTERS, EXERCISES, type Exercise } from '../exercises.ts';
import { ROOT } from '../paths.ts';
import { copyShippedExercises } from '../reset.ts';
import { removeOnExit } from '../on-exit.ts';
import { unixLineEnds } from '../text.ts';
import { withoutComments } from '../imports.ts';

/**
 * What a sandbox copies from the workbook: everything the canonical tests need. exercises/
 * comes as shipped (copyShippedExercises): whatever the grader's own checkout holds there, a
 * file the submission lacks is graded as the skeleton.
 */
const COPIED = ['package.json', 'tsconfig.json', 'vitest.config.ts', 'machine', 'workbook', 'solutions', 'traces'];

/** The vitest configuration a sandbox's tests run with, beside the shipped one. */
export const GRADE_CONFIG = 'vitest.grade.config.ts';

/** The first words of the error the integrity check (integrity.ts) throws; the grader looks for them. */
export const INTEGRITY_MARK = 'Grading integrity:';

/** The sandbox's own temporary folder, the only one its tests may write to. */
export const SANDBOX_TMP = '.tmp';

/**
 * A submission that is there but cannot be read (an archive that does not unpack, a file that
 * cannot be copied): it scores 0 with the reason, and the rest of a batch is graded as usual.
 */
export class UnreadableSubmission extends Error {}

export interface Sandbox {
  dir: string;
  /** The submission's exercise files that were missing, so the skeleton stands in for them. */
  missing: Exercise[];
  /** Files of the student's own beside the exercises, copied in: `01-bump/align.ts`. */
  added: string[];
  /** Exercises whose code is the skeleton's as shipped (or missing): comments and spacing aside. */
  untouched: ReadonlySet<Exercise>;
  /** Files the workbook ships beside the exercises (`05-zones/region.ts`) that the submission changed: graded as shipped. */
  replaced: string[];
  /** Files the submission does not own that are no longer as they were, if any. */
  tampered(): string[];
  cleanup(): void;
}

/**
 * Builds a sandbox from `submissionRoot` (the folder holding the chapter folders) and,
 * optionally, a folder of hidden tests laid out as `NN-slug/*.test.ts`.
 */
export function createSandbox(submissionRoot: string, extraTests?: string): Sandbox {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'workbook-grade-')));
  // At once: a mistake halfway through (a wrong --extra-tests), or Ctrl-C, must not leave a copy behind.
  const cleanup = removeOnExit(dir);
  try {
    return fillSandbox(dir, submissionRoot, extraTests, cleanup);
  } catch (error) {
    cleanup();
    throw error;
  }
}

function fillSandbox(dir: string, submissionRoot: string, extraTests: string | undefined, cleanup: () => void): Sandbox {
  for (const entry of COPIED) {
    cpSync(resolve(ROOT, entry), join(dir, entry), { recursive: true, filter: (source) => !/\.(target|types)-|node_modules/.test(source) });
  }
  copyShippedExercises(dir);
  const shippedCode = new Map(EXERCISES.map((e) => [e, codeOf(join(dir, 'exercises', e.chapter, e.file))]));
  symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  if (extraTests !== undefined) copyHiddenTests(extraTests, join(dir, 'exercises'));
  mkdirSync(join(dir, SANDBOX_TMP));
  writeFileSync(join(dir, GRADE_CONFIG), gradeConfig(dir, extraTests));

  // A link is copied as the file it points to (the scan fails its chapter), never as a link.
  const copy = (from: string, to: string, file: string) => {
    try {
      cpSync(from, to, { dereference: true, force: true });
    } catch (error) {
      throw new UnreadableSubmission(`could not read ${file}: ${(error as Error).message}`);
    }
  };
  const missing: Exercise[] = [];
  for (const exercise of EXERCISES) {
    const from = resolve(submissionRoot, exercise.chapter, exercise.file);
    if (existsSync(from)) copy(from, join(dir, 'exercises', exercise.chapter, exercise.file), `${exercise.chapter}/${exercise.file}`);
    else missing.push(exercise);
  }
  // Files of the student's own beside the exercises (a helper module, or a folder of them,
  // or one beside the chapter folders) come too; a file the workbook ships (a test, a checker such as 05-zones/check.ts) is never replaced.
  const added: string[] = [];
  const replaced: string[] = [];
  const addFrom = (folder: string, depth: number) => {
    const from = folder === '' ? submissionRoot : join(submissionRoot, folder);
    if (!existsSync(from) || !statSync(from).isDirectory()) return;
    for (const entry of readdirSync(from)) {
      const file = folder === '' ? entry : `${folder}/${entry}`;
      const to = join(dir, 'exercises', file);
      const stats = statSync(join(from, entry), { throwIfNoEntry: false }); // undefined for a link to nothing
      if (stats === undefined) continue;
      if (stats.isDirectory()) {
        if (folder !== '' && depth < 3 && !entry.startsWith('.') && entry !== 'node_modules') addFrom(file, depth + 1);
      } else if (/\.(ts|mts|js|mjs)$/.test(entry) && !/\.test\./.test(entry)) {
        if (existsSync(to)) {
          // A given file the student edited: graded as shipped, which a compile error may then show.
          if (!sameText(join(from, entry), to)) replaced.push(file);
          continue;
        }
        mkdirSync(join(dir, 'exercises', folder), { recursive: true });
        copy(join(from, entry), to, file);
        added.push(file);
      }
    }
  };
  addFrom('', 0); // exercises/common.ts, shared by the chapters
  for (const chapter of CHAPTERS) addFrom(chapter.slug, 0);
  const before = fingerprint(dir);
  return {
    dir,
    missing,
    added,
    replaced,
    untouched: new Set(EXERCISES.filter((e) => codeOf(join(dir, 'exercises', e.chapter, e.file)) === shippedCode.get(e))),
    tampered() {
      const after = fingerprint(dir);
      const changed = [...before.keys()].filter((file) => after.get(file) !== before.get(file));
      const added = [...after.keys()].filter((file) => !before.has(file) && !file.startsWith('node_modules'));
      return [...changed, ...added].sort();
    },
    cleanup,
  };
}

/** A file's code without its comments and spacing: a skeleton with a blank line or a note added is still the skeleton. */
function codeOf(file: string): string {
  return withoutComments(readFileSync(file, 'utf8')).replace(/\s+/g, '');
}

/** Whether two files hold the same text, whatever their line ends. */
function sameText(a: string, b: string): boolean {
  return unixLineEnds(readFileSync(a)).equals(unixLineEnds(readFileSync(b)));
}

/**
 * The shipped configuration, plus the integrity check before every test file, and the
 * permission model in the test processes: read the sandbox but solutions/, write only in the sandbox's
 * temporary folder, start workers (chapter 6 needs them) but no child processes. Not the
 * whole sandbox: its node_modules is a link to the grader's own, and the permission model
 * follows links, so a write there would change vitest for every submission after.
 */
function gradeConfig(dir: string, extraTests: string | undefined): string {
  const permission = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
  const execArgv = [permission, ...readable(dir, extraTests).map((path) => `--allow-fs-read=${path}`), `--allow-fs-write=${join(dir, SANDBOX_TMP, '*')}`, '--allow-worker', '--no-warnings'];
  return [
    '// Written by the grader: the shipped configuration, with the integrity check and a sandbox.',
    "import { mergeConfig } from 'vitest/config';",
    "import shipped from './vitest.config.ts';",
    `export default mergeConfig(shipped, { test: { setupFiles: ['workbook/grade/integrity.ts'], execArgv: ${JSON.stringify(execArgv)} } });`,
    '',
  ].join('\n');
}

/**
 * What the test processes may read: the sandbox but solutions/. The tests import the
 * reference through vitest, which reads and compiles it in the grader's own process; a
 * submission that reads the files itself (to compile and run them) is refused.
 */
function readable(dir: string, extraTests: string | undefined): string[] {
  const files = ['package.json', 'tsconfig.json', 'vitest.config.ts', GRADE_CONFIG].map((file) => join(dir, file));
  const folders = [...COPIED.filter((entry) => !entry.includes('.') && entry !== 'solutions'), 'exercises', SANDBOX_TMP].map((folder) => join(dir, folder, '*'));
  // The permission model follows links: the grader's own node_modules, where vitest's workers start.
  // The instructor's hidden tests may read fixtures beside them, where they were given.
  const hidden = extraTests === undefined ? [] : [join(realpathSync(extraTests), '*')];
  return [...files, ...folders, ...hidden, join(realpathSync(join(dir, 'node_modules')), '*')];
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

/** Hash of every file under `dir`, but for node_modules and the temporary folder. */
function fingerprint(dir: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path);
      if (rel === 'node_modules' || rel === SANDBOX_TMP) continue;
      if (entry.isDirectory()) walk(path);
      else hashes.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(dir);
  return hashes;
}
