// Grading: the workbook's canonical tests, run against a submission chapter by chapter, each
// chapter in its own child process with a time limit and a memory limit, in a sandbox.
// A hang, a crash or process.exit fails its exercise, a cheat or a tampered file fails that
// chapter, with the reason named, and grading goes on. Scores depend on test results only,
// never on time, so the same submission always gets the same score.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CHAPTERS, EXERCISES, type Chapter, type Exercise, testPath } from '../exercises.ts';
import { type ReportedModule } from '../results-reporter.ts';
import { type TestRun, fileKey, findModule, runTestFiles, toExerciseResult } from '../run-tests.ts';
import { removeOnExit } from '../on-exit.ts';
import { MESSAGE_LIMIT, shortened } from '../text.ts';
import { exerciseTypeErrors } from '../type-errors.ts';
import { GRADE_CONFIG, INTEGRITY_MARK, SANDBOX_TMP, type Sandbox, UnreadableSubmission, createSandbox, hiddenTests } from './sandbox.ts';
import { type Finding, scanSubmission } from './scan.ts';
import { wasNotRunAfterLoop } from '../not-run.ts';
import { RUNAWAY_LOOP_OPENING } from '../../machine/errors.ts';

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
  /** Called as each chapter starts, for a progress line: the chapter, and how many of the submission's are done. */
  onChapter?: (chapter: Chapter, done: number, total: number) => void;
  /** Called when a chapter's run was stopped (a hang, an exit, a crash): these test files, unfinished, run again alone. */
  onRerun?: (chapter: Chapter, files: string[], why: string) => void;
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
  /** Exercise files the submission lacked, in the chapters graded: the shipped skeleton was graded instead. */
  missing: string[];
  /** The submission held no exercise file at all, of any chapter. */
  empty: boolean;
  /** Lines of the submission worth a look (Node's modules, process hooks), `01-bump/bump.ts:3: …`. */
  review: string[];
}

/** Archives a submission may come as; they are unpacked into a temporary folder and graded. */
export const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;

/** The longest --timeout a chapter may be given, in seconds. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** Throws, saying which option is wrong and what it takes, before any work starts. */
export function checkGradeOptions(options: GradeOptions): void {
  // A day at most: a timer of more than 2^31 − 1 ms fires at once, which would time every chapter out.
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMEOUT_SECONDS * 1000)) {
    throw new Error(`--timeout takes the seconds each chapter may run, a number above 0 and at most ${MAX_TIMEOUT_SECONDS} (a day), such as --timeout 60; the default is 30.`);
  }
  if (options.memoryMb !== undefined && !(Number.isSafeInteger(options.memoryMb) && options.memoryMb >= 64)) {
    throw new Error(`--memory takes the MiB each chapter's tests may use, a whole number from 64 (such as --memory 2048); the default is 1024.`);
  }
  const unknown = (options.chapters ?? []).filter((slug) => !CHAPTERS.some((c) => c.slug === slug));
  if (unknown.length > 0) throw new Error(`--chapters: there is no chapter ${unknown.join(', ')}. Chapters: ${CHAPTERS.map((c) => c.slug).join(', ')}.`);
  if (options.chapters !== undefined && options.chapters.length === 0) throw new Error('--chapters names no chapter: give numbers such as --chapters 01,02.');
  // A mistyped id or a quoted number would otherwise grade the whole class with the wrong weights.
  const points: unknown = options.points;
  if (points === undefined) return;
  if (typeof points !== 'object' || points === null || Array.isArray(points)) throw new Error('--points takes a JSON object of points per exercise id, such as { "bump": 20, "walk": 0 }.');
  for (const [id, value] of Object.entries(points)) {
    if (!EXERCISES.some((e) => e.id === id)) throw new Error(`--points: there is no exercise '${id}'. The exercises: ${EXERCISES.map((e) => e.id).join(', ')}.`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`--points: the points of ${id} are a number from 0 (such as "${id}": 10), not ${JSON.stringify(value)}.`);
  }
}

/**
 * The folder of chapter folders to grade for `submission`: the folder itself, its
 * `exercises/`, or what an archive holds, unpacked. Throws for anything else, saying what to do.
 */
export function submissionFolder(submission: string): { root: string; top: string; cleanup: () => void } {
  const path = resolve(submission);
  if (!existsSync(path)) throw new Error(`${submission}: there is no such file or folder. A submission is a folder holding the student's exercises/ (or its chapter folders), or a .zip or .tar.gz of one.`);
  // A folder the instructor unpacked may hold the submission one folder down (malloc-workbook-main/), as an archive may.
  if (statSync(path).isDirectory()) return { root: chapterFolders(path), top: path, cleanup: () => {} };
  if (!ARCHIVE.test(path)) throw new Error(`${submission} is a file, not a folder: a submission is a folder holding the student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one.`);
  const dir = mkdtempSync(join(tmpdir(), 'workbook-unpacked-'));
  const cleanup = removeOnExit(dir);
  try {
    if (/\.zip$/i.test(path)) execFileSync('unzip', ['-q', '-o', path, '-d', dir], { stdio: 'pipe' });
    else execFileSync('tar', ['-xf', path, '-C', dir], { stdio: 'pipe' });
  } catch (error) {
    cleanup();
    const code = (error as { code?: string }).code;
    const tool = /\.zip$/i.test(path) ? 'unzip' : 'tar';
    if (code === 'ENOENT') throw new Error(`${submission}: unpacking it needs ${tool}, which is not installed (sudo apt-get install ${tool}); or unpack it yourself and grade the folder.`);
    // unzip's first line is only the archive's name in brackets; the reason follows.
    const said = String((error as { stderr?: Buffer }).stderr ?? error).split('\n').map((line) => line.trim()).find((line) => line !== '' && !/^\[.*\]$/.test(line));
    throw new UnreadableSubmission(`could not unpack ${basename(path)} with ${tool}${said === undefined ? '' : ` (${said.replace(/^(tar|unzip):\s*/, '').split(/\.\s/)[0].replace(/\.$/, '')})`}: is it a whole archive? Unpack it yourself and grade the folder.`);
  }
  try {
    return { root: chapterFolders(dir), top: dir, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

/**
 * The folder inside a submission's folder, or an unpacked archive, that holds the chapter
 * folders: the folder itself, its exercises/, or the one such folder at most three levels
 * down (a download's malloc-workbook-main/, beside a notes/ folder). Two are one too many.
 */
function chapterFolders(dir: string): string {
  const found = workbooksIn(dir, 0);
  if (found.length > 1) throw new UnreadableSubmission(`it holds ${found.length} sets of exercises (${found.map((f) => relative(dir, f)).join(', ')}): grade the one meant, by its folder`);
  return found[0] ?? dir;
}

/**
 * Folders holding chapter folders in `dir`, looking `depth` levels down; never a clone's
 * solutions/, the reference. Beside an exercises/ the other folders are looked in too: a copy
 * one level deeper is a second set.
 */
function workbooksIn(dir: string, depth: number): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !['__MACOSX', 'node_modules', 'solutions'].includes(e.name) && !e.name.startsWith('.'));
  if (entries.some((e) => CHAPTERS.some((c) => c.slug === e.name))) return [dir];
  const here = entries.some((e) => e.name === 'exercises') ? [join(dir, 'exercises')] : [];
  const deeper = depth < 3 ? entries.filter((e) => e.name !== 'exercises').flatMap((e) => workbooksIn(join(dir, e.name), depth + 1)) : [];
  return [...here, ...deeper];
}

export async function gradeSubmission(submission: string, options: GradeOptions = {}): Promise<GradedSubmission> {
  checkGradeOptions(options);
  let unpacked: { root: string; top: string; cleanup: () => void } | undefined;
  let sandbox: Sandbox;
  try {
    unpacked = submissionFolder(submission);
    sandbox = createSandbox(unpacked.root, options.extraTests);
  } catch (error) {
    unpacked?.cleanup();
    if (error instanceof UnreadableSubmission) return ungradable(submission, options, 'error', error.message);
    throw error;
  }
  if (sandbox.missing.length === EXERCISES.length) {
    // Nothing of the student's to run: the skeletons would only fail every test, for minutes.
    sandbox.cleanup();
    unpacked.cleanup();
    return { ...ungradable(submission, options, 'fail', NOTHING_SUBMITTED), empty: true };
  }
  const root = unpacked.root;
  // Only the chapters graded: with --chapters 01, chapter 2's absence is not news.
  const missing = sandbox.missing.filter((e) => options.chapters === undefined || options.chapters.includes(e.chapter)).map((e) => `${e.chapter}/${e.file}`);
  const findings = scanSubmission(root, sandbox.added, unpacked.top);
  // An exercise left as shipped (or missing, the skeleton standing in) earns nothing, though the
  // code the skeleton gives may pass a test or two.
  const untouched = sandbox.untouched;
  try {
    const compileErrors = exerciseTypeErrors(sandbox.dir, 'exercises');
    const chapters: GradedChapter[] = [];
    const graded = CHAPTERS.filter((c) => options.chapters === undefined || options.chapters.includes(c.slug));
    for (const chapter of graded) {
      options.onChapter?.(chapter, chapters.length, graded.length);
      const exercises = EXERCISES.filter((e) => e.chapter === chapter.slug);
      if (exercises.every((e) => untouched.has(e))) {
        // Nothing of the student's to run: the skeletons would only fail, for a minute.
        chapters.push(failedChapter(chapter, 'fail', UNTOUCHED_CHAPTER, options));
        continue;
      }
      const files = [...exercises.map((e) => testPath(e)), ...hiddenTests(sandbox.dir, chapter.slug)];
      const dir = sandbox.dir;
      const chapterMs = options.timeoutMs ?? 30_000;
      const runFiles = (some: string[], timeoutMs = chapterMs) =>
        runTestFiles({
          root: dir,
          files: some,
          target: 'exercises',
          timeoutMs,
          env: { NODE_OPTIONS: `--max-old-space-size=${options.memoryMb ?? 1024}`, TMPDIR: join(dir, SANDBOX_TMP) },
          testWritable: join(dir, SANDBOX_TMP),
          // One worker per chapter: a batch already grades submissions side by side. A test
          // may take the chapter's whole time: a limit per test (vitest's 20 s) would make a
          // slow but correct test fail on a busy machine, and scores must not depend on load.
          args: ['--maxWorkers=1', '--no-cache', `--config=${GRADE_CONFIG}`, `--testTimeout=${timeoutMs}`, `--hookTimeout=${timeoutMs}`],
        });
      const cheats = findings.filter((f) => f.cheat && f.chapters.includes(chapter.slug));
      let run = await runFiles(files);
      // A hang, an exit or a crash stops the whole run: run alone, each file keeps or loses its own points.
      const failsAnyway = cheats.length > 0 || breach(run) !== '';
      const stopped = stoppage(run, options);
      if (!failsAnyway && stopped !== '') {
        run = await oneFileAtATime(files, run, runFiles, dir, options, (unfinished) => options.onRerun?.(chapter, unfinished, stopped));
      }
      const tampered = sandbox.tampered();
      chapters.push(gradeChapter(chapter, exercises, run, sandbox.dir, files, options, compileErrors, tampered, cheats, untouched));
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
      empty: false,
      // As for missing files: with --chapters 01, what chapter 2's files reach for is not news.
      review: [
        ...findings.filter((f) => !f.cheat && (options.chapters === undefined || f.chapters.some((c) => options.chapters!.includes(c)))).map((f) => `${f.where}: ${f.what}`),
        ...sandbox.replaced
          .filter((file) => options.chapters === undefined || options.chapters.includes(file.split('/')[0]))
          .map((file) => `${file}: changed from the file the workbook gives, which was graded in its place (a compile error naming it may come from that)`),
      ],
    };
  } finally {
    sandbox.cleanup();
    unpacked.cleanup();
  }
}

/** How many times the chapter's time limit a test file is given when it runs again alone. */
export const RERUN_TIME_FACTOR = 3;

/** How a test file that ran out of time is reported, and recognized in the reports. */
const DID_NOT_FINISH = 'did not finish';
/** How a test file whose run was stopped otherwise (an exit, memory, a crash) is reported. */
const STOPPED = 'stopped: ';

/** What befell the tests of a file that did not run to its end (their status is 'error'), from their message. */
export function whatStopped(message: string): string {
  return message.startsWith(DID_NOT_FINISH) ? 'the tests did not finish' : message.startsWith(STOPPED) ? 'the tests were stopped' : 'the tests could not run';
}

/**
 * A chapter whose tests were stopped (out of time, process.exit, out of memory, a crash),
 * run again one test file at a time, so that it costs only its own exercise: a file stopped
 * alone reports why as its error, and the exercises that finish keep their points. After a
 * hang, a file that finished before it keeps its results and is not run again; each file run
 * again has RERUN_TIME_FACTOR times the limit. A chapter of one test file is run again only
 * when it ran out of time. A cheat caught by the integrity check in any file is still the
 * chapter's, as in a single run.
 */
async function oneFileAtATime(
  files: string[],
  chapterRun: TestRun,
  runFiles: (some: string[], timeoutMs?: number) => Promise<TestRun>,
  root: string,
  options: GradeOptions,
  onRerun: (unfinished: string[]) => void,
): Promise<TestRun> {
  // Only after a hang: a worker that exits or dies has vitest report its file as finished,
  // its tests failed without a word. A run stopped for time ends no file it did not finish.
  const finished = new Map(chapterRun.timedOut ? chapterRun.finished.map((m) => [fileKey(root, m.file), m]) : []);
  const unfinished = files.filter((file) => !finished.has(fileKey(root, file)));
  // A chapter of one test file ran it alone already: again only if it ran out of time.
  const alone = files.length === 1;
  if (unfinished.length > 0 && (!alone || chapterRun.timedOut)) onRerun(unfinished);
  const modules: ReportedModule[] = files.flatMap((file) => finished.get(fileKey(root, file)) ?? []);
  const runs: TestRun[] = [];
  // Alone, and with RERUN_TIME_FACTOR times the time: a correct exercise slowed by a busy machine
  // (a batch beside other work) finishes then, and scores as it does on a quiet one. An endless
  // loop in the simulated memory is stopped by the loop guard long before; this limit is for the rest.
  const rerunMs = (options.timeoutMs ?? 30_000) * RERUN_TIME_FACTOR;
  for (const file of unfinished) {
    const run = alone && !chapterRun.timedOut ? chapterRun : await runFiles([file], rerunMs);
    if (breach(run) !== '') return run;
    const stopped = stoppage(run, options);
    if (run.timedOut) {
      const test = run.started[fileKey(root, file)];
      const message = `${DID_NOT_FINISH} within ${rerunMs / 1000} s, run alone${test === undefined ? '' : `, in the test "${test}"`}: an infinite loop, or far too slow`;
      modules.push(stoppedModule(root, file, message, run));
    } else if (stopped !== '') {
      // Its first line: a crash's last lines of output would read as the chapter's own crash (unless it is the chapter's one file).
      modules.push(stoppedModule(root, file, `${STOPPED}${alone ? stopped : stopped.split('\n')[0]}`, run));
    } else {
      modules.push(...(run.modules ?? []));
      runs.push(run);
    }
  }
  // Only the runs that finished: what stopped the others is told once, in their file's error.
  return {
    modules,
    finished: modules,
    started: {},
    collected: {},
    ended: new Set(),
    unhandled: runs.flatMap((r) => r.unhandled),
    output: runs.map((r) => r.output).join('\n'),
    exitCode: 0,
    signal: null,
    timedOut: false,
  };
}

/**
 * A test file whose run was stopped, for the grade: every test it held fails with the reason,
 * so that a stopped exercise lists the tests it lost, as many as any other submission's.
 */
function stoppedModule(root: string, file: string, message: string, run: TestRun): ReportedModule {
  const error = { message, stack: '', diff: '' };
  const names = run.collected[fileKey(root, file)] ?? [];
  return { file: resolve(root, file), errors: [error], tests: names.map((name) => ({ name, state: 'failed', errors: [error] })) };
}

function gradeChapter(
  chapter: Chapter,
  exercises: Exercise[],
  run: TestRun,
  root: string,
  files: string[],
  options: GradeOptions,
  compileErrors: Map<Exercise, string>,
  tampered: string[],
  cheats: Finding[],
  untouched: ReadonlySet<Exercise>,
): GradedChapter {
  const maxPoints = exercises.reduce((n, e) => n + pointsOf(e, options), 0);
  const failAll = (status: GradeStatus, reason: string) => failedChapter(chapter, status, reason, options);
  if (cheats.length > 0) return failAll('fail', `its code reaches for what it must not: ${cheats.slice(0, 3).map((f) => `${f.where} ${f.what}`).join('; ')}`);
  if (tampered.length > 0) return failAll('fail', `the submission changed or deleted files while its tests ran: ${tampered.slice(0, 5).join(', ')}`);
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
      if (result.status === 'error') {
        // A stopped file's tests each fail with its reason; a file that could not load has none to name.
        const names = result.tests.length > 0 ? result.tests.map((t) => t.name) : [`${exercise.id}: ${whatStopped(result.error)}`];
        return names.map((name) => ({ name: `${prefix}${name}`, status: 'error', message: shortened(result.error, REPORTED_LIMIT) }));
      }
      return result.tests.map((t) => ({ name: `${prefix}${t.name}`, status: t.status === 'pass' ? 'pass' : 'fail', message: shortened(t.message, REPORTED_LIMIT) }));
    });
    // A file with a type error scores nothing, whatever its tests did (they ran with the types
    // stripped); the chapter's other exercises keep their points, as after a hang.
    const compileError = compileErrors.get(exercise) ?? '';
    if (compileError !== '') {
      const message = `does not compile: ${compileError.trim()}`;
      // A test that could not run keeps its own reason; the chapter's reason names the compiler's.
      for (const r of results) if (r.status !== 'error') Object.assign(r, { status: 'fail', message: r.status === 'pass' ? message : `${message}\n${r.message}` });
    }
    if (untouched.has(exercise)) for (const r of results) Object.assign(r, { status: 'fail', message: `${UNTOUCHED}${r.status === 'pass' ? '' : `\n${r.message}`}` });
    // The exercise's points, shared equally by its tests; rounded once, per exercise.
    const each = results.length === 0 ? 0 : pointsOf(exercise, options) / results.length;
    for (const r of results) {
      tests.push({ ...r, exercise: exercise.id, chapter: chapter.slug, points: r.status === 'pass' ? each : 0, maxPoints: each });
    }
    earned += round(each * results.filter((r) => r.status === 'pass').length);
  }
  const status: GradeStatus = tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  const uncompiled = exercises.filter((e) => compileErrors.has(e)).map((e) => `${e.id} does not compile: ${compileErrors.get(e)!.trim().split('\n')[0]}`);
  const unchanged = exercises.filter((e) => untouched.has(e)).map((e) => e.id);
  const left = unchanged.length === 0 ? '' : `${unchanged.join(', ')} ${unchanged.length === 1 ? 'is' : 'are'} the skeleton as shipped (or missing): no points`;
  return { chapter, status, reason: [...uncompiled, left, misbehaviour(tests)].filter((r) => r !== '').join('; '), tests, points: round(earned), maxPoints };
}

/** A chapter failed as a whole, for one reason: every exercise scores 0 with it. */
function failedChapter(chapter: Chapter, status: GradeStatus, reason: string, options: GradeOptions): GradedChapter {
  const exercises = EXERCISES.filter((e) => e.chapter === chapter.slug);
  return {
    chapter,
    status,
    reason,
    tests: exercises.map((e) => ({ name: `${e.id}: ${reason.split('\n')[0]}`, exercise: e.id, chapter: chapter.slug, status, message: reason, points: 0, maxPoints: pointsOf(e, options) })),
    points: 0,
    maxPoints: exercises.reduce((n, e) => n + pointsOf(e, options), 0),
  };
}

/** Why a test of an exercise left as shipped scores nothing, passed or not. */
export const UNTOUCHED = 'the exercise is the skeleton as shipped (or missing): nothing of the student\'s to grade';
/** Why a chapter whose every exercise is left as shipped scores 0 without running. */
const UNTOUCHED_CHAPTER = 'every exercise of the chapter is the skeleton as shipped (or missing): nothing of the student\'s to grade, so its tests were not run';

/** Why a submission with no exercise file at all scores 0. */
const NOTHING_SUBMITTED = 'no exercise file at all: nothing was submitted, or this is not the folder holding exercises/ or its chapter folders';

/** A submission that could not be graded at all: every chapter graded fails, with the reason. */
function ungradable(submission: string, options: GradeOptions, status: GradeStatus, reason: string): GradedSubmission {
  const chapters = CHAPTERS.filter((c) => options.chapters === undefined || options.chapters.includes(c.slug)).map((c) => failedChapter(c, status, reason, options));
  return { submission, chapters, points: 0, maxPoints: chapters.reduce((n, c) => n + c.maxPoints, 0), missing: [], empty: false, review: [] };
}

/** Misbehaviour that failed some tests without ending the run, named for the instructor. */
export function misbehaviour(tests: GradedTest[]): string {
  const failing = tests.filter((t) => t.status !== 'pass');
  const count = (pattern: RegExp) => failing.filter((t) => pattern.test(t.message)).length;
  const reasons: string[] = [];
  // Code that throws as it is imported: no test of the exercise ran.
  const unloaded = failing.filter((t) => t.status === 'error');
  if (unloaded.length > 0) {
    const first = unloaded[0].message.split('\n')[0];
    const which = `the tests of ${[...new Set(unloaded.map((t) => t.exercise))].join(', ')}`;
    reasons.push(first.startsWith(DID_NOT_FINISH) ? `${which} ${first}` : first.startsWith(STOPPED) ? `${which} were ${first}` : `${which} could not run: ${first}`);
  }
  // Stopped by the machine's loop guard: the file's later tests were not run (loop-guard.ts).
  const looping = failing.filter((t) => t.message.includes(RUNAWAY_LOOP_OPENING));
  if (looping.length > 0) {
    const where = /exercises[/\\][\w./\\-]+\.ts:\d+/.exec(looping.map((t) => t.message).join('\n'))?.[0].replace(/\\/g, '/');
    const skipped = failing.filter((t) => wasNotRunAfterLoop(t.message)).length;
    const tests = (n: number) => `${n} test${n === 1 ? '' : 's'}`;
    reasons.push(`${tests(looping.length)} looped without end${where === undefined ? '' : ` (at ${where})`}${skipped > 0 ? `, and ${tests(skipped)} after ${looping.length === 1 ? 'it' : 'them'} were not run` : ''}`);
  }
  const stack = count(/Maximum call stack size exceeded/);
  if (stack > 0) reasons.push(`${stack} test${stack === 1 ? '' : 's'} overflowed the stack (endless recursion?)`);
  const thrown = count(/which is not an Error/);
  if (thrown > 0) reasons.push(`${thrown} test${thrown === 1 ? '' : 's'} met a thrown value that is not an Error`);
  const denials = failing.filter((t) => /ERR_ACCESS_DENIED|Access to this API has been restricted/.test(t.message));
  if (denials.length > 0) {
    // The first refusal's permission and file, from the workbook's folders on (results-reporter.ts adds them).
    const what = /\((FileSystem\w+|ChildProcess|Worker\w*) of (?:[^)]*[/\\](?=(?:exercises|solutions|machine|workbook)[/\\]))?([^)]+)\)/.exec(denials[0].message);
    const first = what === null ? '' : ` (first: ${what[1]} of ${what[2]})`;
    reasons.push(`${denials.length} test${denials.length === 1 ? '' : 's'} failed because a file access or a program was refused${first}: tests may write in their temporary folder only, read nothing of the reference solutions, and start no program`);
  }
  return reasons.join('; ');
}

/**
 * Why a chapter fails as a whole, in words an instructor can act on; '' if it does not.
 * A program that exits, hangs or runs out of memory would not have finished its work, so
 * the tests that happened to pass before it do not count.
 */
function diagnose(run: TestRun, options: GradeOptions): string {
  return breach(run) || stoppage(run, options);
}

/** Everything a run said: its output, and the messages of its errors. */
function everythingSaid(run: TestRun): string {
  return [run.output, ...run.unhandled.map((e) => `${e.message}\n${e.stack}`), ...(run.modules ?? []).flatMap((m) => [...m.errors, ...m.tests.flatMap((t) => t.errors)].map((e) => e.message))].join('\n');
}

/** What the integrity check found the submission's code changed, or ''. */
function breach(run: TestRun): string {
  const integrity = everythingSaid(run).split('\n').find((line) => line.includes(INTEGRITY_MARK));
  return integrity === undefined ? '' : integrity.slice(integrity.indexOf(INTEGRITY_MARK) + INTEGRITY_MARK.length).trim().replace(/^the submission's code/, 'its code');
}

/** Why the run was stopped before its tests were done (time, memory, an exit, a crash), or ''. */
function stoppage(run: TestRun, options: GradeOptions): string {
  const everything = everythingSaid(run);
  if (run.timedOut) return `did not finish within ${(options.timeoutMs ?? 30_000) / 1000} s: an infinite loop, or far too slow`;
  // A worker killed by a signal or process.abort() leaves only vitest's "Worker forks emitted error".
  if (/heap out of memory|Reached heap limit|ERR_WORKER_OUT_OF_MEMORY|worker.*(exited|terminated) unexpectedly|Worker exited|Worker forks emitted error/i.test(everything)) {
    return `ran out of memory, or its worker died (limit ${options.memoryMb ?? 1024} MiB; an abort or a signal kills it too)`;
  }
  const exit = /process\.exit unexpectedly called with "?(-?\d*)"?/.exec(everything);
  if (exit !== null) return `called process.exit(${exit[1]}) while the tests ran`;
  if (run.modules === undefined) {
    const tail = run.output.trim().split('\n').slice(-8).join('\n');
    if (tail !== '') return `the test process crashed (exit ${run.exitCode ?? run.signal}):\n${tail}`;
    // Killed without a word: a signal from the submission's own code, or from outside.
    const how = run.signal !== null ? `was killed by ${run.signal}` : `exited with ${run.exitCode}`;
    return `the test process ${how} before it said anything: by the submission's own code (process.kill, say: see the lines worth a look), or from outside the grader`;
  }
  return '';
}

/** The results reporter cut each message already; this leaves room for the name and the frames added since. */
const REPORTED_LIMIT = MESSAGE_LIMIT + 2_000;

function pointsOf(exercise: Exercise, options: GradeOptions): number {
  return options.points?.[exercise.id] ?? exercise.points;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A submission's name for gradebooks: its folder's name (the folder above, if that is `exercises`), or its archive's without the extension. */
export function displayName(submission: string): string {
  const path = resolve(submission);
  return basename(path) === 'exercises' ? basename(dirname(path)) : basename(path).replace(ARCHIVE, '');
}
