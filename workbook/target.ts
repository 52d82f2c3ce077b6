// The one place where tests find the code under test. A target is `exercises` (the
// student's work, the default), `solutions` (the reference), or a folder: a submission
// holding an `exercises/` folder, or a folder of chapter folders itself.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { CHAPTERS, exerciseOfFile } from './exercises.ts';
import { EXERCISES_DIR, ROOT, SOLUTIONS_DIR, shownPath } from './paths.ts';

export const TARGET_VARIABLE = 'WORKBOOK_TARGET';

/** The folder holding the chapter folders (`01-bump/…`) of a target. */
export function targetRoot(target: string = process.env[TARGET_VARIABLE] ?? 'exercises'): string {
  if (target === 'exercises') return EXERCISES_DIR;
  if (target === 'solutions') return SOLUTIONS_DIR;
  const folder = isAbsolute(target) ? target : resolve(ROOT, target);
  if (!existsSync(folder)) throw new Error(`The target folder ${folder} does not exist (--target takes exercises, solutions, or a folder).`);
  const nested = resolve(folder, 'exercises');
  const root = existsSync(nested) ? nested : folder;
  // Its tests run from a copy inside the workbook: a folder holding the workbook cannot be copied into it.
  if (`${ROOT}${sep}`.startsWith(`${resolve(root)}${sep}`)) throw new Error(`The target folder ${folder} holds this workbook itself: give the folder of a submission, which holds exercises/ or chapter folders such as 01-bump.`);
  if (!CHAPTERS.some((chapter) => existsSync(join(root, chapter.slug)))) {
    throw new Error(`The target folder ${folder} holds no exercises: neither an exercises/ folder nor chapter folders such as ${CHAPTERS[1].slug}. Give the folder that holds them.`);
  }
  return root;
}

/**
 * `target` by its name when it is the student's exercises/ or the book's solutions/, however it
 * was written (`./solutions`, a whole path): its folder otherwise.
 */
export function targetName(target: string): string {
  if (target === 'exercises' || target === 'solutions') return target;
  const root = realpathSync(targetRoot(target));
  return root === realpathSync(SOLUTIONS_DIR) ? 'solutions' : root === realpathSync(EXERCISES_DIR) ? 'exercises' : target;
}

/** The target is the book's reference, solutions/, however it was written. */
export function isReference(target: string): boolean {
  return targetName(target) === 'solutions';
}

/** Imports `chapter/file.ts` (such as `01-bump/bump.ts`) from the target. */
export async function loadExercise<Module>(relative: string, target?: string): Promise<Module> {
  const root = targetRoot(target);
  const path = resolve(root, relative);
  if (!existsSync(path)) throw inGivenFolder(new Error(missingFileMessage(path, relative, target ?? process.env[TARGET_VARIABLE] ?? 'exercises')), root);
  try {
    return (await import(pathToFileURL(path).href)) as Module;
  } catch (error) {
    throw inGivenFolder(error, root); // a syntax error, or one thrown as the module loads
  }
}

/** What a test says when the target has no `relative`. */
export function missingFileMessage(path: string, relative: string, target: string): string {
  // A student's own file can come back as the skeleton; a reference or a submission cannot.
  const exercise = target === 'exercises' ? exerciseOfFile(relative) : undefined;
  const restore = exercise === undefined ? '' : ` To get the skeleton back: npm run reset -- ${exercise.id}`;
  return `Cannot find ${shownPath(path)}: the target has no ${relative}. Did you rename or delete the file?${restore}`;
}

/**
 * A folder target runs from a copy placed directly inside the repository, so that its
 * files' imports of `../../machine/…` and `../../workbook/…` reach the workbook's own
 * machine and tools, never copies that came with the submission.
 */
export function stageTarget(target: string): { target: string; cleanup: () => void } {
  if (target === 'exercises' || target === 'solutions') return { target, cleanup: () => {} };
  const root = targetRoot(target);
  if (dirname(root) === ROOT) return { target: root, cleanup: () => {} };
  const stage = mkdtempSync(join(ROOT, `.target-${basename(resolve(root, root.endsWith('exercises') ? '..' : '.'))}-`));
  const cleanup = removeOnExit(stage);
  try {
    cpSync(root, stage, { recursive: true, filter: (source) => !source.includes('node_modules') });
    writeFileSync(join(stage, STAGED_FROM), root);
  } catch (error) {
    cleanup(); // a copy that failed halfway must not stay in the workbook
    throw new Error(`Could not copy the target ${root} to run its tests: ${(error as Error).message}`);
  }
  return { target: stage, cleanup };
}

/**
 * The file in a staged copy that names the folder it was copied from: the copy is gone once the
 * command ends, so messages name the student's own folder instead. A file, not a variable of
 * this module, as the copy is also loaded in worker threads and other processes.
 */
const STAGED_FROM = '.staged-from';

/** The folder `root` was copied from when it is a staged copy (stageTarget); undefined otherwise. */
function stagedFrom(root: string): string | undefined {
  try {
    return readFileSync(join(root, STAGED_FROM), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `error` with the staged copy `root` named as the folder it was copied from, in its message and
 * its stack, as a path and as a file URL; unchanged when `root` is no copy.
 */
function inGivenFolder(error: unknown, root: string): unknown {
  const given = stagedFrom(root);
  if (given === undefined || !(error instanceof Error)) return error;
  // As a URL and a path in a stack, and from the workbook's folder in vitest's transform errors.
  const names: [string, string][] = [
    [pathToFileURL(root).href, pathToFileURL(given).href],
    [root, given],
    [shownPath(root), shownPath(given)],
    [`${shownPath(relative(ROOT, root))}/`, `${shownPath(given)}/`],
  ];
  const moved = (text: string) => names.reduce((line, [from, to]) => line.split(from).join(to), text);
  try {
    error.message = moved(error.message);
    if (error.stack !== undefined) error.stack = moved(error.stack);
  } catch {
    // A frozen error keeps the copy's names: better than no error.
  }
  return error;
}

const leftovers = new Set<string>();
let hooked = false;
let ending = false;

/** The exit code of a process a signal ended, by convention 128 and the signal's number. */
const SIGNAL_EXIT_CODE = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Removes `path` when the returned function is called, or when the process ends first,
 * even by Ctrl-C: a staged copy, or a grader's sandbox, must never stay behind.
 */
export function removeOnExit(path: string): () => void {
  hook();
  leftovers.add(path);
  tellJanitor(`add ${path}`);
  return () => {
    rmSync(path, { recursive: true, force: true });
    leftovers.delete(path);
    tellJanitor(`drop ${path}`);
  };
}

/** Once: the registered folders go when the process exits, and Ctrl-C and kill make it exit. */
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeLeftovers);
  // Ctrl-C and kill end the process through process.exit, so that the line above runs. Every
  // signal is handled, not only the first: Ctrl-C comes again (tsx and npm relay it), and a
  // signal with no handler would end the process halfway through the removal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) if (process.listenerCount(signal) === 0) process.on(signal, () => endBy(signal));
}

type Farewell = (signal: NodeJS.Signals) => void | Promise<void>;

const farewells = new Set<Farewell>();

/** The longest the process waits on its farewells once a signal came. */
const FAREWELL_MS = 2000;

/**
 * Calls `farewell` if Ctrl-C or kill ends the process before the returned function is called,
 * before the folders registered with removeOnExit go: to stop what was under way (a child
 * process) and say what was left undone. The process waits for a promise it returns, up to
 * FAREWELL_MS. A process killed outright, or busy in synchronous work until tsx kills it, says
 * nothing; the janitor still removes its folders.
 */
export function onInterrupt(farewell: Farewell): () => void {
  hook();
  farewells.add(farewell);
  return () => {
    farewells.delete(farewell);
  };
}

/**
 * Kills the process group led by `pid` (a test runner's) if this process ends before the
 * returned function is called, however it ends; this process's own exit handlers do it
 * when they run, the janitor when they cannot.
 */
export function killGroupOnExit(pid: number): () => void {
  tellJanitor(`group ${pid}`);
  return () => tellJanitor(`ungroup ${pid}`);
}

/** Ends the process for `signal`, once: the signals that follow, while the folders go, change nothing. */
function endBy(signal: keyof typeof SIGNAL_EXIT_CODE): void {
  if (ending) return;
  ending = true;
  const waits: Promise<void>[] = [];
  for (const farewell of farewells) {
    try {
      const wait = farewell(signal);
      if (wait !== undefined) waits.push(wait.catch(() => {}));
    } catch {
      // The process ends all the same, and its folders go.
    }
  }
  if (waits.length === 0) process.exit(SIGNAL_EXIT_CODE[signal]);
  const late = new Promise<void>((done) => setTimeout(done, FAREWELL_MS));
  void Promise.race([Promise.all(waits), late]).then(() => process.exit(SIGNAL_EXIT_CODE[signal]));
}

/** Removes every folder still registered, synchronously: one that resists does not keep the others. */
function removeLeftovers(): void {
  for (const path of leftovers) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Nothing more to do on the way out.
    }
  }
  leftovers.clear();
}

/**
 * The janitor: a small process of its own, told each folder and test runner as it comes and
 * goes, that kills the runners and removes the folders left when this process is gone (its
 * end of the pipe closes). No handler runs in a process killed outright, and tsx does kill
 * the process it runs (SIGKILL) when a Ctrl-C finds it busy for 60 ms in synchronous work,
 * such as copying a grader's sandbox or compiling a submission. It ignores Ctrl-C itself:
 * this process answers it, and the janitor's work comes after.
 */
const JANITOR = `
const { rmSync } = require('node:fs');
const paths = new Set(), groups = new Set();
let text = '';
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (text + chunk).split('\\n');
  text = lines.pop();
  for (const line of lines) {
    const [verb, what] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (verb === 'add') paths.add(what); else if (verb === 'drop') paths.delete(what);
    else if (verb === 'group') groups.add(Number(what)); else if (verb === 'ungroup') groups.delete(Number(what));
  }
});
process.stdin.on('close', () => {
  for (const pid of groups) try { process.kill(-pid, 'SIGKILL'); } catch {}
  for (const path of paths) try { rmSync(path, { recursive: true, force: true, maxRetries: 5 }); } catch {}
  process.exit(0);
});
`;

let janitor: ChildProcess | undefined;
let janitorFailed = false;

/** One line to the janitor, started at the first; without it (it could not start) the exit handlers above still do their part. */
function tellJanitor(line: string): void {
  if (janitorFailed) return;
  if (janitor === undefined) {
    try {
      janitor = spawn(process.execPath, ['-e', JANITOR], { stdio: ['pipe', 'ignore', 'ignore'], detached: process.platform !== 'win32', windowsHide: true, env: { ...process.env, NODE_OPTIONS: '' } });
    } catch {
      janitorFailed = true;
      return;
    }
    janitor.on('error', () => {
      janitorFailed = true;
    });
    // Neither the janitor nor its pipe keeps this process alive: it ends when it would have.
    janitor.unref();
    const stdin = janitor.stdin as (Writable & { unref?: () => void }) | null;
    stdin?.on('error', () => {});
    stdin?.unref?.();
  }
  janitor.stdin?.write(`${line}\n`);
}

/** Where a target keeps `chapter/file` (such as `01-bump/bump.ts`), as a student would type it. */
export function fileInTarget(relativeFile: string, target: string): string {
  const path = resolve(targetRoot(target), relativeFile);
  const fromRoot = relative(ROOT, path);
  return shownPath(fromRoot.startsWith('..') ? path : fromRoot);
}
