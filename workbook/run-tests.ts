// Runs exercises' tests against a target in a child vitest process and reads its JSON
// report. One mechanism for `check`, `status` and the red check of `npm test`.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type Exercise, testPath } from './exercises.ts';
import { ROOT } from './paths.ts';
import type { ReportedError, ReportedModule } from './results-reporter.ts';
import { TARGET_VARIABLE, stageTarget } from './target.ts';

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
}

const VITEST = resolve(ROOT, 'node_modules/vitest/vitest.mjs');
const REPORTER = resolve(ROOT, 'workbook/results-reporter.ts');

/** Runs the tests of `exercises` against `target` (exercises, solutions, or an absolute folder). */
export async function runExerciseTests(exercises: readonly Exercise[], target: string): Promise<ExerciseResult[]> {
  if (!existsSync(VITEST)) throw new Error('vitest is not installed: run `npm install` first.');
  const scratch = mkdtempSync(join(tmpdir(), 'workbook-'));
  const report = join(scratch, 'report.json');
  const staged = stageTarget(target);
  try {
    const files = exercises.map((e) => testPath(e));
    const output = await runVitest([...files, `--reporter=${REPORTER}`], staged.target, report);
    if (!existsSync(report)) throw new Error(`The test runner stopped without a report:\n${output}`);
    const modules = JSON.parse(readFileSync(report, 'utf8')) as ReportedModule[];
    return exercises.map((exercise) => toExerciseResult(exercise, modules.find((m) => m.file === resolve(ROOT, testPath(exercise)))));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    staged.cleanup();
  }
}

function runVitest(args: string[], target: string, report: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [VITEST, 'run', ...args], {
      cwd: ROOT,
      env: { ...process.env, [TARGET_VARIABLE]: target, WORKBOOK_RESULTS: report, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolvePromise(output));
  });
}

function toExerciseResult(exercise: Exercise, module: ReportedModule | undefined): ExerciseResult {
  if (module === undefined) {
    return { exercise, status: 'error', tests: [], error: `The tests in ${testPath(exercise)} did not run.` };
  }
  const tests: TestResult[] = module.tests.map((t) => ({
    name: t.name,
    status: t.state === 'passed' ? 'pass' : t.state === 'failed' ? 'fail' : 'skip',
    message: t.errors.map(describeError).join('\n'),
  }));
  if (tests.length === 0 || module.errors.length > 0) {
    const why = module.errors.map(describeError).join('\n') || 'No test ran.';
    return { exercise, status: 'error', tests, error: why };
  }
  const status: Status = tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  return { exercise, status, tests, error: '' };
}

function describeError(error: ReportedError): string {
  const text = cleanMessage(`${error.message}\n${error.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`);
  return error.diff === '' ? text : `${text}\n\n${stripAnsi(error.diff)}`;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Keeps the message and the frames in the student's files and the tests, as relative paths. */
export function cleanMessage(raw: string): string {
  const lines = raw.split('\n');
  const frames = lines.filter((l) => /^\s+at /.test(l));
  const message = lines
    .filter((l) => !/^\s+at /.test(l))
    .join('\n')
    .trimEnd()
    // vitest appends "expected … to be …" to a custom message: give it a line of its own.
    .replace(/\|: (expected .*)$/m, '|\n  $1')
    .replace(/ \/\/ Object\.is equality$/m, '');
  const ours = frames
    .map((l) => /\(?(?:file:\/\/)?(\/[^()]+:\d+):\d+\)?$/.exec(l)?.[1])
    .filter((path): path is string => path !== undefined)
    .map((path) => relative(ROOT, path))
    .filter((path) => path.startsWith('exercises/') || path.startsWith('solutions/') || (!path.startsWith('..') && !/^(node_modules|workbook|machine)\//.test(path)));
  const where = [...new Set(ours)].slice(0, 2);
  return where.length === 0 ? message : `${message}\n  at ${where.join('\n  at ')}`;
}
