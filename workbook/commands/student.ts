// The student's commands: check, status, hint, start (watch mode and the book), reset.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { wasNotRunAfterLoop } from '../not-run.ts';
import { watchTree } from '../watch-tree.ts';
import { CHAPTERS, EXERCISES, EXERCISE_ID_WIDTH, type Exercise, chapterOf, exerciseOfFile, exercisePath, selectExercises } from '../exercises.ts';
import { hintForTerminal, hintsFor, revealNextHint } from '../hints.ts';
import { ROOT } from '../paths.ts';
import { unfinishedNote } from '../prerequisites.ts';
import { readProgress, updateProgress } from '../progress.ts';
import { isSkeletonAlready, resetExercise } from '../reset.ts';
import { type ExerciseResult, checkTimeoutMs, runExerciseTests } from '../run-tests.ts';
import { fileInTarget, targetRoot } from '../target.ts';
import { indent } from '../text.ts';
import { watchMode } from '../watch.ts';
import { type Options, UsageError, portOption, progressBar } from './options.ts';

// ------------------------------------------------------------------ naming an exercise

/**
 * The exercises `selector` names, as selectExercises finds them; when it finds none and has
 * no typo to suggest, the names it is part of, or shares its stem with: coalesce is
 * coalescing's, guard is guard-edges'.
 */
export function selectNamed(selector: string | undefined): Exercise[] {
  try {
    return selectExercises(selector);
  } catch (error) {
    const message = (error as Error).message;
    const none = `There is no chapter or exercise '${selector}'.`;
    if (selector === undefined || !message.startsWith(none) || message.includes('Did you mean')) throw error;
    const meant = namesMeant(selector);
    if (meant.length === 0) throw error;
    const quoted = meant.map((m) => `'${m}'`);
    const question = quoted.length === 1 ? ` Did you mean ${quoted[0]}?` : ` Did you mean ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}?`;
    throw Object.assign(error as Error, { message: `${none}${question}${message.slice(none.length)}` });
  }
}

/** The exercises (else the chapters) whose name holds `typed`, or begins as it does but for its last letters. */
export function namesMeant(typed: string): string[] {
  const word = typed.toLowerCase();
  if (word.length < 3) return [];
  const sharedStart = (name: string) => {
    let n = 0;
    while (n < Math.min(name.length, word.length) && name[n] === word[n]) n++;
    return n;
  };
  const fits = (name: string) => name.includes(word) || sharedStart(name) >= Math.max(4, word.length - 2);
  const exercises = EXERCISES.map((e) => e.id).filter(fits);
  if (exercises.length > 0) return exercises.slice(0, 4);
  return CHAPTERS.filter((c) => fits(c.slug.replace(/^\d+-/, ''))).map((c) => c.slug);
}

// ------------------------------------------------------------------ check

export async function check(options: Options): Promise<number> {
  if (options.positional.length > 1) throw new UsageError(`check takes one chapter or exercise, not ${options.positional.length}: ${options.positional.join(' ')}.`);
  const exercises = selectNamed(options.positional[0]);
  const run = async (): Promise<number> => {
    if (!options.json) process.stderr.write(pc.dim(`Running the tests of ${exercises.map((e) => e.id).join(', ')} against ${options.target}…\n`));
    // A hang shows as silence: after a while, say that the run goes on, and for how long it may.
    const slow = options.json
      ? undefined
      : setTimeout(() => process.stderr.write(pc.dim(`Still running after 15 s; the tests are stopped after ${checkTimeoutMs(exercises.length) / 1000} s (Ctrl-C stops them now)…\n`)), 15_000);
    const results = await runExerciseTests(exercises, options.target).finally(() => clearTimeout(slow));
    recordProgress(results, options.target);
    if (options.json) console.log(JSON.stringify(toJson(results, options.target), null, 2));
    else printCheck(results, options.target, options.watch);
    return results.every((r) => r.status === 'pass') ? 0 : 1;
  };
  if (!options.watch) return run();
  const folder = targetRoot(options.target);
  // With --json, stdout holds the documents alone: one per run, the words go to stderr.
  const sayWatching = () => (options.json ? console.error : console.log)(pc.dim(`\nWatching ${folder} for changes. Ctrl-C to stop.`));
  await run();
  sayWatching();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let pending = false;
  const again = async (): Promise<void> => {
    if (running) {
      pending = true; // saved during a run: run once more after it
      return;
    }
    running = true;
    if (!options.json) console.clear();
    await run().catch((error: unknown) => console.error(error));
    sayWatching();
    running = false;
    if (pending) {
      pending = false;
      return again();
    }
  };
  // Not Node's recursive watch: it loses a file an editor saved by renaming a new one over it.
  watchTree(folder, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void again(), 150);
  });
  return new Promise<number>(() => {}); // runs until interrupted
}

/**
 * What a run of the student's own exercises showed goes into the progress file that watch mode
 * counts from: an exercise that passes is done. A run of every exercise (status) also takes
 * back "done" from one that no longer passes.
 */
export function recordProgress(results: readonly ExerciseResult[], target: string, file?: string): void {
  if (target !== 'exercises') return; // the reference, or a submission: not the student's progress
  updateProgress((p) => {
    for (const r of results) {
      if (r.status === 'pass') p.done.add(r.exercise.id);
      else if (results.length === EXERCISES.length) p.done.delete(r.exercise.id);
    }
  }, file);
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

/** The exercise whose unwritten todo a failure ran into, when it is not the one being checked. */
export function earlierTodo(message: string, checking: Exercise): Exercise | undefined {
  const file = /Not written yet: [^\n]*\n\s*Open (\S+?):\d+, replace the todo/.exec(message)?.[1];
  if (file === undefined) return undefined;
  const owner = exerciseOfFile(file);
  return owner === undefined || owner.id === checking.id ? undefined : owner;
}

/**
 * The earlier exercise a failure happened inside, with the line, when it is not the one being
 * checked: code the checked exercise builds on (chapter 6's magazines on chapter 5's rack),
 * which passed its own tests but not this use of it. `refused` when that line throws a new
 * error: a check in the earlier code refused what it was given, so the call is the first place
 * to look, at `caller`, the checked exercise's line that made it, if the stack shows it.
 */
export function failedInEarlier(
  message: string,
  checking: Exercise,
  sourceLine: (file: string, line: number) => string | undefined = lineOfWorkbookFile,
): { exercise: Exercise; where: string; refused: boolean; caller: string | undefined } | undefined {
  // A Deadlock is thrown inside lock(), but it is the caller's doing: a lock taken twice, or never let go.
  if (/^\s*Deadlock: /m.test(message)) return undefined;
  // The frames cleanMessage kept, innermost first; the first in an exercise's own code is where it threw.
  const frames = [...message.matchAll(/^\s+at ((\S+?\.ts):(\d+))$/gm)]
    .map(([, where, file, line]) => ({ where, file, line: Number(line) }))
    .filter(({ file }) => !/(\.test|-testing)\.ts$/.test(file) && !file.startsWith('solutions/'));
  for (const frame of frames) {
    const owner = exerciseOfFile(frame.file);
    if (owner === undefined) continue;
    if (owner.id === checking.id) return undefined;
    // A throw of a new error is a check that refused something; a rethrow (throw error) passes a failure on.
    const refused = /\bthrow new \w+/.test(sourceLine(frame.file, frame.line) ?? '');
    const caller = frames.find((f) => exerciseOfFile(f.file)?.id === checking.id)?.where;
    return { exercise: owner, where: frame.where, refused, caller };
  }
  return undefined;
}

/** Line `line` (from 1) of a file named relative to the workbook, or undefined if it cannot be read. */
function lineOfWorkbookFile(file: string, line: number): string | undefined {
  try {
    return readFileSync(resolve(ROOT, file), 'utf8').split('\n')[line - 1];
  } catch {
    return undefined;
  }
}

/** A test failed without running, since one before it in its file looped (workbook/loop-guard.ts): not a bug of its own. */
const notRun = (test: { status: string; message: string }) => test.status !== 'pass' && wasNotRunAfterLoop(test.message);

function printCheck(results: ExerciseResult[], target: string, watching: boolean): void {
  const fileOf = (e: Exercise) => fileInTarget(`${e.chapter}/${e.file}`, target);
  let firstFailure: { result: ExerciseResult; name: string; message: string } | undefined;
  // Tests that never began, behind others that hung, are the last place to look.
  let firstWaiting: typeof firstFailure;
  for (const result of results) {
    const passed = result.tests.filter((t) => t.status === 'pass').length;
    const skipped = result.tests.filter(notRun).length;
    const mark = result.status === 'pass' ? pc.green('✓') : pc.red('✗');
    const what = result.waited === true ? 'the tests did not begin' : result.hung === true ? 'the tests did not finish' : 'the tests could not run';
    const count = result.status === 'error' ? pc.red(what) : `${passed}/${result.tests.length} tests pass${skipped === 0 ? '' : pc.dim(`, ${skipped} not run after a loop`)}`;
    console.log(`\n${mark} ${pc.bold(result.exercise.id)} — ${result.exercise.title}  ${pc.dim(fileOf(result.exercise))}  ${count}`);
    if (result.status === 'error') {
      console.log(pc.red(indent(result.error, 4)));
      if (result.waited === true) firstWaiting ??= { result, name: what, message: result.error };
      else firstFailure ??= { result, name: what, message: result.error };
      continue;
    }
    for (const test of result.tests) {
      if (notRun(test)) {
        console.log(pc.dim(`    · ${test.name} (not run)`));
        continue;
      }
      console.log(`    ${test.status === 'pass' ? pc.green('✓') : pc.red('✗')} ${test.name}`);
      if (test.status !== 'pass') firstFailure ??= { result, name: test.name, message: test.message };
    }
  }
  firstFailure ??= firstWaiting;
  if (firstFailure !== undefined) {
    const id = firstFailure.result.exercise.id;
    console.log(`\n${pc.red(pc.bold('First failure'))}: ${firstFailure.result.exercise.id} › ${firstFailure.name}\n`);
    console.log(indent(firstFailure.message, 2));
    const again = watching ? 'save, and the tests run again' : `then run ${pc.cyan(`npm run check -- ${id}`)} again`;
    const earlier = earlierTodo(firstFailure.message, firstFailure.result.exercise);
    const inside = failedInEarlier(firstFailure.message, firstFailure.result.exercise);
    if (earlier !== undefined) {
      console.log(`\nNext: ${pc.cyan(fileOf(earlier))} comes first: this exercise calls it, and it is not written yet. Check it with ${pc.cyan(`npm run check -- ${earlier.id}`)}.`);
    } else if (inside?.refused === true) {
      console.log(
        `\nNext: a check at ${pc.cyan(inside.where)}, in the ${inside.exercise.id} exercise this one builds on, threw on purpose; its message above says what it refused. ` +
          `Look first at the call ${inside.caller === undefined ? `in ${pc.cyan(fileOf(firstFailure.result.exercise))}` : `at ${pc.cyan(inside.caller)}`}, then at that check; ${again}. Stuck? ${pc.cyan(`npm run hint -- ${id}`)}`,
      );
    } else if (inside !== undefined) {
      console.log(
        `\nNext: it failed inside ${pc.cyan(inside.where)}, the ${inside.exercise.id} exercise this one builds on. Its own tests may pass and this use of it still fail: ` +
          `look there first, then at how ${pc.cyan(fileOf(firstFailure.result.exercise))} calls it; ${again}. Stuck? ${pc.cyan(`npm run hint -- ${id}`)}`,
      );
    } else {
      console.log(`\nNext: fix it in ${pc.cyan(fileOf(firstFailure.result.exercise))}, ${again}. Stuck? ${pc.cyan(`npm run hint -- ${id}`)}`);
      const unfinished = target === 'exercises' ? unfinishedNote(firstFailure.result.exercise) : undefined;
      if (unfinished !== undefined) console.log(pc.yellow(unfinished));
    }
  } else {
    const total = results.reduce((n, r) => n + r.tests.length, 0);
    console.log(`\n${pc.green(pc.bold(`All ${total} tests pass.`))}`);
    // The next exercise is the student's own business: a check of the reference or of another folder has none.
    const after = target === 'exercises' ? nextExerciseAfter(results.at(-1)?.exercise, readProgress().done) : undefined;
    if (after !== undefined) console.log(`Next: ${describeNext(after)}`);
  }
}


/** The first exercise after `exercise` that is not done already. */
function nextExerciseAfter(exercise: Exercise | undefined, done: ReadonlySet<string>): Exercise | undefined {
  if (exercise === undefined) return undefined;
  return EXERCISES.slice(EXERCISES.indexOf(exercise) + 1).find((e) => !done.has(e.id));
}

function describeNext(exercise: Exercise): string {
  const chapter = chapterOf(exercise);
  return `${pc.bold(exercise.id)} (chapter ${chapter.number}, ${chapter.title}): read ${pc.cyan(`chapters/${chapter.slug}.md`)} (its charts and views are in the book: ${pc.cyan('npm start')}), open ${pc.cyan(exercisePath(exercise))}, run ${pc.cyan(`npm run check -- ${exercise.id}`)}`;
}

// ------------------------------------------------------------------ start, watch and reset

/**
 * The port the book is served on unless --port says otherwise: the same one every time, so that
 * a tab left open finds the book again after a restart. Taken already, any free one is used.
 */
export const BOOK_PORT = 4740;

/** The student's one command: the book on localhost, and watch mode on the first unfinished exercise. */
export async function start(options: Options): Promise<number> {
  const port = portOption(options.values.port);
  if (!process.stdin.isTTY) {
    // An editor's task runner, a container, a pipe: the book and the tests on save work all the same.
    process.stderr.write(pc.dim('No terminal: keys are read a line at a time (h, n, l, c, r or q, then Enter), and Ctrl-C stops.\n'));
  }
  const banner: string[] = [];
  let bookUrl: string | undefined;
  // The book's last build, when it failed: shown above the exercise until a build succeeds.
  let siteProblem: string | undefined;
  let redraw = () => {};
  const problemLines = (problem: string) => problem.split('\n').slice(0, 4).map((line) => pc.yellow(line));
  let site: { close(): Promise<void> } | undefined;
  if (!options.noSite) {
    try {
      const { serveSite } = await import('../../site/serve.ts');
      const { chartsNeedMeasuring } = await import('../../site/charts/index.ts');
      // The book ships its charts' numbers; changed solutions or traces have them measured again: say why it waits.
      const measuring = chartsNeedMeasuring(ROOT) ? ' (the numbers shipped for its charts are not those of the code here, so it measures the allocators first: about a minute, once)' : '';
      process.stdout.write(pc.dim(`Building the book…${measuring}\n`));
      const onBuilt = (failure: string | undefined) => {
        if (failure === siteProblem) return;
        siteProblem = failure;
        redraw();
      };
      const served = await serveSite({ port: port ?? BOOK_PORT, onBuilt }).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        if (port !== undefined) throw new UsageError(`Port ${port} is in use (by another npm start or npm run site -- --serve?). Choose another with --port N, or leave --port out.`);
        const elsewhere = await serveSite({ port: 0, onBuilt });
        banner.push(pc.dim(`(port ${BOOK_PORT}, the book's usual one, is taken, by another npm start perhaps: this one is on another)`));
        return elsewhere;
      });
      site = served;
      bookUrl = served.url;
      banner.push(`The book: ${pc.cyan(served.url)}  ${pc.dim('(it rebuilds when a chapter or its code changes)')}`, '');
    } catch (error) {
      if (error instanceof UsageError) throw error; // the port asked for is taken: the command line's to mend
      siteProblem = undefined; // said here: no pages are served to be the last built
      banner.push(pc.yellow('The book could not be served; read it in chapters/. Why:'), ...problemLines(error instanceof Error ? error.message : String(error)), '');
    }
  }
  try {
    const withProblem = () => (siteProblem === undefined ? banner : [...banner, pc.yellow('The book could not be rebuilt; the pages served are the last built. Why:'), ...problemLines(siteProblem), '']);
    return await watchMode({ target: options.target, manualRun: options.manualRun, banner: withProblem, onRedraw: (again) => (redraw = again), bookUrl });
  } finally {
    await site?.close();
  }
}

export async function reset(options: Options): Promise<number> {
  const exercise = exerciseToReset(options.positional);
  const file = fileInTarget(`${exercise.chapter}/${exercise.file}`, options.target);
  if (isSkeletonAlready(exercise, options.target)) {
    console.log(`${file} is the shipped skeleton already: nothing to reset.`);
    return 0;
  }
  const hadFile = existsSync(resolve(targetRoot(options.target), exercise.chapter, exercise.file));
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
  console.log(hadFile ? `${file} is the skeleton again. Your code is in ${backup}.` : `${file} is the skeleton again (there was no file to keep).`);
  return 0;
}

/** The one exercise `reset` was given, or what was wrong, worded as check and hint word it. */
export function exerciseToReset(positional: readonly string[]): Exercise {
  const ids = EXERCISES.map((e) => e.id).join(', ');
  if (positional.length === 0) throw new UsageError(`Which exercise? For example: npm run reset -- bump. Known: ${ids}.`);
  if (positional.length > 1) throw new UsageError(`reset takes one exercise, not ${positional.length}: ${positional.join(' ')}.`);
  // Any name check takes (an id, a path as messages print it, a typo's suggestion), then exactly one exercise.
  let selected: Exercise[];
  try {
    selected = selectNamed(positional[0]);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (selected.length === 1) return selected[0];
  if (selected.some((e) => e.chapter !== selected[0].chapter)) throw new UsageError(`reset takes one exercise, not all of them. Known: ${ids}.`);
  const chapter = chapterOf(selected[0]);
  const inChapter = selected.map((e) => e.id);
  throw new UsageError(`reset takes one exercise, not a chapter. Chapter ${chapter.number}'s exercises: ${inChapter.join(', ')}. For example: npm run reset -- ${inChapter[0]}`);
}

// ------------------------------------------------------------------ status

export async function status(options: Options): Promise<number> {
  process.stderr.write(pc.dim(`Running every exercise's tests against ${options.target}…\n`));
  const results = await runExerciseTests(EXERCISES, options.target);
  recordProgress(results, options.target);
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
      const file = fileInTarget(`${result.exercise.chapter}/${result.exercise.file}`, options.target);
      console.log(`    ${mark} ${result.exercise.id.padEnd(EXERCISE_ID_WIDTH)} ${pc.dim(file.padEnd(40))} ${detail}`);
    }
  }
  const done = results.filter((r) => r.status === 'pass').length;
  console.log(`\n${progressBar(done, results.length)} ${done}/${results.length} exercises done`);
  const next = results.find((r) => r.status !== 'pass');
  console.log(next === undefined ? pc.green('\nEvery exercise passes. Well done!') : `\nNext: ${describeNext(next.exercise)}`);
  return 0;
}


// ------------------------------------------------------------------ hint

export function hint(options: Options): number {
  const selector = options.positional[0];
  if (selector === undefined) throw new UsageError('Which exercise? For example: npm run hint -- bump');
  if (options.positional.length > 1) throw new UsageError(`hint takes one exercise at a time, not ${options.positional.length}: ${options.positional.join(' ')}.`);
  const candidates = selectNamed(selector);
  // For a chapter, the first exercise whose hints are not all shown yet.
  const seen = readProgress().hints;
  const exercise = candidates.find((e) => (seen.get(e.id) ?? 0) < hintsFor(e).length) ?? candidates[candidates.length - 1];
  const { shown, total } = revealNextHint(exercise);
  if (total === 0) {
    console.log(`There are no hints for ${exercise.id} yet. Read chapters/${exercise.chapter}.md again, and the TODO comments in ${exercisePath(exercise)}.`);
    return 0;
  }
  console.log(pc.bold(`Hints for ${exercise.id} (${exercisePath(exercise)})\n`));
  shown.forEach((markdown, i) => {
    const label = `Hint ${i + 1} of ${total}`;
    const text = hintForTerminal(markdown);
    console.log(i === shown.length - 1 ? `${pc.yellow(pc.bold(label))}\n${indent(text, 2)}\n` : pc.dim(`${label}\n${indent(text, 2)}\n`));
  });
  console.log(pc.dim(shown.length < total ? `Run it again for the next hint.` : 'That was the last hint.'));
  return 0;
}
