// Watch mode, the student's home: one exercise at a time, its tests run again on every save,
// the first failure on screen, and single keys for a hint, the next exercise, the list, a
// check of everything, or quitting. `--manual-run` runs the tests on `r` instead of on save.

import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { EXERCISES, EXERCISE_ID_WIDTH, type Exercise, chapterOf } from './exercises.ts';
import { hintForTerminal, revealNextHint } from './hints.ts';
import { unfinishedNote } from './prerequisites.ts';
import { readProgress, updateProgress as updateStudentProgress } from './progress.ts';
import { isSkeletonAlready, resetExercise } from './reset.ts';
import { type ExerciseResult, runExerciseTests } from './run-tests.ts';
import { fileInTarget, targetRoot } from './target.ts';
import { indent, nearestName } from './text.ts';
import { type TreeWatcher, watchTree } from './watch-tree.ts';

/** Clears a terminal before a redraw; in a pipe or a log, screens follow one another instead. */
function clearScreen(): string {
  return process.stdout.isTTY === true ? '\u001b[2J\u001b[H' : '\n';
}

export interface WatchOptions {
  target: string;
  /** Run the tests when `r` is pressed, not when a file is saved (for file systems where saves go unseen). */
  manualRun: boolean;
  /** Lines printed above the exercise, such as the book's URL; read at every drawing. */
  banner?: () => string[];
  /** Given the function that draws the screen again, for a banner that changed (a failed rebuild of the book). */
  onRedraw?: (redraw: () => void) => void;
  /** The book's address when it is served: the chapter is named by its page there, not its markdown. */
  bookUrl?: string;
}

const KEYS = 'h hint · n next · l list · c check all · r run · q quit';

/**
 * What the list's prompt was told: a number or an exercise's name to go to, either after r to
 * reset (r3, r bump); undefined for anything else. A whole name is read first: realloc and
 * rack start with the r of a reset.
 */
export function listAnswer(answer: string): { reset: boolean; what: string } | undefined {
  if (EXERCISES.some((e) => e.id === answer)) return { reset: false, what: answer };
  const reset = /^r\s*(\d+)$|^r\s+([a-z][\w-]*)$/.exec(answer);
  if (reset !== null) return { reset: true, what: reset[1] ?? reset[2] };
  return /^(\d+|[a-z][\w-]*)$/.test(answer) ? { reset: false, what: answer } : undefined;
}

export async function watchMode(options: WatchOptions): Promise<number> {
  // Watching the reference is no progress of the student's: it records nothing.
  const updateProgress = (change: Parameters<typeof updateStudentProgress>[0]) => {
    if (options.target === 'solutions') {
      const progress = readProgress();
      change(progress); // as it would be, for the screen; not written
      return progress;
    }
    return updateStudentProgress(change);
  };
  let current = startingExercise();
  let result: ExerciseResult | undefined;
  let hint: string[] = [];
  let note = '';
  let running = false;
  let pending = false;
  let busy = false; // the list or a prompt owns the keyboard

  const fileOf = (e: Exercise) => fileInTarget(`${e.chapter}/${e.file}`, options.target);

  const render = () => {
    const progress = readProgress();
    const done = EXERCISES.filter((e) => progress.done.has(e.id)).length;
    const chapter = chapterOf(current);
    const lines = [...(options.banner?.() ?? []), pc.bold('The malloc workbook'), `${bar(done, EXERCISES.length)} ${done}/${EXERCISES.length} exercises done`, ''];
    lines.push(`${pc.bold(`Exercise ${current.id}`)} (chapter ${chapter.number}: ${chapter.title}): ${current.title}`);
    const reading = options.bookUrl === undefined ? `chapters/${chapter.slug}.md` : new URL(`${chapter.slug}.html`, options.bookUrl).href;
    lines.push(`Open ${pc.cyan(fileOf(current))}  ·  read ${pc.cyan(reading)}`);
    lines.push('');
    if (running) lines.push(pc.dim('Running the tests…'));
    else if (result === undefined) lines.push(pc.dim(options.manualRun ? 'Press r to run the tests.' : 'Save the file to run the tests.'));
    else if (result.status === 'error') lines.push(pc.red('The tests could not run:'), indent(forWatch(result.error)));
    else {
      const passed = result.tests.filter((t) => t.status === 'pass').length;
      const failing = result.tests.find((t) => t.status === 'fail');
      lines.push(`${result.status === 'pass' ? pc.green('✓') : pc.red('✗')} ${passed}/${result.tests.length} tests pass`);
      if (failing !== undefined) {
        lines.push('', `${pc.red(pc.bold('First failure'))}: ${failing.name}`, indent(forWatch(failing.message)));
        const unfinished = options.target === 'exercises' ? unfinishedNote(current, progress.done) : undefined;
        if (unfinished !== undefined) lines.push('', pc.yellow(unfinished));
      } else lines.push(pc.green(`Every test passes. Press n for the next exercise.`));
    }
    if (hint.length > 0) lines.push('', pc.yellow(pc.bold(hint[0])), indent(hint.slice(1).join('\n')));
    if (note !== '') lines.push('', note);
    lines.push('', pc.dim(KEYS), pc.dim(options.manualRun ? 'Manual mode: r runs the tests.' : `Watching ${targetRoot(options.target)} for saves.`));
    process.stdout.write(`${clearScreen()}${lines.join('\n')}\n`);
  };

  const run = async () => {
    if (running || busy) {
      pending = true; // a save during a run, or under the list: run right after
      return;
    }
    running = true;
    render();
    try {
      [result] = await runExerciseTests([current], options.target);
      // A passing exercise is done, and the bar says so at once.
      if (result.status === 'pass') updateProgress((p) => p.done.add(result!.exercise.id));
    } catch (error) {
      result = { exercise: current, status: 'error', tests: [], error: error instanceof Error ? error.message : String(error) };
    }
    running = false;
    if (pending) {
      pending = false;
      return run();
    }
    render();
  };

  const moveTo = (exercise: Exercise) => {
    current = exercise;
    result = undefined;
    hint = [];
    updateProgress((p) => {
      p.current = exercise.id;
    });
    return run();
  };

  options.onRedraw?.(() => {
    if (!busy) render();
  });

  let watcher: TreeWatcher | undefined;
  if (!options.manualRun) {
    let timer: NodeJS.Timeout | undefined;
    watcher = watchTree(targetRoot(options.target), (file) => {
      if (!/\.(ts|md)$/.test(file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void run(), 150);
    });
  }

  const keys = async (key: string): Promise<boolean> => {
    note = '';
    switch (key) {
      case 'q':
      case '\u0003': // Ctrl-C
        return false;
      case 'h': {
        const { shown, total } = revealNextHint(current);
        // The earlier hints stay on screen, dimmed, above the new one; the last says it is the last.
        const earlier = shown.slice(0, -1).map((text, i) => pc.dim(`Hint ${i + 1}: ${hintForTerminal(text, false)}`));
        const last = shown.length === total ? [pc.dim('That was the last hint.')] : [];
        hint = total === 0 ? [`No hints for ${current.id}: read the TODO comments in ${fileOf(current)}.`] : [`Hint ${shown.length} of ${total}`, ...earlier, hintForTerminal(shown[shown.length - 1]), ...last];
        break;
      }
      case 'n': {
        if (result?.status !== 'pass') {
          note = pc.yellow(`n moves on once every test of ${current.id} passes.`);
          break;
        }
        const progress = updateProgress((p) => p.done.add(current.id));
        const after = EXERCISES.slice(EXERCISES.indexOf(current) + 1);
        const next = after.find((e) => !progress.done.has(e.id)) ?? EXERCISES.find((e) => !progress.done.has(e.id));
        if (next === undefined) {
          note = pc.green('Every exercise is done. Well done!');
          break;
        }
        await moveTo(next);
        return true;
      }
      case 'r':
        await run();
        return true;
      case 'c':
        await checkAll();
        return true;
      case 'l':
        await list();
        return true;
      default:
        return true;
    }
    render();
    return true;
  };

  const checkAll = async () => {
    busy = true;
    process.stdout.write(`${clearScreen()}${pc.dim('Running every exercise’s tests…')}\n`);
    const results = await runExerciseTests(EXERCISES, options.target);
    updateProgress((p) => results.filter((r) => r.status === 'pass').forEach((r) => p.done.add(r.exercise.id)));
    const lines = results.map((r) => {
      const passed = r.tests.filter((t) => t.status === 'pass').length;
      return `  ${r.status === 'pass' ? pc.green('✓') : pc.red('✗')} ${r.exercise.id.padEnd(EXERCISE_ID_WIDTH)} ${r.status === 'error' ? pc.red('does not run') : `${passed}/${r.tests.length} tests`}`;
    });
    process.stdout.write(`${lines.join('\n')}\n\n${pc.dim('Press any key to go back.')}\n`);
    await nextKey();
    busy = false;
    await redrawAfterScreen();
  };

  // Back from the list or the check of everything: a save made meanwhile runs now.
  const redrawAfterScreen = async () => {
    if (!pending) return render();
    pending = false;
    await run();
  };

  const list = async () => {
    busy = true;
    const progress = readProgress();
    const lines: string[] = [pc.bold('Exercises'), ''];
    EXERCISES.forEach((e, i) => {
      const mark = e === current ? pc.cyan('▶') : progress.done.has(e.id) ? pc.green('✓') : ' ';
      const chapter = chapterOf(e);
      lines.push(`  ${mark} ${String(i + 1).padStart(2)}. ${e.id.padEnd(EXERCISE_ID_WIDTH)} chapter ${chapter.number}: ${e.title}`);
    });
    process.stdout.write(`${clearScreen()}${lines.join('\n')}\n\n`);
    const answer = (await ask('Number (or name) to continue from, r<number> to reset that exercise to its skeleton, or Enter to go back: ')).trim();
    const asked = listAnswer(answer);
    const chosen = asked === undefined ? undefined : (EXERCISES.find((e) => e.id === asked.what) ?? EXERCISES[Number(asked.what) - 1]);
    if (answer !== '' && asked === undefined) note = pc.yellow(`'${answer}' is not a number from 1 to ${EXERCISES.length}, r and a number, or an exercise's name: nothing changed. (q quits, from here.)`);
    else if (asked !== undefined && chosen === undefined) {
      const near = /^\d+$/.test(asked.what) ? undefined : nearestName(asked.what, EXERCISES.map((e) => e.id));
      note = pc.yellow(`There is no exercise ${asked.what}.${near === undefined ? '' : ` Did you mean ${near}?`}${asked.what === 'q' ? ' (q quits from the exercise screen.)' : ''}`);
    } else if (asked?.reset === true && chosen !== undefined && isSkeletonAlready(chosen, options.target)) {
      note = pc.dim(`${fileOf(chosen)} is the shipped skeleton already: nothing to reset.`);
    } else if (asked?.reset === true && chosen !== undefined) {
      const sure = (await ask(`Reset ${fileOf(chosen)} to the shipped skeleton? Your code is kept in a backup. [y/N] `)).trim().toLowerCase();
      if (sure === 'y' || sure === 'yes') {
        const { backup } = resetExercise(chosen, options.target);
        note = pc.green(`${fileOf(chosen)} is the skeleton again; your code is in ${backup}.`);
        updateProgress((p) => p.done.delete(chosen.id));
      } else note = pc.dim('Nothing changed.');
    }
    busy = false;
    if (chosen !== undefined && asked?.reset !== true) {
      pending = false; // the move runs the tests anyway
      return moveTo(chosen);
    }
    await redrawAfterScreen();
  };

  // The keyboard: single keys in raw mode on a terminal; lines (first character) otherwise.
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  let waiter: ((key: string) => void) | undefined;
  const nextKey = () => new Promise<string>((resolve) => (waiter = resolve));
  const ask = async (question: string): Promise<string> => {
    if (raw) stdin.setRawMode(false);
    stdin.removeListener('data', onData);
    const rl = createInterface({ input: stdin, output: process.stdout });
    const answer = await rl.question(question);
    rl.close();
    stdin.on('data', onData);
    if (raw) stdin.setRawMode(true);
    stdin.resume();
    return answer;
  };
  let quit: (code: number) => void = () => {};
  const onData = (data: Buffer) => {
    const key = data.toString()[0] ?? '';
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      return w(key);
    }
    if (busy) return;
    void keys(key).then((goOn) => {
      if (!goOn) quit(0);
    });
  };
  if (raw) stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();

  updateProgress((p) => {
    p.current = current.id;
  });
  if (options.manualRun) render();
  else void run();

  const code = await new Promise<number>((resolve) => (quit = resolve));
  watcher?.close();
  if (raw) stdin.setRawMode(false);
  stdin.pause();
  stdin.removeListener('data', onData);
  process.stdout.write('\n');
  return code;
}

/** In watch mode the tests run again on save: say so where a message says to run them. */
function forWatch(message: string): string {
  return message.replace('and run the check again', 'and save: the tests run again');
}

/** Where a student resumes: the exercise recorded last time, else the first not done. */
function startingExercise(): Exercise {
  const progress = readProgress();
  const recorded = EXERCISES.find((e) => e.id === progress.current);
  return recorded ?? EXERCISES.find((e) => !progress.done.has(e.id)) ?? EXERCISES[0];
}

function bar(done: number, total: number, width = 20): string {
  const filled = Math.round((done / total) * width);
  const head = filled < width ? '>' : '';
  return `[${pc.green('#'.repeat(filled))}${head}${pc.dim('-'.repeat(Math.max(0, width - filled - head.length)))}]`;
}

