// The tools' commands: trace (replay and compare allocators), grade, bench.

import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { type Message, formatMessagesSync, transformSync } from 'esbuild';
import pc from 'picocolors';
import { ALLOCATORS, loadAllocator } from '../allocators.ts';
import { benchAllocators, benchJson, readBenchTraces } from '../bench/allocators.ts';
import { benchMachine } from '../bench/machine.ts';
import { formatBench } from '../bench/table.ts';
import { CHAPTERS, EXERCISES, type Chapter, exerciseOfFile, findChapter } from '../exercises.ts';
import { type GradeOptions, type GradedSubmission, RERUN_TIME_FACTOR, checkGradeOptions, displayName, gradeSubmission } from '../grade/grade.ts';
import { type BatchListing, batchSubmissions, gradedOnce, leftOutSaying, reportNames, submissionProblem } from '../grade/submissions.ts';
import { earlierResults, existingReports, gradescopeIsFolder, reportPathProblems, writeReport } from '../grade/outputs.ts';
import { formatGradeTable, toCsv, toExercism, toGradescope, toJunit } from '../grade/reports.ts';
import { ROOT, asTyped } from '../paths.ts';
import { isReference, stageTarget, targetRoot } from '../target.ts';
import { onInterrupt } from '../on-exit.ts';
import { type AllocatorRuns, formatComparison } from '../trace/compare.ts';
import { writeShippedTraces } from '../trace/generate.ts';
import { formatFailures, formatTable, toJson as traceJson } from '../trace/report.ts';
import { benchThreads } from '../threads/bench.ts';
import { ReplayHung, runTracesGuarded } from '../trace/guarded.ts';
import { TraceFormatError } from '../trace/rep.ts';
import { readTraces } from '../trace/run.ts';
import { MAX_THREADS } from '../trace/threads.ts';
import { indent } from '../text.ts';
import { checkAllocatorOptions } from './allocator-options.ts';
import { measuredTarget, whose } from './measured.ts';
import { type Options, UsageError, progressBar, refuseUnused } from './options.ts';

// ------------------------------------------------------------------ trace

export async function trace(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  if (options.generate) {
    if (options.positional.length > 0) throw new UsageError(`trace --generate takes no word: it writes the workbook's own traces into traces/. What is '${options.positional[0]}'?`);
    for (const path of writeShippedTraces(resolve(ROOT, 'traces'))) console.log(`wrote ${relative(here, path)}`);
    return 0;
  }
  const [id, ...paths] = options.positional;
  if (id === undefined) throw new UsageError(`Which allocator? For example: npm run trace -- bump. Known: ${ALLOCATORS.map((a) => a.id).join(', ')}.`);
  const swapped = swappedArguments(id, paths, here);
  if (swapped !== undefined) throw new UsageError(swapped);
  const unwritable = svgPathProblem(options.values.svg, here, options.force, 'replayed');
  if (unwritable !== undefined) throw new UsageError(unwritable); // before the replays, which can take minutes
  const threads = threadsOption(options);
  const leftOut = new LeftOut(options.json);
  const traces = namedAsTyped(paths, here, readTraces(paths.length === 0 ? [resolve(ROOT, 'traces')] : paths, here, leftOut.say));
  return leftOut.exitCode(await replayAndReport(id, traces, here, options, leftOut, threads));
}

/**
 * --threads <n>: how many logical threads each trace's calls are spread over (trace/threads.ts),
 * so that an allocator with a heap per thread, chapter 6's magazines, is measured as chapter 6
 * measures it. 1, the default, makes every call on thread 0.
 */
function threadsOption(options: Options): number {
  const raw = options.values.threads;
  if (raw === undefined) return 1;
  // Digits only, as every count: Number() would also read 0x10, 1e1 and ' 4'.
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_THREADS)) {
    throw new UsageError(`--threads takes how many logical threads to spread each trace's calls over: a whole number from 1 to ${MAX_THREADS}, written in decimal digits, such as --threads 4; not '${raw}'.`);
  }
  return value;
}

/**
 * What to say when the first word is a trace and an allocator's name comes after it
 * (`trace traces/short.rep bump`): the order, not a missing file named `bump`.
 */
function swappedArguments(id: string, paths: readonly string[], here: string): string | undefined {
  const isAllocator = (word: string) => word.split(',').every((w) => ALLOCATORS.some((a) => a.id === w));
  if (isAllocator(id)) return undefined;
  const isTraces = (word: string) => word.endsWith('.rep') || (existsSync(resolve(here, word)) && statSync(resolve(here, word)).isDirectory());
  if (!isTraces(id)) return undefined;
  const allocator = paths.find(isAllocator);
  const traces = [id, ...paths.filter((p) => p !== allocator)].join(' ');
  if (allocator !== undefined) return `The allocator comes first, then the traces: trace <allocator> <trace…>, here npm run trace -- ${allocator} ${traces}.`;
  return `${id} is a trace, and the allocator comes first: trace <allocator> <trace…>, such as npm run trace -- bump ${traces}. Known: ${ALLOCATORS.map((a) => a.id).join(', ')}.`;
}

/** Traces named from `here`, except those outside it when a path was typed whole: those keep their whole path. */
function namedAsTyped<T extends { name: string }>(typed: readonly string[], here: string, traces: T[]): T[] {
  if (!typed.some((p) => isAbsolute(p))) return traces;
  for (const trace of traces) trace.name = asTyped(here, resolve(here, trace.name));
  return traces;
}

/**
 * The files of a folder of traces that are not traces: each named with why as it is read and
 * left out, the others replayed; at the end a count, and an exit code that is not 0.
 */
class LeftOut {
  /** Each file left out, and why: for --json, whose reader sees no stderr. */
  readonly files: Array<{ file: string; line: number | null; reason: string }> = [];
  constructor(private readonly json: boolean) {}
  readonly say = (error: Error): void => {
    const here = process.env.INIT_CWD ?? process.cwd();
    const path = error instanceof TraceFormatError ? resolve(here, error.file) : (error as NodeJS.ErrnoException).path;
    // Named as the traces are: from here, or whole when outside it.
    const file = path === undefined ? '' : asTyped(here, path);
    this.files.push({ file, line: error instanceof TraceFormatError && error.line > 0 ? error.line : null, reason: error instanceof TraceFormatError ? error.problem : error.message });
    process.stderr.write(`${pc.red('✗')} not a trace, left out: ${error.message}\n`);
  };
  get count(): number {
    return this.files.length;
  }
  exitCode(code: number): number {
    if (this.count === 0) return code;
    const where = this.json ? 'the reasons are above, and under "leftOut" in the JSON' : 'the reasons are above the table';
    process.stderr.write(pc.red(`${this.count} file${this.count === 1 ? '' : 's'} left out, not ${this.count === 1 ? 'a trace' : 'traces'} (${where}).\n`));
    return Math.max(code, 1);
  }
}

/** A trace command's JSON document with the files left out: a run that left one out did not pass. */
function withLeftOut(document: unknown, leftOut: LeftOut): unknown {
  const doc = document as { passed?: boolean };
  return { ...doc, ...(doc.passed === undefined ? {} : { passed: doc.passed && leftOut.count === 0 }), leftOut: leftOut.files };
}

/** One allocator's replays of the traces, or several side by side, printed; the exit code. */
async function replayAndReport(id: string, traces: ReturnType<typeof readTraces>, here: string, options: Options, leftOut: LeftOut, threads: number): Promise<number> {
  const staged = stageTarget(options.target);
  try {
    if (id.includes(',')) return await compareOnTraces(id.split(','), traces, staged.target, options, leftOut, threads);
    const { createAllocator: create } = await loadCompiled(id, staged.target, options.target);
    const allocatorOptions = checkAllocatorOptions(id, create, options.allocatorOptions);
    const tty = process.stderr.isTTY === true;
    let shown = 0;
    const request = { allocator: id, target: staged.target, allocatorOptions, traces, shrink: options.json ? ('all' as const) : ('first' as const), timeline: options.values.svg !== undefined, threads };
    const runs = await runTracesGuarded(request, (message) => {
      // On a terminal one line that updates, at most ten times a second; elsewhere a line per trace.
      if (!tty) {
        if (message.endsWith('operations') || message.endsWith('shrinking')) process.stderr.write(pc.dim(`${message}\n`));
        return;
      }
      if (Date.now() - shown < 100) return;
      shown = Date.now();
      process.stderr.write(`\r\u001b[2K${pc.dim(message)}`);
    }).finally(() => tty && process.stderr.write('\r\u001b[2K'));
    const heading = { allocator: id, target: options.target, allocatorOptions, threads };
    if (options.json) {
      console.log(JSON.stringify(withLeftOut(traceJson(runs, heading), leftOut), null, 2));
    } else {
      console.log(formatTable(runs, heading));
      if (runs.some((r) => r.result.failure !== undefined)) console.log(`\n${formatFailures(runs, heading)}`);
      console.log(pc.dim("\nutil: peak live payload / peak footprint (heap + mmap'd pages written at least once), sampled after every operation. mem ops/call: loads and stores per call."));
    }
    // The picture after the table: whatever happens to the file, the figures are on the screen.
    await writeTimelines(options.values.svg, here, [{ id, runs }]);
    return runs.every((r) => r.result.failure === undefined) ? 0 : 1;
  } catch (error) {
    // Code that never returned failed its trace, like any other failure: exit 1, not a usage error.
    if (!(error instanceof ReplayHung)) throw error;
    console.error(pc.red(error.message));
    return 1;
  } finally {
    staged.cleanup();
  }
}

/** Several allocators on the same traces, side by side. */
async function compareOnTraces(ids: string[], traces: ReturnType<typeof readTraces>, target: string, options: Options, leftOut: LeftOut, threads: number): Promise<number> {
  const all: AllocatorRuns[] = [];
  for (const id of ids) {
    const { createAllocator } = await loadCompiled(id, target, options.target);
    const allocatorOptions = checkAllocatorOptions(id, createAllocator, options.allocatorOptions);
    const request = { allocator: id, target, allocatorOptions, traces, shrink: false as const, timeline: options.values.svg !== undefined, threads };
    const runs = await runTracesGuarded(request, (message) => process.stderr.isTTY && process.stderr.write(`\r\u001b[2K${pc.dim(`${id}: ${message}`)}`));
    all.push({ id, runs });
  }
  if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');
  if (options.json) console.log(JSON.stringify(all.map(({ id, runs }) => withLeftOut(traceJson(runs, { allocator: id, target: options.target, threads }), leftOut)), null, 2));
  else console.log(formatComparison(all, options.target, threads));
  await writeTimelines(options.values.svg, process.env.INIT_CWD ?? process.cwd(), all);
  return all.every((a) => a.runs.every((r) => r.result.failure === undefined)) ? 0 : 1;
}

/**
 * What keeps `--svg <file>` from being written, as a sentence; undefined when it can be. A
 * chart trace or bench wrote before is drawn again; any other file (a student's code, typed by
 * mistake) is kept unless --force says otherwise, as grade's reports and record's traces are.
 */
function svgPathProblem(file: string | undefined, here: string, force: boolean, work: 'replayed' | 'measured'): string | undefined {
  // --force is read for --svg alone: without it, it would be taken in silence.
  if (file === undefined) return force ? '--force lets --svg write over a file that is not its chart; there is no --svg here, so nothing to force.' : undefined;
  const full = resolve(here, file);
  if (existsSync(full) && statSync(full).isDirectory()) return `--svg ${file} is a folder: name a file in it, such as ${join(file, 'heap.svg')}.`;
  if (!existsSync(dirname(full))) return `--svg ${file}: there is no folder ${dirname(file)} to write it in. Make it first, or name a file in a folder that exists.`;
  if (existsSync(full) && !force && !isOurChart(full)) return `--svg ${file} exists, and is not a chart trace or bench drew. Nothing was ${work}. Pass --force to overwrite it, or name another file.`;
  return undefined;
}

/** A file trace or bench wrote with --svg: it opens as renderSvgFile writes, under one of their titles. */
export function isOurChart(path: string): boolean {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  try {
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    return /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>\n<title>(Payload and footprint: |npm run bench: )/.test(text);
  } finally {
    closeSync(fd);
  }
}

/** Code that does not compile, said as check says it: the file, the line, the reason, what to do. */
export class CompileError extends Error {}

/**
 * Allocator `id` of `staged` (the copy of `target` that runs), or a CompileError when its code
 * (or code it imports) does not compile: the file named as the student knows it, and its line.
 */
export async function loadCompiled(id: string, staged: string, target: string): Promise<Awaited<ReturnType<typeof loadAllocator>>> {
  try {
    return await loadAllocator(id, staged);
  } catch (error) {
    const explained = compileErrorOf(error, targetRoot(staged), targetRoot(target), id);
    if (explained !== undefined) throw explained;
    // Any other message names the target's files, not the staged copy's, which is gone when it is read.
    if (error instanceof Error && staged !== target) error.message = error.message.split(`${targetRoot(staged)}/`).join(`${targetRoot(target)}/`);
    throw error;
  }
}

/** The CompileError for `error` when it is a compiler's (tsx's esbuild), else undefined. */
export function compileErrorOf(error: unknown, stagedRoot: string, root: string, id: string): CompileError | undefined {
  if (!(error instanceof Error) || !error.message.startsWith('Transform failed')) return undefined;
  const here = process.env.INIT_CWD ?? process.cwd();
  // The staged copy's path is a folder the student never saw: name the target's file.
  const shown = (path: string) => asTyped(here, path.startsWith(`${stagedRoot}/`) ? join(root, path.slice(stagedRoot.length + 1)) : path);
  const place = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(error.message);
  if (place === null) return new CompileError(`${id} does not compile:\n${error.message}`);
  const [, path, line, column, reason] = place;
  const file = shown(path);
  let excerpt: string;
  try {
    // esbuild frames the line itself, as vitest's compiler does for check.
    transformSync(readFileSync(path, 'utf8'), { loader: 'ts', sourcefile: file });
    excerpt = `${file}:${line}:${column}: ${reason}`;
  } catch (again) {
    const messages = (again as { errors?: Message[] }).errors;
    excerpt = messages === undefined || messages.length === 0 ? `${file}:${line}:${column}: ${reason}` : formatMessagesSync(messages, { kind: 'error', color: pc.isColorSupported }).join('').trimEnd();
  }
  const exercise = exerciseOfFile(file);
  const check = exercise === undefined ? '' : ` (${pc.cyan(`npm run check -- ${exercise.id}`)} shows it too, with the tests)`;
  return new CompileError(`${pc.red(`${file} does not compile, so ${id} cannot run:`)}\n\n${indent(excerpt, 2)}\n\nNext: fix it in ${pc.cyan(file)}, then run this command again${check}.`);
}

/** `--svg <file>`: each trace's payload and every allocator's footprint along it, a chart a trace. */
async function writeTimelines(file: string | undefined, here: string, all: readonly AllocatorRuns[]): Promise<void> {
  if (file === undefined) return;
  // The site's chart code, loaded only when a chart is asked for.
  const { renderSvgFile } = await import('../../site/charts/svg.ts');
  const { timelineChart } = await import('../../site/charts/timeline.ts');
  const charts = all[0].runs.map(({ result }, t) => {
    const runs = all.flatMap(({ id, runs }) => {
      const { timeline, failure } = runs[t].result;
      return timeline === undefined ? [] : [{ name: id, timeline, failedAt: failure?.opIndex }];
    });
    return timelineChart(result.trace, runs);
  });
  // The legends name every allocator; a heading of many names would run past the picture's edge.
  const names = all.length <= 3 ? all.map((a) => a.id).join(', ') : `${all.length} allocators`;
  writeFileSync(resolve(here, file), renderSvgFile(`Payload and footprint: ${names}`, charts));
  process.stderr.write(pc.dim(`wrote ${file}: live payload and footprint along ${charts.length === 1 ? 'the trace' : `each of the ${charts.length} traces`}\n`));
}

// ------------------------------------------------------------------ grade

export async function grade(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  const named = options.positional.map((p) => resolve(here, p));
  for (const [i, s] of named.entries()) {
    const problem = submissionProblem(s, options.positional[i]);
    if (problem !== undefined) throw new UsageError(problem); // before any work starts
  }
  const reports = { csv: options.values.csv, junit: options.values.junit, gradescope: options.values.gradescope };
  const batch = options.values.batch;
  if (batch !== undefined) {
    let listed: BatchListing;
    try {
      // The reports of an earlier run, written into the batch folder, are no student's.
      const ours = Object.values(reports).flatMap((path) => (path === undefined ? [] : [resolve(here, path)]));
      listed = batchSubmissions(resolve(here, batch), batch, ours);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    named.push(...listed.submissions);
    const leftOut = leftOutSaying(listed);
    if (leftOut !== undefined) process.stderr.write(pc.yellow(`Not graded: ${leftOut}.\n`));
  }
  if (named.length === 0) throw new UsageError('Which submissions? npm run grade -- path/to/submission, or --batch path/to/folder.');
  // A link beside a student's folder, or a path named twice, is the same submission: graded once.
  const { once: submissions, repeated } = gradedOnce(named);
  for (const { path, same } of repeated) process.stderr.write(pc.yellow(`${asTyped(here, path)} is ${asTyped(here, same)}: graded once, as ${displayName(same)}.\n`));
  let gradeOptions: GradeOptions;
  try {
    gradeOptions = {
      // Decimal digits only (NaN otherwise, which checkGradeOptions refuses): Number() would take 0x10 and 1e3.
      timeoutMs: options.values.timeout === undefined ? undefined : (/^\d+(\.\d+)?$/.test(options.values.timeout) ? Number(options.values.timeout) : NaN) * 1000,
      memoryMb: options.values.memory === undefined ? undefined : /^\d+$/.test(options.values.memory) ? Number(options.values.memory) : NaN,
      extraTests: options.values['extra-tests'] === undefined ? undefined : extraTestsFolder(resolve(here, options.values['extra-tests']), options.values['extra-tests']),
      points: options.values.points === undefined ? undefined : readPoints(resolve(here, options.values.points), options.values.points),
      chapters: options.values.chapters?.split(',').map(chapterToGrade),
    };
    checkGradeOptions(gradeOptions);
  } catch (error) {
    // Each is a mistake on the command line, answered before any work, with where to read the options.
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
  const unwritable = reportPathProblems(reports, here, submissions.length);
  if (unwritable.length > 0) throw new UsageError(unwritable.join('\n')); // before any work, not after it
  // Nor is an earlier run's report lost: it stays unless --force says otherwise (as record's does).
  const force = options.force;
  const earlier = force ? [] : existingReports(reports, here, reportNames(submissions));
  if (earlier.length > 0) throw new UsageError(earlier.join('\n'));
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  // Each submission by the name the table and the reports give it (alice, alice-2 for a second alice).
  const reportName = new Map(reportNames(submissions).map((name, i) => [submissions[i], name]));
  const nameOf = (submission: string) => reportName.get(submission) ?? displayName(submission);
  // Two submissions are graded at a time: the line names the chapter each is in.
  const current = new Map<string, string>();
  let graded = 0;
  const showProgress = () => {
    const now = [...current].map(([name, chapter]) => `${name}: ${chapter}`).join(' · ');
    if (tty) process.stderr.write(`\r\u001b[2K${progressBar(graded, submissions.length, 20)} ${graded}/${submissions.length} graded${now === '' ? '' : pc.dim(`  ${now}`)}`);
  };
  // Stopped half-way, it says how far it got, and that no report was written.
  const asked = [reports.csv, reports.junit, reports.gradescope].filter((r) => r !== undefined);
  const stopSaying = onInterrupt((signal) => {
    const stopped = [...current.keys()];
    const line =
      `Stopped by ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: ${graded} of ${submissions.length} submission${submissions.length === 1 ? '' : 's'} graded` +
      `${stopped.length === 0 ? '' : `, ${stopped.join(' and ')} stopped half-way`}; no table${asked.length === 0 ? '' : ` and no report (${asked.join(', ')})`} written. ` +
      'The submissions are as they were: run the command again to grade them.';
    process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.red(line)}\n`);
  });
  const results = await gradeAll(submissions, gradeOptions, {
    onChapter: (submission, chapter, done, total) => {
      current.set(nameOf(submission), `chapter ${chapter.number} (${done + 1}/${total})`);
      showProgress();
      // In a log, a line per chapter: one submission takes a minute or two, and silence looks like a hang.
      if (!tty) process.stderr.write(pc.dim(`${nameOf(submission)}: chapter ${chapter.number} (${done + 1}/${total})\n`));
    },
    onRerun: (submission, chapter, files, why) => {
      // Worth a line even on a terminal: each file run again may take the whole time limit.
      const names = files.map((f) => basename(f)).join(', ');
      const line = `${nameOf(submission)}: chapter ${chapter.number} ${why.split('\n')[0]}; running ${files.length === 1 ? 'a test file' : `${files.length} test files`} again, one at a time (each may take up to ${RERUN_TIME_FACTOR} times the time limit): ${names}`;
      process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.yellow(line)}\n`);
      showProgress();
    },
    onDone: (submission) => {
      current.delete(nameOf(submission));
      graded++;
      if (tty) showProgress();
      else process.stderr.write(`${graded}/${submissions.length} graded (${nameOf(submission)})\n`); // in a log, a line per submission
    },
  });
  stopSaying();
  process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.dim(`Graded ${submissions.length} submission${submissions.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s.`)}\n`);
  // The table first: whatever happens to a report file, the scores are on the screen.
  if (options.json) {
    const documents = results.map((r) => toExercism(r, nameOf(r.submission)));
    console.log(JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2));
  } else console.log(formatGradeTable(results));
  const say = (line: string) => process.stderr.write(pc.dim(`${line}\n`));
  let written = true;
  const write = (name: string | undefined, text: string) => {
    if (name !== undefined) written = writeReport(here, name, text, say) && written;
  };
  write(reports.csv, toCsv(results));
  write(reports.junit, toJunit(results));
  const gradescope = reports.gradescope;
  if (gradescope !== undefined) {
    if (!gradescopeIsFolder(gradescope, here, results.length)) write(gradescope, `${JSON.stringify(toGradescope(results[0]), null, 2)}\n`);
    else {
      const names = reportNames(results.map((r) => r.submission));
      results.forEach((r, i) => write(join(gradescope, `${names[i]}.json`), `${JSON.stringify(toGradescope(r), null, 2)}\n`));
      // A folder graded into before may hold the results of students not in this batch: say so, and leave them.
      const older = earlierResults(resolve(here, gradescope), names);
      if (older.length > 0) say(pc.yellow(`${gradescope} also holds ${older.join(', ')}, from an earlier run: not in this batch, left as ${older.length === 1 ? 'it was' : 'they were'}.`));
    }
  }
  return written ? 0 : 1;
}

/** --points: a JSON file of points per exercise id, read with a message that says what it should be. */
function readPoints(file: string, typed: string): Record<string, number> {
  if (!existsSync(file)) throw new UsageError(`--points ${typed}: there is no such file. It is a JSON object of points per exercise id, such as { "bump": 20, "walk": 0 }.`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch (error) {
    // JSON.parse quotes the text it choked on, newlines and all: one line of it is enough.
    const why = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`--points ${typed} is not JSON (${why}). It is an object of points per exercise id, such as { "bump": 20, "walk": 0 }.`);
  }
}

/** What hidden tests are, for the messages about --extra-tests. */
const EXTRA_TESTS = 'a folder laid out like exercises/, its chapters\' hidden tests in their folders (01-bump/more.test.ts)';

/**
 * --extra-tests: a folder of chapter folders holding test files, checked before any grading;
 * anything else (a file, a folder that is no chapter, a test beside the chapter folders)
 * would fail every submission, or be left out without a word.
 */
export function extraTestsFolder(folder: string, typed: string): string {
  if (!existsSync(folder)) throw new UsageError(`--extra-tests ${typed}: there is no such folder. It takes ${EXTRA_TESTS}.`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`--extra-tests ${typed} is a file: it takes ${EXTRA_TESTS}.`);
  const entries = readdirSync(folder, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  const isFolder = (name: string) => statSync(join(folder, name), { throwIfNoEntry: false })?.isDirectory() === true;
  const strays = entries.filter((e) => isFolder(e.name) && !CHAPTERS.some((c) => c.slug === e.name)).map((e) => `${e.name}/`);
  if (strays.length > 0) throw new UsageError(`--extra-tests ${typed}: ${strays.join(', ')} ${strays.length === 1 ? 'is not a chapter folder' : 'are not chapter folders'}. The chapters: ${CHAPTERS.map((c) => c.slug).join(', ')}.`);
  const loose = entries.filter((e) => !isFolder(e.name) && e.name.endsWith('.test.ts')).map((e) => e.name);
  if (loose.length > 0) throw new UsageError(`--extra-tests ${typed}: ${loose.join(', ')} ${loose.length === 1 ? 'is' : 'are'} not in a chapter folder. Put each test in the folder of its chapter, such as ${join(typed, '01-bump', loose[0])}.`);
  const tests = entries.filter((e) => isFolder(e.name)).flatMap((e) => readdirSync(join(folder, e.name)).filter((f) => f.endsWith('.test.ts')));
  if (tests.length === 0) throw new UsageError(`--extra-tests ${typed} holds no test file: it takes ${EXTRA_TESTS}.`);
  return folder;
}

interface GradeProgress {
  onChapter: (submission: string, chapter: Chapter, done: number, total: number) => void;
  onRerun: (submission: string, chapter: Chapter, files: string[], why: string) => void;
  onDone: (submission: string) => void;
}

/** Grades submissions two at a time (the machine's cores), in the order given. */
async function gradeAll(submissions: string[], options: GradeOptions, progress: GradeProgress): Promise<GradedSubmission[]> {
  const results: GradedSubmission[] = new Array(submissions.length);
  let next = 0;
  const worker = async () => {
    while (next < submissions.length) {
      const i = next++;
      const onChapter = (chapter: Chapter, done: number, total: number) => progress.onChapter(submissions[i], chapter, done, total);
      const onRerun = (chapter: Chapter, files: string[], why: string) => progress.onRerun(submissions[i], chapter, files, why);
      results[i] = await gradeSubmission(submissions[i], { ...options, onChapter, onRerun });
      progress.onDone(submissions[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, availableParallelism(), submissions.length) }, worker));
  return results;
}

// ------------------------------------------------------------------ bench

/** Without --target, the benchmarks measure the book's reference in solutions/. */
export async function bench(options: Options): Promise<number> {
  const what = options.positional[0] ?? 'allocators';
  if (what !== 'allocators' && what !== 'machine' && what !== 'threads') throw new UsageError(`Unknown benchmark '${what}'. Available: allocators (the default), machine, threads.`);
  refuseUnused(`bench ${what}`, options);
  if (what === 'allocators') return benchTheAllocators(options);
  // A stray word would be ignored in silence: this benchmark takes none.
  if (options.positional.length > 1) throw new UsageError(`bench ${what} takes no word after it, only options: what is '${options.positional.slice(1).join(' ')}'?`);
  if (what === 'threads') {
    const target = measuredTarget(options);
    const theirs = whose(target, 'magazines', '06-magazines', process.env.INIT_CWD ?? process.cwd());
    return benchThreads({ workers: count(options, 'workers', 2, 1, 4), repeat: count(options, 'repeat', 3, 1, 1000), ops: count(options, 'ops', 100_000, 1, 10_000_000), target, whose: theirs, json: options.json });
  }
  const rounds = 15;
  const result = benchMachine(rounds, (done) => process.stderr.write(`\r${progressBar(done, rounds, 20)} round ${done}/${rounds}`));
  process.stderr.write('\n');
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const millions = (x: number) => `${(x / 1e6).toFixed(0)} M/s`;
  console.log(`\nLoads and stores (32- and 64-bit, aligned, 1 MiB walked), best of ${rounds} rounds each:`);
  console.log(`  simulated memory (Process)   ${millions(result.simulatedOpsPerSecond).padStart(10)}`);
  console.log(`  plain DataView               ${millions(result.dataViewOpsPerSecond).padStart(10)}`);
  const verdict = result.slowdown <= 3 ? pc.green('pass') : pc.yellow('short');
  console.log(`  ratio                        ${result.slowdown.toFixed(2).padStart(8)}×  slower  (target ≤ 3×: ${verdict})`);
  return 0;
}

/** A whole-number option between min and max, or its default. */
function count(options: Options, name: string, fallback: number, min: number, max: number): number {
  const raw = options.values[name];
  if (raw === undefined) return fallback;
  // Digits only: Number() would also read 0x10, 1e3 and ' 16' as numbers no one typed.
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, written in decimal digits, not '${raw}'.`);
  return value;
}

/** `npm run bench`: every allocator on every trace, beside @thi.ng/malloc and glibc. */
async function benchTheAllocators(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  const target = measuredTarget(options);
  const reference = isReference(target);
  if (options.positional.length > 1) throw new UsageError(`bench allocators takes its traces with --traces <folder>, not ${options.positional.slice(1).join(' ')}.`);
  const unwritable = svgPathProblem(options.values.svg, here, options.force, 'measured');
  if (unwritable !== undefined) throw new UsageError(unwritable); // before the measuring, which takes a minute
  // --traces takes one folder or file, or several separated by commas: --traces traces,../shared/traces.
  const paths = options.values.traces?.split(',').filter((p) => p !== '') ?? [];
  const leftOut = new LeftOut(options.json);
  const traces = readBenchTraces(paths.length === 0 ? [resolve(ROOT, 'traces')] : paths, here, leftOut.say);
  namedAsTyped(paths, here, traces.map((t) => t.trace));
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  const staged = stageTarget(target);
  const measured = await benchAllocators(traces, {
    target: staged.target,
    onProgress: (message, done, total) => {
      // On a terminal one line that fills up; in a log, a line per step.
      if (tty) process.stderr.write(`\r\u001b[2K${progressBar(done, total, 20)} ${done}/${total} ${pc.dim(message)}`);
      else if (done < total) process.stderr.write(pc.dim(`${done + 1}/${total} ${message}\n`));
    },
  })
    .catch((error: unknown) => {
      if (tty) process.stderr.write('\r\u001b[2K');
      // The allocator is named by the module that did not compile; bench loads them all.
      const file = /^(.+?):\d+:\d+: ERROR: /m.exec(error instanceof Error ? error.message : '')?.[1];
      const id = ALLOCATORS.find((a) => file !== undefined && file.endsWith(`/${a.module}`))?.id ?? 'the benchmark';
      throw compileErrorOf(error, targetRoot(staged.target), targetRoot(target), id) ?? error;
    })
    .finally(() => staged.cleanup());
  // The book's targets are for its reference allocators: a student's figures are not held to them here.
  const document = reference ? measured : { ...measured, targets: [] };
  process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.dim(`Measured in ${((Date.now() - started) / 1000).toFixed(1)} s.`)}\n`);
  const svg = options.values.svg;
  if (svg !== undefined) {
    // The site's chart code, loaded only when a chart is asked for.
    const { benchChart } = await import('../bench/chart.ts');
    writeFileSync(resolve(here, svg), benchChart(document));
    process.stderr.write(pc.dim(`wrote ${svg}\n`));
  }
  if (options.json) console.log(JSON.stringify(withLeftOut({ target, ...(benchJson(document) as object) }, leftOut), null, 2));
  else {
    const book = document.allocators.filter((a) => ALLOCATORS.some((e) => e.id === a)).length;
    const peers = document.allocators.length - book === 1 ? '@thi.ng/malloc' : "@thi.ng/malloc and the C library's malloc";
    const theirs = whose(target, `${book} allocators`, '', here);
    console.log(formatBench(document, `${theirs[0].toUpperCase()}${theirs.slice(1)}, beside ${peers}, on ${traces.length} trace${traces.length === 1 ? '' : 's'}, in one run`));
  }
  return leftOut.exitCode(document.rows.every((r) => r.failure === undefined) ? 0 : 1);
}

/** One entry of grade's --chapters: a chapter's number or folder, never an exercise. */
export function chapterToGrade(selector: string): string {
  const chapter = findChapter(selector);
  if (chapter !== undefined) return chapter.slug;
  const chapters = CHAPTERS.map((c) => `${String(c.number).padStart(2, '0')} (${c.slug})`).join(', ');
  const exercise = EXERCISES.find((e) => e.id === selector);
  if (exercise !== undefined) throw new UsageError(`--chapters takes chapters, and ${selector} is an exercise of chapter ${exercise.chapter}: --chapters ${exercise.chapter.slice(0, 2)} grades it with the rest of its chapter.`);
  throw new UsageError(`--chapters: there is no chapter '${selector}'. The chapters: ${chapters}.`);
}
