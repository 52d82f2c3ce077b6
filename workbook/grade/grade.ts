// Grading: the workbook's canonical tests, run against a submission chapter by chapter, each
// chapter in its own child process with a time limit and a memory limit, in a sandbox.
// A hang, a crash, process.exit, a thrown non-Error or a tampered file fails that chapter,
// with the reason named, and grading goes on. Scores depend on test results only, never
// on time, so the same submission always gets the same score.

import { execFileSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { CHAPTERS, EXERCISES, type Chapter, type Exercise, testPath } from '../exercises.ts';
import { ROOT } from '../paths.ts';
import { type ReportedModule } from '../results-reporter.ts';
import { type TestRun, findModule, runTestFiles, toExerciseResult } from '../run-tests.ts';
import { targetRoot } from '../target.ts';
import { createSandbox, hiddenTests } from './sandbox.ts';

export interface GradeOptions {
  /** Per chapter, in milliseconds. Default 30 s. */
  timeoutMs?: number;
  /** Per chapter, for the JavaScript heap of the test processes, in MiB. Default 1024. */
  memoryMb?: number;
  /** A folder of hidden tests, `NN-slug/*.test.ts`, run with the canonical ones. */
  extraTests?: string;
  /** Points per exercise id, overriding the metadata's. */
  points?: Record<string, number>;
  /** Only these chapters (slugs); all by default. */
  chapters?: string[];
}

export type GradeStatus = 'pass' | 'fail' | 'error';

export interface GradedTest {
  name: string;
  exercise: string;
  /** The chapter slug: Exercism's task id. */
  chapter: string;
  status: GradeStatus;
  message: string;
  points: number;
  maxPoints: number;
}

export interface GradedChapter {
  chapter: Chapter;
  status: GradeStatus;
  /** Why the chapter failed as a whole (a hang, a crash, a compile error), or ''. */
  reason: string;
  tests: GradedTest[];
  points: number;
  maxPoints: number;
}

export interface GradedSubmission {
  submission: string;
  chapters: GradedChapter[];
  points: number;
  maxPoints: number;
  /** Exercise files the submission lacked: the shipped skeleton was graded instead. */
  missing: string[];
}

export async function gradeSubmission(submission: string, options: GradeOptions = {}): Promise<GradedSubmission> {
  const root = targetRoot(resolve(submission));
  let sandbox = createSandbox(root, options.extraTests);
  const missing = sandbox.missing.map((e) => `${e.chapter}/${e.file}`);
  try {
    const compileErrors = typeErrors(sandbox.dir);
    const chapters: GradedChapter[] = [];
    for (const chapter of CHAPTERS.filter((c) => options.chapters === undefined || options.chapters.includes(c.slug))) {
      const exercises = EXERCISES.filter((e) => e.chapter === chapter.slug);
      const files = [...exercises.map((e) => testPath(e)), ...hiddenTests(sandbox.dir, chapter.slug)];
      const run = await runTestFiles({
        root: sandbox.dir,
        files,
        target: 'exercises',
        timeoutMs: options.timeoutMs ?? 30_000,
        env: { NODE_OPTIONS: `--max-old-space-size=${options.memoryMb ?? 1024}` },
        // One worker per chapter: a batch already grades submissions side by side.
        args: ['--maxWorkers=1', '--no-cache'],
      });
      const tampered = sandbox.tampered();
      chapters.push(gradeChapter(chapter, exercises, run, sandbox.dir, files, options, compileErrors.get(chapter.slug) ?? '', tampered));
      if (tampered.length > 0) {
        // The next chapter gets a clean copy: one chapter's damage must not fail the next.
        sandbox.cleanup();
        sandbox = createSandbox(root, options.extraTests);
      }
    }
    return {
      submission,
      chapters,
      points: round(chapters.reduce((n, c) => n + c.points, 0)),
      maxPoints: chapters.reduce((n, c) => n + c.maxPoints, 0),
      missing,
    };
  } finally {
    sandbox.cleanup();
  }
}

function gradeChapter(
  chapter: Chapter,
  exercises: Exercise[],
  run: TestRun,
  root: string,
  files: string[],
  options: GradeOptions,
  compileError: string,
  tampered: string[],
): GradedChapter {
  const maxPoints = exercises.reduce((n, e) => n + pointsOf(e, options), 0);
  const failAll = (status: GradeStatus, reason: string): GradedChapter => ({
    chapter,
    status,
    reason,
    tests: exercises.map((e) => ({ name: `${e.id}: ${reason.split('\n')[0]}`, exercise: e.id, chapter: chapter.slug, status, message: reason, points: 0, maxPoints: pointsOf(e, options) })),
    points: 0,
    maxPoints,
  });
  if (compileError !== '') return failAll('error', `does not compile: ${compileError.trim()}`);
  if (tampered.length > 0) return failAll('fail', `the submission changed or deleted files it does not own while its tests ran: ${tampered.slice(0, 5).join(', ')}`);
  const crash = diagnose(run, options);
  if (crash !== '') return failAll('fail', crash);

  const modules = run.modules as ReportedModule[];
  const tests: GradedTest[] = [];
  let earned = 0;
  for (const exercise of exercises) {
    const ownFiles = files.filter((f) => f === testPath(exercise) || (f.includes('/hidden-') && exercise === exercises[0]));
    const results = ownFiles.flatMap((file): Array<{ name: string; status: GradeStatus; message: string }> => {
      const result = toExerciseResult(exercise, findModule(modules, root, file), root);
      const prefix = file.includes('/hidden-') ? 'hidden: ' : '';
      if (result.status === 'error') return [{ name: `${prefix}${exercise.id}: the tests could not run`, status: 'error', message: result.error }];
      return result.tests.map((t) => ({ name: `${prefix}${t.name}`, status: t.status === 'pass' ? 'pass' : 'fail', message: t.message }));
    });
    // The exercise's points, shared equally by its tests; rounded once, per exercise.
    const each = results.length === 0 ? 0 : pointsOf(exercise, options) / results.length;
    for (const r of results) {
      tests.push({ ...r, exercise: exercise.id, chapter: chapter.slug, points: r.status === 'pass' ? each : 0, maxPoints: each });
    }
    earned += round(each * results.filter((r) => r.status === 'pass').length);
  }
  const status: GradeStatus = tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return { chapter, status, reason: misbehaviour(tests), tests, points: round(earned), maxPoints };
}

/** Misbehaviour that failed some tests without ending the run, named for the instructor. */
function misbehaviour(tests: GradedTest[]): string {
  const failing = tests.filter((t) => t.status !== 'pass');
  const count = (pattern: RegExp) => failing.filter((t) => pattern.test(t.message)).length;
  const reasons: string[] = [];
  const stack = count(/Maximum call stack size exceeded/);
  if (stack > 0) reasons.push(`${stack} test${stack === 1 ? '' : 's'} overflowed the stack (endless recursion?)`);
  const thrown = count(/which is not an Error/);
  if (thrown > 0) reasons.push(`${thrown} test${thrown === 1 ? '' : 's'} met a thrown value that is not an Error`);
  return reasons.join('; ');
}

/**
 * Why a chapter fails as a whole, in words an instructor can act on; '' if it does not.
 * A program that exits, hangs or runs out of memory would not have finished its work, so
 * the tests that happened to pass before it do not count.
 */
function diagnose(run: TestRun, options: GradeOptions): string {
  const everything = [run.output, ...run.unhandled.map((e) => `${e.message}\n${e.stack}`), ...(run.modules ?? []).flatMap((m) => m.tests.flatMap((t) => t.errors.map((e) => e.message)))].join('\n');
  if (run.timedOut) return `did not finish within ${(options.timeoutMs ?? 30_000) / 1000} s: an infinite loop, or far too slow`;
  if (/heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY|worker.*(exited|terminated) unexpectedly|Worker exited/i.test(everything)) {
    return `ran out of memory, or its worker died (limit ${options.memoryMb ?? 1024} MiB)`;
  }
  const exit = /process\.exit unexpectedly called with "?(-?\d*)"?/.exec(everything);
  if (exit !== null) return `called process.exit(${exit[1]}) while the tests ran`;
  if (run.modules === undefined) {
    const tail = run.output.trim().split('\n').slice(-8).join('\n');
    return `the test process crashed (exit ${run.exitCode ?? run.signal}):\n${tail}`;
  }
  return '';
}

/** Type errors per chapter, from the compiler run over the sandbox. */
function typeErrors(dir: string): Map<string, string> {
  const byChapter = new Map<string, string>();
  let output = '';
  try {
    execFileSync(resolve(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? '');
  }
  for (const line of output.split('\n')) {
    const match = /^exercises\/([^/]+)\/([^(]+)\(/.exec(line);
    const owned = match !== null && EXERCISES.some((e) => e.chapter === match[1] && e.file === match[2]);
    if (match === null || !owned) continue;
    byChapter.set(match[1], `${byChapter.get(match[1]) ?? ''}${line}\n`.slice(0, 4000));
  }
  return byChapter;
}

function pointsOf(exercise: Exercise, options: GradeOptions): number {
  return options.points?.[exercise.id] ?? exercise.points;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A submission's name for gradebooks: its folder's name (the folder above, if that is `exercises`). */
export function displayName(submission: string): string {
  const path = resolve(submission);
  return basename(path) === 'exercises' ? basename(dirname(path)) : basename(path);
}
