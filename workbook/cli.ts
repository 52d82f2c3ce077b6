// The workbook's command line: `npx tsx workbook/cli.ts <command>`, or `npm run <command> --`.

import { existsSync, mkdirSync, readFileSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import pc from 'picocolors';
import type { CreateAllocator } from '../machine/index.ts';
import { ALLOCATORS, loadAllocator } from './allocators.ts';
import { benchAllocators, benchJson, readBenchTraces } from './bench/allocators.ts';
import { benchMachine } from './bench/machine.ts';
import { formatBench } from './bench/table.ts';
import { CHAPTERS, EXERCISES, type Exercise, chapterOf, exercisePath, selectExercises } from './exercises.ts';
import { hintsFor, revealNextHint } from './hints.ts';
import { readProgress, updateProgress } from './progress.ts';
import { resetExercise } from './reset.ts';
import { watchMode } from './watch.ts';
import { refreshChapter } from './chapter-markers.ts';
import { ROOT } from './paths.ts';
import { type ExerciseResult, runExerciseTests } from './run-tests.ts';
import { fileInTarget, stageTarget, targetRoot } from './target.ts';
import { indent } from './text.ts';
import { writeSkeletonManifest } from './skeletons.ts';
import { type GradeOptions, type GradedSubmission, gradeSubmission } from './grade/grade.ts';
import { formatGradeTable, toCsv, toExercism, toGradescope, toJunit } from './grade/reports.ts';
import { writeShippedTraces } from './trace/generate.ts';
import { type AllocatorRuns, formatComparison } from './trace/compare.ts';
import { formatFailures, formatTable, toJson as traceJson } from './trace/report.ts';
import { readTraces, runTraces } from './trace/run.ts';

const USAGE = `The malloc workbook

Usage: npx tsx workbook/cli.ts <command> [options]   (or npm run <command> -- [options])

Commands:
  start                      the book on localhost and watch mode (npm start; --no-site: no book)
  watch                      watch mode on your first unfinished exercise:
                             tests run on every save; keys h hint, n next, l list,
                             c check all, r run, q quit. --manual-run: run on r only
  reset <exercise>           put the shipped skeleton back (your file is backed up)
  status                     chapters with exercises done, and the next step
  check [chapter|exercise]   run the tests of your exercises (all, 01, bump, …)
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
      --watch                run again whenever a file in exercises/ changes
  hint <exercise|chapter>    show the next hint (one more each time)
  trace <allocator>[,<allocator>…] [file.rep|folder]… [--option name=value]…
                             replay allocation traces through an allocator and check every
                             result (every trace in traces/ by default); a failure is shrunk
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
  trace --generate           (maintainers) write the workbook's traces into traces/
  grade <submission>… [--batch <folder>]
                             grade submissions with the canonical tests, chapter by chapter,
                             each in a sandbox with a time and memory limit
      --json | --csv <file> | --junit <file> | --gradescope <file|folder>
      --extra-tests <folder>   hidden tests, as <chapter>/<name>.test.ts
      --timeout <seconds>      per chapter (default 30); --memory <MiB> (default 1024)
      --points <file.json>     points per exercise id, instead of workbook/exercises.ts
      --chapters 01,02         grade only these chapters
  bench [allocators]         every allocator of the book on every trace in traces/, beside
                             @thi.ng/malloc and the C library's malloc: utilization, memory
                             operations per call, ops/s and its ratio to bump and @thi.ng/malloc
      --traces <folder|file.rep>   other traces (a course's, say) instead of traces/
      --json                 print one JSON document instead
  bench machine              speed of the simulated memory against a plain DataView
  skeletons --update         (maintainers) record the shipped skeletons' hashes
  markers --update           (maintainers) refresh the code and figures the chapters show
`;

interface Options {
  positional: string[];
  target: string;
  json: boolean;
  watch: boolean;
  update: boolean;
  generate: boolean;
  manualRun: boolean;
  noSite: boolean;
  yes: boolean;
  /** `--option fit=best`: passed to createAllocator(proc, options). */
  allocatorOptions: Record<string, string | number>;
  /** Options that take a value, such as `--batch <folder>`: by name, without the dashes. */
  values: Record<string, string>;
}

/** The options that take a value, beyond --target and --option. */
const VALUE_OPTIONS = ['traces', 'batch', 'csv', 'junit', 'gradescope', 'extra-tests', 'timeout', 'memory', 'points', 'chapters'];

function parseOptions(args: string[]): Options {
  const options: Options = { positional: [], target: 'exercises', json: false, watch: false, update: false, generate: false, manualRun: false, noSite: false, yes: false, allocatorOptions: {}, values: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--watch') options.watch = true;
    else if (arg === '--update') options.update = true;
    else if (arg === '--generate') options.generate = true;
    else if (arg === '--manual-run') options.manualRun = true;
    else if (arg === '--no-site') options.noSite = true;
    else if (arg === '--yes' || arg === '-y') options.yes = true;
    else if (arg === '--target') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--target needs a value: exercises, solutions, or a folder.');
      options.target = value;
    } else if (arg.startsWith('--target=')) options.target = arg.slice('--target='.length);
    else if (VALUE_OPTIONS.includes(arg.slice(2))) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      options.values[arg.slice(2)] = value;
    } else if (arg === '--option') {
      const match = /^(\w+)=(.*)$/.exec(args[++i] ?? '');
      if (match === null) throw new UsageError('--option takes name=value, for example --option fit=best.');
      options.allocatorOptions[match[1]] = /^\d+$/.test(match[2]) ? Number(match[2]) : match[2];
    }
    else if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}.`);
    else options.positional.push(arg);
  }
  // A folder target is resolved from where the command was typed, not from the repository.
  if (options.target !== 'exercises' && options.target !== 'solutions' && !isAbsolute(options.target)) {
    options.target = resolve(process.env.INIT_CWD ?? process.cwd(), options.target);
  }
  targetRoot(options.target); // a missing folder is reported before any work starts
  return options;
}

class UsageError extends Error {}

// ------------------------------------------------------------------ check

async function check(options: Options): Promise<number> {
  if (options.positional.length > 1) throw new UsageError(`check takes one chapter or exercise, not ${options.positional.length}: ${options.positional.join(' ')}.`);
  const exercises = selectExercises(options.positional[0]);
  const run = async (): Promise<number> => {
    if (!options.json) process.stderr.write(pc.dim(`Running the tests of ${exercises.map((e) => e.id).join(', ')} against ${options.target}…\n`));
    const results = await runExerciseTests(exercises, options.target);
    if (options.json) console.log(JSON.stringify(toJson(results, options.target), null, 2));
    else printCheck(results, options.target, options.watch);
    return results.every((r) => r.status === 'pass') ? 0 : 1;
  };
  if (!options.watch) return run();
  const folder = targetRoot(options.target);
  const watching = pc.dim(`\nWatching ${folder} for changes. Ctrl-C to stop.`);
  await run();
  console.log(watching);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  const again = async (): Promise<void> => {
    if (running) {
      pending = true; // saved during a run: run once more after it
      return;
    }
    running = true;
    console.clear();
    await run().catch((error: unknown) => console.error(error));
    console.log(watching);
    running = false;
    if (pending) {
      pending = false;
      return again();
    }
  };
  watch(folder, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void again(), 150);
  });
  return new Promise<number>(() => {}); // runs until interrupted
}

function toJson(results: ExerciseResult[], target: string) {
  const tests = results.flatMap((r) => r.tests);
  return {
    target,
    passed: tests.filter((t) => t.status === 'pass').length,
    failed: tests.filter((t) => t.status !== 'pass').length + results.filter((r) => r.status === 'error').length,
    exercises: results.map((r) => ({
      id: r.exercise.id,
      chapter: r.exercise.chapter,
      file: fileInTarget(`${r.exercise.chapter}/${r.exercise.file}`, target),
      status: r.status,
      error: r.error,
      tests: r.tests,
    })),
  };
}

function printCheck(results: ExerciseResult[], target: string, watching: boolean): void {
  const fileOf = (e: Exercise) => fileInTarget(`${e.chapter}/${e.file}`, target);
  let firstFailure: { result: ExerciseResult; name: string; message: string } | undefined;
  for (const result of results) {
    const passed = result.tests.filter((t) => t.status === 'pass').length;
    const mark = result.status === 'pass' ? pc.green('✓') : pc.red('✗');
    const count = result.status === 'error' ? pc.red('the tests could not run') : `${passed}/${result.tests.length} tests pass`;
    console.log(`\n${mark} ${pc.bold(result.exercise.id)} — ${result.exercise.title}  ${pc.dim(fileOf(result.exercise))}  ${count}`);
    if (result.status === 'error') {
      console.log(pc.red(indent(result.error, 4)));
      firstFailure ??= { result, name: 'the tests could not run', message: result.error };
      continue;
    }
    for (const test of result.tests) {
      console.log(`    ${test.status === 'pass' ? pc.green('✓') : pc.red('✗')} ${test.name}`);
      if (test.status !== 'pass') firstFailure ??= { result, name: test.name, message: test.message };
    }
  }
  if (firstFailure !== undefined) {
    const id = firstFailure.result.exercise.id;
    console.log(`\n${pc.red(pc.bold('First failure'))}: ${firstFailure.result.exercise.id} › ${firstFailure.name}\n`);
    console.log(indent(firstFailure.message, 2));
    const again = watching ? 'save, and the tests run again' : `then run ${pc.cyan(`npm run check -- ${id}`)} again`;
    console.log(`\nNext: fix it in ${pc.cyan(fileOf(firstFailure.result.exercise))}, ${again}. Stuck? ${pc.cyan(`npm run hint -- ${id}`)}`);
  } else {
    const total = results.reduce((n, r) => n + r.tests.length, 0);
    console.log(`\n${pc.green(pc.bold(`All ${total} tests pass.`))}`);
    const after = nextExerciseAfter(results.at(-1)?.exercise);
    if (after !== undefined) console.log(`Next: ${describeNext(after)}`);
  }
}


function nextExerciseAfter(exercise: Exercise | undefined): Exercise | undefined {
  if (exercise === undefined) return undefined;
  return EXERCISES[EXERCISES.indexOf(exercise) + 1];
}

function describeNext(exercise: Exercise): string {
  const chapter = chapterOf(exercise);
  return `${pc.bold(exercise.id)} (chapter ${chapter.number}, ${chapter.title}): read ${pc.cyan(`chapters/${chapter.slug}.md`)}, open ${pc.cyan(exercisePath(exercise))}, run ${pc.cyan(`npm run check -- ${exercise.id}`)}`;
}

// ------------------------------------------------------------------ start, watch and reset

/** The student's one command: the book on localhost, and watch mode on the first unfinished exercise. */
async function start(options: Options): Promise<number> {
  if (!process.stdin.isTTY && !options.manualRun) {
    // No keyboard (a pipe, CI): print the progress instead of waiting for keys forever.
    return status(options);
  }
  const banner: string[] = [];
  let site: { close(): Promise<void> } | undefined;
  if (!options.noSite) {
    try {
      const { serveSite } = await import('../site/serve.ts');
      const served = await serveSite({});
      site = served;
      banner.push(`The book: ${pc.cyan(served.url)}  ${pc.dim('(it rebuilds when a chapter or its code changes)')}`, '');
    } catch (error) {
      banner.push(pc.yellow(`The book could not be served: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}. Read it in chapters/.`), '');
    }
  }
  try {
    return await watchMode({ target: options.target, manualRun: options.manualRun, banner });
  } finally {
    await site?.close();
  }
}

async function reset(options: Options): Promise<number> {
  const [id] = options.positional;
  const exercise = EXERCISES.find((e) => e.id === id);
  if (exercise === undefined) throw new UsageError(`Which exercise? For example: npm run reset -- bump. Known: ${EXERCISES.map((e) => e.id).join(', ')}.`);
  const file = fileInTarget(`${exercise.chapter}/${exercise.file}`, options.target);
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new Error(`reset asks before it replaces ${file}; without a terminal, add --yes.`);
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question(`Replace ${file} with the shipped skeleton? Your code is kept in a backup. [y/N] `)).trim().toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') {
      console.log('Nothing changed.');
      return 0;
    }
  }
  const { backup } = resetExercise(exercise, options.target);
  updateProgress((p) => p.done.delete(exercise.id));
  console.log(`${file} is the skeleton again. Your code is in ${backup}.`);
  return 0;
}

// ------------------------------------------------------------------ status

async function status(options: Options): Promise<number> {
  process.stderr.write(pc.dim(`Running every exercise's tests against ${options.target}…\n`));
  const results = await runExerciseTests(EXERCISES, options.target);
  if (options.json) {
    console.log(JSON.stringify(toJson(results, options.target), null, 2));
    return 0;
  }
  console.log(pc.bold('\nThe malloc workbook: your progress\n'));
  for (const chapter of CHAPTERS) {
    const inChapter = results.filter((r) => r.exercise.chapter === chapter.slug);
    const done = inChapter.filter((r) => r.status === 'pass').length;
    console.log(`${progressBar(done, inChapter.length)} ${pc.bold(`Chapter ${chapter.number}`)}  ${chapter.title}  ${pc.dim(`${done}/${inChapter.length} exercises`)}`);
    for (const result of inChapter) {
      const passed = result.tests.filter((t) => t.status === 'pass').length;
      const mark = result.status === 'pass' ? pc.green('✓') : pc.red('✗');
      const detail = result.status === 'error' ? pc.red('does not run: see npm run check -- ' + result.exercise.id) : `${passed}/${result.tests.length} tests`;
      const idWidth = Math.max(...EXERCISES.map((e) => e.id.length)) + 1;
      const file = fileInTarget(`${result.exercise.chapter}/${result.exercise.file}`, options.target);
      console.log(`    ${mark} ${result.exercise.id.padEnd(idWidth)} ${pc.dim(file.padEnd(40))} ${detail}`);
    }
  }
  const done = results.filter((r) => r.status === 'pass').length;
  console.log(`\n${progressBar(done, results.length)} ${done}/${results.length} exercises done`);
  const next = results.find((r) => r.status !== 'pass');
  console.log(next === undefined ? pc.green('\nEvery exercise passes. Well done!') : `\nNext: ${describeNext(next.exercise)}`);
  return 0;
}

function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${pc.green('#'.repeat(filled))}${pc.dim('-'.repeat(width - filled))}]`;
}

// ------------------------------------------------------------------ hint

function hint(options: Options): number {
  const selector = options.positional[0];
  if (selector === undefined) throw new UsageError('Which exercise? For example: npm run hint -- bump');
  const candidates = selectExercises(selector);
  // For a chapter, the first exercise whose hints are not all shown yet.
  const seen = readProgress().hints;
  const exercise = candidates.find((e) => (seen.get(e.id) ?? 0) < hintsFor(e).length) ?? candidates[candidates.length - 1];
  const { shown, total } = revealNextHint(exercise);
  if (total === 0) {
    console.log(`There are no hints for ${exercise.id} yet. Read chapters/${exercise.chapter}.md again, and the TODO comments in ${exercisePath(exercise)}.`);
    return 0;
  }
  console.log(pc.bold(`Hints for ${exercise.id} (${exercisePath(exercise)})\n`));
  shown.forEach((text, i) => {
    const label = `Hint ${i + 1} of ${total}`;
    console.log(i === shown.length - 1 ? `${pc.yellow(pc.bold(label))}\n${indent(text, 2)}\n` : pc.dim(`${label}\n${indent(text, 2)}\n`));
  });
  console.log(pc.dim(shown.length < total ? `Run it again for the next hint.` : 'That was the last hint.'));
  return 0;
}

// ------------------------------------------------------------------ trace

async function trace(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  if (options.generate) {
    for (const path of writeShippedTraces(resolve(ROOT, 'traces'))) console.log(`wrote ${relative(here, path)}`);
    return 0;
  }
  const [id, ...paths] = options.positional;
  if (id === undefined) throw new UsageError(`Which allocator? For example: npm run trace -- bump. Known: ${ALLOCATORS.map((a) => a.id).join(', ')}.`);
  const traces = readTraces(paths.length === 0 ? [resolve(ROOT, 'traces')] : paths.map((p) => resolve(here, p)), here);
  const staged = stageTarget(options.target);
  try {
    if (id.includes(',')) return await compareOnTraces(id.split(','), traces, staged.target, options);
    const { createAllocator: create } = await loadAllocator(id, staged.target);
    const createAllocator: CreateAllocator = (proc) => create(proc, options.allocatorOptions);
    const tty = process.stderr.isTTY === true;
    let shown = 0;
    const runs = runTraces(traces, createAllocator, {
      shrink: options.json ? 'all' : 'first',
      onProgress: (message) => {
        // On a terminal one line that updates, at most ten times a second; elsewhere a line per trace.
        if (!tty) {
          if (message.endsWith('operations') || message.endsWith('shrinking')) process.stderr.write(pc.dim(`${message}\n`));
          return;
        }
        if (Date.now() - shown < 100) return;
        shown = Date.now();
        process.stderr.write(`\r\u001b[2K${pc.dim(message)}`);
      },
    });
    if (tty) process.stderr.write('\r\u001b[2K');
    const heading = { allocator: id, target: options.target };
    if (options.json) {
      console.log(JSON.stringify(traceJson(runs, heading), null, 2));
    } else {
      console.log(formatTable(runs, heading));
      if (runs.some((r) => r.result.failure !== undefined)) console.log(`\n${formatFailures(runs, heading)}`);
      console.log(pc.dim('\nutil: peak live payload / peak footprint (heap + mmap), sampled after every operation. mem ops/call: loads and stores per call.'));
    }
    return runs.every((r) => r.result.failure === undefined) ? 0 : 1;
  } finally {
    staged.cleanup();
  }
}

/** Several allocators on the same traces, side by side. */
async function compareOnTraces(ids: string[], traces: ReturnType<typeof readTraces>, target: string, options: Options): Promise<number> {
  const all: AllocatorRuns[] = [];
  for (const id of ids) {
    const { createAllocator } = await loadAllocator(id, target);
    const runs = runTraces(traces, (proc) => createAllocator(proc, options.allocatorOptions), { shrink: false, onProgress: (message) => process.stderr.isTTY && process.stderr.write(`\r\u001b[2K${pc.dim(`${id}: ${message}`)}`) });
    all.push({ id, runs });
  }
  if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');
  if (options.json) console.log(JSON.stringify(all.map(({ id, runs }) => traceJson(runs, { allocator: id, target: options.target })), null, 2));
  else console.log(formatComparison(all, options.target));
  return all.every((a) => a.runs.every((r) => r.result.failure === undefined)) ? 0 : 1;
}

// ------------------------------------------------------------------ grade

async function grade(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  const submissions = options.positional.map((p) => resolve(here, p));
  const batch = options.values.batch;
  if (batch !== undefined) {
    const folder = resolve(here, batch);
    if (!existsSync(folder)) throw new UsageError(`--batch ${batch}: there is no such folder.`);
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) submissions.push(join(folder, entry.name));
    }
  }
  if (submissions.length === 0) throw new UsageError('Which submissions? npm run grade -- path/to/submission, or --batch path/to/folder.');
  for (const s of submissions) targetRoot(s); // a missing folder is reported before any work starts
  const gradeOptions: GradeOptions = {
    timeoutMs: options.values.timeout === undefined ? undefined : Number(options.values.timeout) * 1000,
    memoryMb: options.values.memory === undefined ? undefined : Number(options.values.memory),
    extraTests: options.values['extra-tests'] === undefined ? undefined : resolve(here, options.values['extra-tests']),
    points: options.values.points === undefined ? undefined : (JSON.parse(readFileSync(resolve(here, options.values.points), 'utf8')) as Record<string, number>),
    chapters: options.values.chapters?.split(',').map((selector) => selectExercises(selector)[0].chapter),
  };
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const results = await gradeAll(submissions, gradeOptions, (done) => {
    // On a terminal one line that fills up; in a log, a line per submission graded.
    if (tty) process.stderr.write(`\r${progressBar(done, submissions.length, 20)} ${done}/${submissions.length} graded`);
    else if (done > 0) process.stderr.write(`${done}/${submissions.length} graded\n`);
  });
  process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.dim(`Graded ${submissions.length} submission${submissions.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s.`)}\n`);
  const write = (name: string | undefined, text: string) => {
    if (name === undefined) return;
    writeFileSync(resolve(here, name), text);
    process.stderr.write(pc.dim(`wrote ${name}\n`));
  };
  write(options.values.csv, toCsv(results));
  write(options.values.junit, toJunit(results));
  const gradescope = options.values.gradescope;
  if (gradescope !== undefined) {
    if (results.length === 1) write(gradescope, `${JSON.stringify(toGradescope(results[0]), null, 2)}\n`);
    else {
      mkdirSync(resolve(here, gradescope), { recursive: true });
      for (const r of results) write(join(gradescope, `${basename(r.submission)}.json`), `${JSON.stringify(toGradescope(r), null, 2)}\n`);
    }
  }
  if (options.json) {
    const documents = results.map(toExercism);
    console.log(JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2));
  } else console.log(formatGradeTable(results));
  return 0;
}

/** Grades submissions two at a time (the machine's cores), in the order given. */
async function gradeAll(submissions: string[], options: GradeOptions, onDone: (done: number) => void): Promise<GradedSubmission[]> {
  const results: GradedSubmission[] = new Array(submissions.length);
  let next = 0;
  let done = 0;
  onDone(0);
  const worker = async () => {
    while (next < submissions.length) {
      const i = next++;
      results[i] = await gradeSubmission(submissions[i], options);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, availableParallelism(), submissions.length) }, worker));
  return results;
}

// ------------------------------------------------------------------ bench

async function bench(options: Options): Promise<number> {
  const what = options.positional[0] ?? 'allocators';
  if (what === 'allocators') return benchTheAllocators(options);
  if (what !== 'machine') throw new UsageError(`Unknown benchmark '${what}'. Available: allocators (the default), machine.`);
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

/** `npm run bench`: every allocator on every trace, beside @thi.ng/malloc and glibc. */
async function benchTheAllocators(options: Options): Promise<number> {
  const here = process.env.INIT_CWD ?? process.cwd();
  if (options.positional.length > 1) throw new UsageError(`bench allocators takes its traces with --traces <folder>, not ${options.positional.slice(1).join(' ')}.`);
  const folder = options.values.traces;
  const traces = readBenchTraces([folder === undefined ? resolve(ROOT, 'traces') : resolve(here, folder)], here);
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  const document = await benchAllocators(traces, {
    target: 'solutions',
    onProgress: (message, done, total) => {
      // On a terminal one line that fills up; in a log, a line per step.
      if (tty) process.stderr.write(`\r\u001b[2K${progressBar(done, total, 20)} ${done}/${total} ${pc.dim(message)}`);
      else if (done < total) process.stderr.write(pc.dim(`${done + 1}/${total} ${message}\n`));
    },
  });
  process.stderr.write(`${tty ? '\r\u001b[2K' : ''}${pc.dim(`Measured in ${((Date.now() - started) / 1000).toFixed(1)} s.`)}\n`);
  if (options.json) console.log(JSON.stringify(benchJson(document), null, 2));
  else {
    const allocators = document.allocators.length;
    console.log(formatBench(document, `${allocators} allocators on ${traces.length} trace${traces.length === 1 ? '' : 's'}, in one run`));
  }
  return document.rows.every((r) => r.failure === undefined) ? 0 : 1;
}

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const options = parseOptions(rest);
  switch (command) {
    case undefined:
    case 'start':
    case 'watch':
      return start(options);
    case 'reset':
      return reset(options);
    case 'status':
      return status(options);
    case 'check':
      return check(options);
    case 'hint':
      return hint(options);
    case 'bench':
      return bench(options);
    case 'grade':
      return grade(options);
    case 'trace':
      return trace(options);
    case 'skeletons':
      if (!options.update) throw new UsageError('skeletons takes --update: it records the current skeletons as the shipped ones.');
      console.log(`Recorded ${writeSkeletonManifest()} skeleton hashes in workbook/skeletons.json.`);
      return 0;
    case 'markers': {
      if (!options.update) throw new UsageError('markers takes --update: it rewrites the code and figures after every marker in chapters/.');
      for (const file of readdirSync(resolve(ROOT, 'chapters')).filter((f) => f.endsWith('.md'))) {
        console.log(`chapters/${file}: ${refreshChapter(resolve(ROOT, 'chapters', file))} blocks updated`);
      }
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${pc.red(error.message)}\n\n${USAGE}`);
    else console.error(pc.red(error instanceof Error ? error.message : String(error)));
    process.exitCode = 2;
  },
);
