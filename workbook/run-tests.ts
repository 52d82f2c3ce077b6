// Runs exercises' tests against a target in a child vitest process and reads its JSON
// report. One mechanism for `check`, `status` and the red check of `npm test`.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, win32 } from 'node:path';
import { type Exercise, testPath } from './exercises.ts';
import { ROOT, pathsFor, shownPath } from './paths.ts';
import type { ReportedError, ReportedModule, ResultsFile } from './results-reporter.ts';
import { killGroupOnExit, removeOnExit } from './on-exit.ts';
import { TARGET_VARIABLE, stageTarget, targetRoot } from './target.ts';
import { parseTestLogLine } from './test-log.ts';
import { stripAnsi } from './text.ts';
import { exerciseTypeErrors } from './type-errors.ts';

export type Status = 'pass' | 'fail' | 'error';

export interface TestResult {
  /** `malloc › returns a pointer inside the heap` */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** What broke, without the test runner's stack frames. Empty when the test passed. */
  message: string;
}

export interface ExerciseResult {
  exercise: Exercise;
  /** pass: every test passed; fail: some failed; error: the tests could not run at all. */
  status: Status;
  tests: TestResult[];
  /** Why the tests could not run (a syntax error, a missing export), when status is error. */
  error: string;
  /** The tests ran, but did not finish within the time limit (status is error). */
  hung?: boolean;
  /** With hung: the tests never began, as far as the run could tell; they waited behind others that hung. */
  waited?: boolean;
}

const VITEST = resolve(ROOT, 'node_modules/vitest/vitest.mjs');

/**
 * How long `check` and `status` wait for the tests of `count` exercises before calling it a
 * hang: a test may take up to vitest's 20 s, and a chapter's run a minute on a slow machine.
 */
export function checkTimeoutMs(count: number): number {
  return Math.min(120_000, 30_000 + 15_000 * count);
}

/** Runs the tests of `exercises` against `target` (exercises, solutions, or an absolute folder). */
export async function runExerciseTests(exercises: readonly Exercise[], target: string, timeoutMs = checkTimeoutMs(exercises.length)): Promise<ExerciseResult[]> {
  const staged = stageTarget(target);
  try {
    const files = exercises.map((e) => testPath(e));
    const run = await runTestFiles({ root: ROOT, files, target: staged.target, timeoutMs });
    if (!run.timedOut && run.modules === undefined) throw new Error(`The test runner stopped without a report:\n${run.output}`);
    // A run stopped for time still tells which files finished, and the last test the others started.
    const modules = [...(run.modules ?? run.finished)];
    if (run.timedOut) {
      // Files that ended while another hung may have ended unreported (their worker blocked
      // before it sent their results): they take seconds, so they run again on their own.
      const unreported = endedUnreported(ROOT, files, run.ended, modules);
      if (unreported.length > 0) {
        const again = await runTestFiles({ root: ROOT, files: unreported, target: staged.target, timeoutMs });
        modules.push(...(again.modules ?? again.finished));
      }
    }
    const stuck = exercises.filter((e) => run.timedOut && findModule(modules, ROOT, testPath(e)) === undefined && run.collected[fileKey(ROOT, testPath(e))] !== undefined);
    const folder = relative(ROOT, resolve(ROOT, staged.target));
    const typeErrors = exerciseTypeErrors(ROOT, folder, exercises);
    const results = exercises.map((exercise) => {
      const module = findModule(modules, ROOT, testPath(exercise));
      if (module === undefined && run.timedOut) return hung(exercise, timeoutMs, run.started[fileKey(ROOT, testPath(exercise))], stuck);
      const result = toExerciseResult(exercise, module, ROOT);
      const errors = typeErrors.get(exercise);
      return errors === undefined ? result : withTypeErrors(result, folder, errors);
    });
    return staged.target === target ? results : results.map((r) => renamePaths(r, relative(ROOT, staged.target), displayRoot(target)));
  } finally {
    staged.cleanup();
  }
}

/** The test files among `files` that the log says ended, and the reporter did not report. */
export function endedUnreported(root: string, files: readonly string[], ended: ReadonlySet<string>, reported: readonly ReportedModule[]): string[] {
  return files.filter((file) => ended.has(fileKey(root, file)) && findModule(reported, root, file) === undefined);
}

/**
 * An exercise whose tests a run stopped for time did not report. `stuck` are the exercises
 * whose tests began (their file logged its tests) and did not end: one that never began
 * either hangs as its file loads, or waited behind them.
 */
function hung(exercise: Exercise, timeoutMs: number, lastStarted: string | undefined, stuck: readonly Exercise[]): ExerciseResult {
  const seconds = timeoutMs / 1000;
  const loop = 'Is there an infinite loop: a cycle in a free list, a loop whose pointer never advances, a search that never reaches its end?';
  const others = stuck.filter((e) => e !== exercise).map((e) => e.id);
  const began = stuck.includes(exercise);
  const error =
    began || others.length === 0
      ? `The tests of ${exercise.id} did not finish within ${seconds} s${lastStarted === undefined ? '' : `, in the test "${lastStarted}"`}. ${loop}`
      : `The tests of ${exercise.id} did not begin within ${seconds} s: they waited behind the tests of ${others.join(' and ')}, which did not finish, ` +
        `or ${exercise.file} loops as it loads. Fix ${others.join(' and ')} first, or run npm run check -- ${exercise.id} on its own.`;
  return { exercise, status: 'error', tests: [], error, hung: true, ...(began || others.length === 0 ? {} : { waited: true }) };
}

/**
 * The tests run without type checks (tsx strips the types), but the grader compiles first and
 * gives an exercise with a type error nothing: a failed check of its own says so before a grade does.
 */
function withTypeErrors(result: ExerciseResult, folder: string, errors: string): ExerciseResult {
  const file = `${folder}/${result.exercise.chapter}/${result.exercise.file}`;
  const message =
    `${file} does not compile:\n${errors.trimEnd()}\n` +
    'The tests run without checking types, but grading compiles the files first: an exercise whose file has a type error scores 0.';
  const compiles: TestResult = { name: 'compiles without type errors', status: 'fail', message };
  return { ...result, status: result.status === 'error' ? 'error' : 'fail', tests: [compiles, ...result.tests] };
}

/** Messages name the staged copy's files: name the target's instead, as the student knows them. */
function renamePaths(result: ExerciseResult, from: string, to: string): ExerciseResult {
  const rename = (text: string) => text.split(`${from}/`).join(`${to}/`);
  return { ...result, error: rename(result.error), tests: result.tests.map((t) => ({ ...t, message: rename(t.message) })) };
}

function displayRoot(target: string): string {
  const root = targetRoot(target);
  const rel = relative(process.env.INIT_CWD ?? process.cwd(), root);
  // With forward slashes, as the paths it is put into: ..\ann\exercises/01-bump/bump.ts would mix them.
  return shownPath(rel.startsWith('..') || rel === '' ? root : rel);
}

export interface TestRun {
  /** What the reporter wrote at the end of the run; undefined when the runner died or was stopped before it. */
  modules: ReportedModule[] | undefined;
  /** The test files that finished, even in a run that did not: all of `modules` when it did. */
  finished: ReportedModule[];
  /** The last test each file started, by fileKey (started-test.ts): in a run stopped for time, the one that hung. */
  started: Record<string, string>;
  /** The names of each file's tests, by fileKey, once they were collected: a file stopped before it finished still has them. */
  collected: Record<string, string[]>;
  /** The files whose tests all ran, by fileKey: in a run stopped for time, maybe before the reporter heard of them. */
  ended: Set<string>;
  /** Errors outside any test, such as a worker that ran out of memory. */
  unhandled: ReportedError[];
  /** The runner's own output, for a diagnosis when it died. */
  output: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export interface RunOptions {
  /** The folder holding the tests, machine/, workbook/ and node_modules. */
  root: string;
  /** Test files, relative to root. */
  files: string[];
  target: string;
  /** The runner is killed after this long. */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** A folder the tests may write in, where they log each test they start; by default a fresh one. */
  testWritable?: string;
  /** More arguments for vitest, such as `--maxWorkers=1`. */
  args?: string[];
}

/** The test runners still working, by pid: each leads a process group of its own. */
const running = new Set<number>();
// A terminal's Ctrl-C does not reach those groups: stop them when this process ends, before
// anything removes the folders they run in (this module is loaded before any such folder exists).
process.on('exit', () => running.forEach((pid) => killGroup(pid)));

/** Runs test files in a child vitest process (its own process group, so a timeout kills it all). */
export async function runTestFiles(options: RunOptions): Promise<TestRun> {
  if (!existsSync(VITEST)) throw new Error('vitest is not installed: run `npm install` first.');
  const scratch = mkdtempSync(join(tmpdir(), 'workbook-'));
  const removeScratch = removeOnExit(scratch); // even on Ctrl-C, which ends the process before the finally below
  const report = join(scratch, 'report.json');
  // Not beside the report: the tests may write this log, and must never write the report.
  const startedLog = join(options.testWritable === undefined ? scratch : mkdtempSync(join(options.testWritable, 'started-')), 'started.txt');
  try {
    const reporter = resolve(options.root, 'workbook/results-reporter.ts');
    const { output, exitCode, signal, timedOut } = await new Promise<Omit<TestRun, 'modules' | 'finished' | 'started' | 'collected' | 'ended' | 'unhandled'>>((done, reject) => {
      const child = spawn(process.execPath, [VITEST, 'run', ...options.files, `--reporter=${reporter}`, `--root=${options.root}`, ...(options.args ?? [])], {
        cwd: options.root,
        env: { ...process.env, ...options.env, [TARGET_VARIABLE]: options.target, WORKBOOK_RESULTS: report, WORKBOOK_STARTED: startedLog, NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A group of its own; on Windows, where there are none, detached would only give it a console.
        detached: process.platform !== 'win32',
      });
      if (child.pid !== undefined) running.add(child.pid);
      // Should this process be killed outright (no exit handler runs then), the janitor stops the group.
      const forget = child.pid === undefined || process.platform === 'win32' ? () => {} : killGroupOnExit(child.pid);
      let text = '';
      let killed = false;
      const append = (chunk: Buffer) => {
        text = (text + chunk.toString()).slice(-20_000); // the tail is what explains a crash
      };
      child.stdout.on('data', append);
      child.stderr.on('data', append);
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              killed = true;
              killGroup(child.pid);
            }, options.timeoutMs);
      child.on('error', reject);
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        // Workers a crashed runner left behind; on Windows its pid may already be another process's.
        if (process.platform !== 'win32') killGroup(child.pid);
        if (child.pid !== undefined) running.delete(child.pid);
        forget();
        done({ output: text, exitCode: code, signal: sig, timedOut: killed });
      });
    });
    const results = readJson<ResultsFile>(report);
    const { started, collected, ended } = readTestLog(startedLog, options.root);
    return { modules: results?.complete === true ? results.modules : undefined, finished: results?.modules ?? [], started, collected, ended, unhandled: results?.unhandled ?? [], output, exitCode, signal, timedOut };
  } finally {
    removeScratch();
  }
}

/** What the lines started-test.ts appends say (`kind<TAB>file<TAB>names`): each file's tests, the last one it started, and whether it ended. */
function readTestLog(log: string, root: string): Pick<TestRun, 'started' | 'collected' | 'ended'> {
  const started: Record<string, string> = {};
  const collected: Record<string, string[]> = {};
  const ended = new Set<string>();
  if (!existsSync(log)) return { started, collected, ended };
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const read = parseTestLogLine(line);
    if (read?.kind === 'started') started[fileKey(root, read.file)] = read.names[0] ?? '';
    else if (read?.kind === 'collected') collected[fileKey(root, read.file)] = read.names;
    else if (read?.kind === 'ended') ended.add(fileKey(root, read.file));
  }
  return { started, collected, ended };
}

/** A file the reporter wrote, or undefined if it is missing (or cut short by a kill mid-write). */
function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Stops a test runner and the workers it started: its process group, or on Windows its process tree. */
export function killGroup(pid: number | undefined, platform: NodeJS.Platform = process.platform, run: typeof spawnSync = spawnSync): void {
  if (pid === undefined) return;
  try {
    // Windows has no process groups: a negative pid kills nothing there, and a hang would never end.
    if (platform === 'win32') run('taskkill', ['/pid', String(pid), '/t', '/f'], { stdio: 'ignore', windowsHide: true });
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * A test file, relative to `root` or absolute, as a key to find it by: vitest names files
 * `C:/book/…` on Windows, where resolve() gives `C:\book\…`, and a drive may be written `c:`.
 */
export function fileKey(root: string, file: string): string {
  const paths = pathsFor(root);
  const full = paths.resolve(root, file);
  return paths === win32 ? full.toLowerCase() : full;
}

export function findModule(modules: readonly ReportedModule[], root: string, file: string): ReportedModule | undefined {
  const key = fileKey(root, file);
  return modules.find((m) => fileKey(root, m.file) === key);
}

export function toExerciseResult(exercise: Exercise, module: ReportedModule | undefined, root: string): ExerciseResult {
  if (module === undefined) {
    return { exercise, status: 'error', tests: [], error: `The tests in ${testPath(exercise)} did not run.` };
  }
  const tests: TestResult[] = module.tests.map((t) => ({
    name: t.name,
    status: t.state === 'passed' ? 'pass' : t.state === 'failed' ? 'fail' : 'skip',
    message: t.errors.map((e) => describeError(e, root, exercise)).join('\n'),
  }));
  if (tests.length === 0 || module.errors.length > 0) {
    const why = module.errors.map((e) => describeError(e, root, exercise)).join('\n') || 'No test ran.';
    return { exercise, status: 'error', tests, error: why };
  }
  const status: Status = tests.some((t) => t.status === 'fail') ? 'fail' : 'pass';
  return { exercise, status, tests, error: '' };
}

function describeError(error: ReportedError, root: string, exercise: Exercise): string {
  // Plain text, for every reader (a pipe, --json, the grader): the compiler colours a syntax error itself.
  const text = cleanMessage(`${stripAnsi(error.message)}\n${error.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`, root, `${exercise.chapter}/${exercise.file}`);
  return error.diff === '' ? text : `${text}\n\n${stripAnsi(error.diff)}`;
}


/**
 * A frame's file and line: `at f (/book/x.ts:12:7)`, `at f (C:\book\x.ts:12:7)`, or a file URL,
 * `file:///book/x.ts`, `file:///C:/book/x.ts`, or a share's `file://server/share/x.ts` (its host).
 */
const FRAME_PATH = /\(?(?:file:\/\/([^/()]*))?((?:[A-Za-z]:)?[\\/][^()]+?):(\d+):\d+\)?$/;

/** The path a frame names: a file URL made a path again (`/C:/…` is `C:/…`, a host `//host/…`). */
function framePath(host: string | undefined, file: string): string {
  if (host === undefined) return file;
  const path = decodeURIComponent(file);
  if (host !== '') return `//${host}${path}`;
  return /^\/[A-Za-z]:/.test(path) ? path.slice(1) : path;
}

/**
 * Keeps the message and the frames in the student's files and the tests, as relative paths.
 * `ownFile` (chapter/file.ts) is the exercise being checked: its line is the one to show
 * when the error passed through it, even below other exercise files.
 */
export function cleanMessage(raw: string, root: string = ROOT, ownFile?: string): string {
  const lines = raw.split('\n');
  const frames = lines.filter((l) => /^\s+at /.test(l));
  const message = lines
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .trimEnd()
    // vitest appends "expected … to be …" to a custom message: give it a line of its own.
    .replace(/\|: (expected .*)$/m, '|\n  $1')
    .replace(/ \/\/ Object\.is equality$/m, '');
  // Windows frames too: `C:\book\exercises\…`, `file:///C:/book/…` or a share's `\\server\…`, shown as exercises/….
  const paths = pathsFor(root);
  const ours = frames
    .map((l) => FRAME_PATH.exec(l))
    .filter((found) => found !== null)
    .map(([, host, file, line]) => `${shownPath(paths.relative(root, framePath(host, file)), paths)}:${line}`)
    .filter((path) => path.startsWith('exercises/') || path.startsWith('solutions/') || !/^(\.\.|[A-Za-z]:|node_modules\/|workbook\/|machine\/)/.test(path)); // not outside the book (another drive), not its tools
  const unique = [...new Set(ours)];
  const where = unique.slice(0, 2);
  // The line of the student's own code that led here, even when reference code threw above it.
  const isOwn = (path: string) => ownFile !== undefined && path.replace(/:\d+$/, '').endsWith(ownFile);
  const studentsFrame = unique.find(isOwn) ?? unique.find((path) => path.startsWith('exercises/') && !/(\.test|-testing)\.ts:/.test(path));
  if (studentsFrame !== undefined && !where.includes(studentsFrame)) where[where.length - 1] = studentsFrame;
  return where.length === 0 ? message : `${message}\n  at ${where.join('\n  at ')}`;
}
