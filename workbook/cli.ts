// The workbook's command line: `npx tsx workbook/cli.ts <command>`, or `npm run <command> --`.

import { readdirSync, watch } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import pc from 'picocolors';
import type { CreateAllocator } from '../machine/index.ts';
import { ALLOCATORS, loadAllocator } from './allocators.ts';
import { benchMachine } from './bench/machine.ts';
import { CHAPTERS, EXERCISES, type Exercise, chapterOf, exercisePath, selectExercises } from './exercises.ts';
import { hintsFor, readHintsSeen, revealNextHint } from './hints.ts';
import { refreshChapter } from './chapter-markers.ts';
import { EXERCISES_DIR, ROOT } from './paths.ts';
import { type ExerciseResult, runExerciseTests } from './run-tests.ts';
import { fileInTarget, stageTarget, targetRoot } from './target.ts';
import { writeSkeletonManifest } from './skeletons.ts';
import { writeShippedTraces } from './trace/generate.ts';
import { type AllocatorRuns, formatComparison } from './trace/compare.ts';
import { formatFailures, formatTable, toJson as traceJson } from './trace/report.ts';
import { readTraces, runTraces } from './trace/run.ts';

const USAGE = `The malloc workbook

Usage: npx tsx workbook/cli.ts <command> [options]   (or npm run <command> -- [options])

Commands:
  start                      your progress and where to go next (npm start)
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
  /** `--option fit=best`: passed to createAllocator(proc, options). */
  allocatorOptions: Record<string, string | number>;
}

function parseOptions(args: string[]): Options {
  const options: Options = { positional: [], target: 'exercises', json: false, watch: false, update: false, generate: false, allocatorOptions: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--watch') options.watch = true;
    else if (arg === '--update') options.update = true;
    else if (arg === '--generate') options.generate = true;
    else if (arg === '--target') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--target needs a value: exercises, solutions, or a folder.');
      options.target = value;
    } else if (arg.startsWith('--target=')) options.target = arg.slice('--target='.length);
    else if (arg === '--option') {
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
  await run();
  console.log(pc.dim('\nWatching exercises/ for changes. Ctrl-C to stop.'));
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  watch(EXERCISES_DIR, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (running) return;
      running = true;
      console.clear();
      await run().catch((error: unknown) => console.error(error));
      console.log(pc.dim('\nWatching exercises/ for changes. Ctrl-C to stop.'));
      running = false;
    }, 150);
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

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

function nextExerciseAfter(exercise: Exercise | undefined): Exercise | undefined {
  if (exercise === undefined) return undefined;
  return EXERCISES[EXERCISES.indexOf(exercise) + 1];
}

function describeNext(exercise: Exercise): string {
  const chapter = chapterOf(exercise);
  return `${pc.bold(exercise.id)} (chapter ${chapter.number}, ${chapter.title}): read ${pc.cyan(`chapters/${chapter.slug}.md`)}, open ${pc.cyan(exercisePath(exercise))}, run ${pc.cyan(`npm run check -- ${exercise.id}`)}`;
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
      console.log(`    ${mark} ${result.exercise.id.padEnd(10)} ${pc.dim(fileInTarget(`${result.exercise.chapter}/${result.exercise.file}`, options.target).padEnd(36))} ${detail}`);
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
  const seen = readHintsSeen();
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

// ------------------------------------------------------------------ bench

function bench(options: Options): number {
  const what = options.positional[0] ?? 'machine';
  if (what !== 'machine') throw new UsageError(`Unknown benchmark '${what}'. Available: machine.`);
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

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const options = parseOptions(rest);
  switch (command) {
    case undefined:
    case 'start':
      await status(options);
      console.log(pc.dim('\nRead the book in chapters/ (start with chapters/00-the-process.md); check one exercise with npm run check -- <exercise>.'));
      return 0;
    case 'status':
      return status(options);
    case 'check':
      return check(options);
    case 'hint':
      return hint(options);
    case 'bench':
      return bench(options);
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
