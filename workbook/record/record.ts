// `npm run record -- <command …>`'s work, apart from printing: run a real program with the
// logging library preloaded (malloc-logger.c, built with the machine's `cc` at first use),
// turn its log into a .rep trace, check the trace with the parser the driver uses, write it.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { formatBytes } from '../../machine/format.ts';
import { startWorker } from '../../machine/workers.ts';
import { buildWithCc } from '../cc.ts';
import { ROOT } from '../paths.ts';
import { killGroupOnExit, onInterrupt, removeOnExit } from '../on-exit.ts';
import { parseRep, writeRep } from '../trace/rep.ts';
import { type ConversionCounts, convertLog } from './convert.ts';
import { shippedRecordings } from './shipped.ts';

export const LOGGER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'malloc-logger.c');
export const RECORDED_DIR = resolve(ROOT, 'traces/recorded');
/** The descriptor the child writes its log to (the fourth of its stdio). */
const LOG_FD = 3;

/** Why nothing can be recorded here: no compiler, or not Linux. */
export class RecorderUnavailable extends Error {
  override name = 'RecorderUnavailable';
}

/** The command failed, and its trace was not written: a failed run rarely shows what the program does. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

/** Builds the logging library (into `cache`, default CC_CACHE), or throws RecorderUnavailable saying what to install. */
export function buildLogger(cc?: string, cache?: string): string {
  if (process.platform !== 'linux') {
    throw new RecorderUnavailable(`npm run record works on Linux only (it preloads a library with LD_PRELOAD, which ${process.platform} does not have). The traces in traces/recorded/ replay anywhere: npm run trace -- zones traces/recorded`);
  }
  const built = buildWithCc(LOGGER_SOURCE, { name: 'malloc-logger', flags: ['-O2', '-shared', '-fPIC'], libs: ['-ldl', '-lpthread'], suffix: '.so', purpose: 'the logging library cannot be built', cc, cache });
  if ('path' in built) return built.path;
  if (built.noCompiler === true) {
    throw new RecorderUnavailable(
      `npm run record needs a C compiler to build its LD_PRELOAD library, and ${built.missing.replace(/, so .*$/, '')}. ` +
        'Install one (on Debian or Ubuntu: sudo apt-get install gcc) and run it again. ' +
        'The traces already recorded in traces/recorded/ replay without it: npm run trace -- zones traces/recorded',
    );
  }
  throw new RecorderUnavailable(built.missing);
}

export interface RecordOptions {
  /** The trace's name (traces/recorded/<name>.rep); default the command's name. */
  name?: string;
  maxOps?: number;
  /** Overwrite a trace of the same name, even one the book ships. */
  force?: boolean;
  /** Write the trace even when the command failed (exited with a code other than 0, or was killed). */
  keepFailed?: boolean;
  /** Where the command runs (default the current directory). */
  cwd?: string;
  /** The folder the trace is written to (default traces/recorded). */
  dir?: string;
  cc?: string;
  /** While the program runs: the bytes logged so far; then, converting: the lines read. */
  onProgress?: (message: string) => void;
  /** What Ctrl-C or kill stopped, and what was removed; default printed on stderr. */
  onInterrupted?: (message: string) => void;
}

export interface Recording {
  command: string[];
  name: string;
  file: string;
  exitCode: number | null;
  signal: string | null;
  ops: number;
  ids: number;
  suggestedHeapSize: number;
  /** The .rep file's size in bytes. */
  bytes: number;
  /** --max-ops stopped the trace before the program's last call. */
  cut: boolean;
  counts: ConversionCounts;
  seconds: number;
}

/** `ls`, `python3`, `git-log`: a trace name from the command, letters, digits, `.`, `-` and `_`. */
export function traceName(command: readonly string[]): string {
  const program = basename(command[0] ?? 'program');
  const sub = command.slice(1).find((a) => !a.startsWith('-') && /^[a-z][a-z-]*$/.test(a));
  // `git log` and `npm test` are named by their subcommand too; `ls /usr/lib` is just ls.
  const name = program === 'git' && sub !== undefined ? `${program}-${sub}` : program;
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'program';
}

/**
 * The file a recording of `command` is written to, or an error saying what to do when it is
 * there already: asked before the program runs, which may take minutes.
 */
export function traceFile(command: readonly string[], options: Pick<RecordOptions, 'name' | 'dir' | 'force'> = {}): string {
  // --name ls-big.rep means ls-big: the file is <name>.rep, not ls-big.rep.rep.
  const name = (options.name ?? traceName(command)).replace(/\.rep$/i, '') || traceName(command);
  const file = join(options.dir ?? RECORDED_DIR, `${name}.rep`);
  const shown = relative(process.env.INIT_CWD ?? process.cwd(), file);
  // Chapter 8's figures and tests are made from the shipped recordings: --force does not reach them.
  if (isShipped(file)) throw new Error(`${shown} is one of the traces the book ships: chapter 8 replays it, and its figures come from it. Nothing was run. Name this one with --name <other name>.`);
  if (options.force === true || !existsSync(file)) return file;
  throw new Error(`${shown} exists: a trace recorded before. Nothing was run. Name this one with --name <other name>, or overwrite it with --force.`);
}

/** Whether `file` is a trace that came with the workbook, not one the student recorded. */
function isShipped(file: string): boolean {
  return shippedRecordings(ROOT).includes(resolve(file));
}

/** Runs `command` with the library preloaded and writes its trace; rejects with why it could not. */
export async function recordCommand(command: readonly string[], options: RecordOptions = {}): Promise<Recording> {
  if (command.length === 0) throw new Error('Which program? For example: npm run record -- git status');
  const unstartable = whyNotStartable(command[0], options.cwd);
  if (unstartable !== undefined) throw new Error(unstartable);
  const file = traceFile(command, options);
  const library = buildLogger(options.cc);
  const scratch = mkdtempSync(join(tmpdir(), 'malloc-record-'));
  // A finally does not run when a signal ends the process: the log (megabytes) must go all the same.
  const removeScratch = removeOnExit(scratch);
  const logPath = join(scratch, 'malloc.log');
  const started = Date.now();
  let child: ChildProcess | undefined;
  let releaseGroup = () => {};
  let stage: 'running' | 'converting' = 'running';
  let interrupted = false;
  const stopSaying = onInterrupt(async (signal) => {
    interrupted = true;
    const [when, seconds] = [stage, (Date.now() - started) / 1000];
    if (child !== undefined) await stopProgram(child, signal);
    const say = options.onInterrupted ?? ((message: string) => process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[2K' : ''}${pc.red(message)}\n`));
    say(interruptedMessage(command, signal, when, seconds, logSize(logPath)));
  });
  // Once a signal came the process is ending: the program's end is no result to report.
  const unlessInterrupted = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    if (interrupted) await new Promise(() => {});
    return result;
  };
  try {
    const fd = openSync(logPath, 'a'); // O_APPEND: every process's lines land whole
    let run: ProgramRun;
    try {
      run = await unlessInterrupted(
        runWithLogger(command, library, fd, options, (spawned) => {
          child = spawned;
          releaseGroup = holdGroup(spawned);
        }),
      );
      // It ended by itself: what it left running in the background is its own business.
      releaseGroup();
    } finally {
      closeSync(fd);
    }
    if (run.stoppedForGood) throw new CommandFailed(stoppedMessage(command));
    stage = 'converting';
    options.onProgress?.('converting the log');
    const failed = run.exitCode !== 0 || run.signal !== null;
    const request: ConvertRequest = { logPath, pid: run.pid, maxOps: options.maxOps, file, write: !failed || options.keepFailed === true };
    const onLines = (lines: number) => options.onProgress?.(`converting the log: ${lines.toLocaleString('en-US')} lines`);
    // A short log takes milliseconds here; a worker takes a few hundred to start.
    const conversion = logSize(logPath) < IN_THREAD_LOG_BYTES ? convertFile(request, onLines) : await unlessInterrupted(convertInWorker(request, onLines));
    if (failed && options.keepFailed !== true) {
      const ended = run.signal !== null ? `was killed by ${run.signal}` : `exited with ${run.exitCode}`;
      const caught = conversion.ops === 0 ? 'no operations' : `${conversion.ops.toLocaleString('en-US')} operations`;
      // grep exits 1 for no match, diff and cmp for files that differ: an answer, not an error.
      const why =
        run.exitCode === 1
          ? 'Some programs, such as grep and diff, exit with 1 as an answer (no match, the files differ) rather than an error: if this one did, keep its trace with --keep-failed; if it failed, fix the command and run it again.'
          : 'A failed run rarely shows what the program does: fix the command and run it again, or keep the trace all the same with --keep-failed.';
      throw new CommandFailed(`${command.join(' ')} ${ended}: its trace (${caught}) was not written. ${why}`);
    }
    if (conversion.ops === 0 || conversion.text === undefined) {
      const calls = conversion.loggedCalls ?? 0;
      const why =
        conversion.logEmpty
          ? 'the library was never loaded: the program may be statically linked or setuid (LD_PRELOAD is ignored for both)'
          : calls === 0
            ? 'it never called malloc, calloc, realloc or free'
            : `none of its ${calls} logged calls made it into a trace (${JSON.stringify(conversion.counts)})`;
      throw Object.assign(new Error(`Recorded no operations of ${command.join(' ')}: ${why}. Nothing was written.`), { counts: conversion.counts });
    }
    const { text } = conversion;
    mkdirSync(dirname(file), { recursive: true });
    // Written whole or not at all: a process killed while writing leaves no half a trace.
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
    const removePartial = removeOnExit(partial);
    try {
      writeFileSync(partial, text);
      renameSync(partial, file);
    } finally {
      removePartial();
    }
    return {
      command: [...command],
      name: basename(file, '.rep'),
      file,
      exitCode: run.exitCode,
      signal: run.signal,
      ops: conversion.ops,
      ids: conversion.numIds,
      suggestedHeapSize: conversion.suggestedHeapSize,
      bytes: Buffer.byteLength(text),
      cut: conversion.counts.cutCalls > 0,
      counts: conversion.counts,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    // Only an exception leaves the program running here: it goes with the rest.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
    releaseGroup();
    stopSaying();
    removeScratch();
  }
}

/**
 * Stops the program and every process it started, its group, for `signal`, and resolves once
 * they ended (at most about 1.3 s). The program runs in a group of its own, which a terminal's
 * Ctrl-C does not reach: it is passed on, and the program gets a moment to end by itself (a
 * second SIGINT would break into its own clean-up: Python prints a second traceback). kill
 * reaches this process alone, and the program is stopped at once: SIGTERM, then SIGKILL for
 * what is left of its group (one that ignores SIGTERM, or is stopped).
 */
async function stopProgram(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  // Once it ended by itself, what it left in the background is not this recording's to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const group = child.pid;
  const within = async (ms: number): Promise<boolean> => {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((done) => setTimeout(done, 25))) if (!groupAlive(group)) return true;
    return !groupAlive(group);
  };
  if (signal === 'SIGINT') {
    signalGroup(child, 'SIGINT');
    if (await within(500)) return;
  }
  signalGroup(child, 'SIGTERM');
  signalGroup(child, 'SIGCONT'); // a stopped process ends on SIGTERM only once it runs again
  if (await within(500)) return;
  signalGroup(child, 'SIGKILL');
  await within(300);
}

/**
 * Kills the program's group, should this process end while it runs, until the returned function
 * is called: its exit handler does it when an exception or a signal ends it, and the janitor
 * (killGroupOnExit) when it is killed outright, as tsx kills it at a second Ctrl-C.
 */
function holdGroup(child: ChildProcess): () => void {
  if (child.pid === undefined) return () => {};
  const kill = () => signalGroup(child, 'SIGKILL');
  process.once('exit', kill);
  const forget = killGroupOnExit(child.pid);
  return () => {
    process.off('exit', kill);
    forget();
  };
}

/** Sends `signal` to the program's process group: the program, and what it started that did not leave the group. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone.
  }
}

/**
 * Whether a process of the group `group` is still there, other than a zombie: an orphan that
 * ended is one until its new parent waits for it, which a container's first process may never do.
 */
export function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const states = groupStates(group);
  return states === undefined || states.some((state) => state !== 'Z');
}

/**
 * Whether a process of the group `group` is stopped (state T), by SIGSTOP or SIGTSTP: in a
 * session of its own, with no terminal, nothing would send it the SIGCONT it waits for.
 */
export function groupStopped(group: number): boolean {
  return groupStates(group)?.includes('T') === true;
}

/** The states (R, S, T, Z…) of the processes of group `group`, from /proc; undefined without /proc. */
function groupStates(group: number): string[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  return pids.flatMap((pid) => {
    try {
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, the last ) ends it.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === group ? [state] : [];
    } catch {
      return []; // it ended while this looked
    }
  });
}

/** What the conversion worker (convert-worker.ts) is asked: the log, and the trace it makes. */
export interface ConvertRequest {
  logPath: string;
  pid: number;
  maxOps?: number;
  /** The trace's file, named in the parser's errors. */
  file: string;
  /** Make the trace's text, and check it: it is to be written. */
  write: boolean;
}

/** What it found: the counts, and the trace's text when it was asked for one and there are operations. */
export interface Converted {
  ops: number;
  numIds: number;
  suggestedHeapSize: number;
  counts: ConversionCounts;
  logEmpty: boolean;
  /** The calls in the log, for a conversion that kept none. */
  loggedCalls?: number;
  text?: string;
}

export type ConvertMessage = { kind: 'progress'; lines: number } | { kind: 'done'; converted: Converted } | { kind: 'error'; message: string };

/** Logs shorter than this are converted in this thread, in well under the 60 ms after which tsx kills a busy process at Ctrl-C. */
const IN_THREAD_LOG_BYTES = 128 * 1024;

/** Reads the log and converts it; makes the trace's text and checks it with the driver's parser when it is to be written. */
export function convertFile(request: ConvertRequest, onProgress?: (lines: number) => void): Converted {
  const log = readFileSync(request.logPath, 'utf8');
  const conversion = convertLog(log, { pid: request.pid, maxOps: request.maxOps, onProgress });
  const ops = conversion.ops.length;
  const text = request.write && ops > 0 ? writeRep(conversion) : undefined;
  if (text !== undefined) parseRep(text, request.file); // the driver's own checks, before anything is written
  return {
    ops,
    numIds: conversion.numIds,
    suggestedHeapSize: conversion.suggestedHeapSize,
    counts: conversion.counts,
    logEmpty: log === '',
    loggedCalls: ops === 0 ? log.split('\n').filter((line) => line !== '' && !line.endsWith(' x')).length : undefined,
    text,
  };
}

/** Converts the log in a worker thread, so that Ctrl-C is answered while it works (convert-worker.ts says why). */
function convertInWorker(request: ConvertRequest, onProgress: (lines: number) => void): Promise<Converted> {
  return new Promise((resolvePromise, reject) => {
    const worker = startWorker(new URL('./convert-worker.ts', import.meta.url), { workerData: request });
    worker.on('message', (message: ConvertMessage) => {
      if (message.kind === 'progress') onProgress(message.lines);
      else if (message.kind === 'done') resolvePromise(message.converted);
      else reject(new Error(message.message));
    });
    worker.on('error', reject);
    // After an answer this changes nothing; without one, the worker died (out of memory, say).
    worker.on('exit', (code) => reject(new Error(`Converting the log stopped before it was done (the worker exited with ${code}). Nothing was written.`)));
  });
}

function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What Ctrl-C (or kill) during a recording did: nothing written, the log removed. */
export function interruptedMessage(command: readonly string[], signal: string, stage: 'running' | 'converting', seconds: number, logBytes: number): string {
  const what = signal === 'SIGINT' ? 'Ctrl-C' : signal;
  const program = basename(command[0]);
  const after = seconds < 1 ? 'under a second' : `${Math.round(seconds)} s`;
  if (stage === 'running') {
    return (
      `Stopped: nothing was written; ${what} came after ${after}, before ${program} ended, and its log (${formatBytes(logBytes)}) is removed. ` +
      'A trace is written once the program ends by itself: run it again and let it finish.'
    );
  }
  return (
    `Stopped: nothing was written; ${what} came after ${after}, while the log of ${program} (${formatBytes(logBytes)}) was being made into a trace, and the log is removed. ` +
    'A long log takes a while: run it again and let it finish, or keep a shorter trace, quicker to make, with --max-ops 100000.'
  );
}

/** What to say of a program ended because it stayed stopped. */
function stoppedMessage(command: readonly string[]): string {
  return (
    `${command.join(' ')} was stopped (by SIGSTOP or SIGTSTP, from itself or another process), and nothing here would let it go on: ` +
    'it was ended, and nothing was written. Run it again and let it run to its end.'
  );
}

/** How the recorded program ended. */
interface ProgramRun {
  pid: number;
  exitCode: number | null;
  signal: string | null;
  /** It stayed stopped (state T) and was ended: see groupStopped. */
  stoppedForGood: boolean;
}

/** After this many seconds with no new call logged, the progress line says what may be going on. */
const QUIET_SECONDS = 5;

/** How long the program may stay stopped before the recording ends it. */
const STOPPED_FOR_GOOD_MS = 1500;

/**
 * Runs the command (its output discarded, its errors shown) with the log on descriptor 3. A
 * program that stays stopped is ended (see groupStopped), and the run says so.
 */
function runWithLogger(command: readonly string[], library: string, fd: number, options: RecordOptions, onStart: (child: ChildProcess) => void): Promise<ProgramRun> {
  const preload = [library, process.env.LD_PRELOAD].filter((p) => p !== undefined && p !== '').join(':');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: options.cwd,
      // A group of its own is not the terminal's foreground group, and a read from the terminal
      // would stop it (SIGTTIN) for good: it reads an empty input instead of hanging.
      stdio: [process.stdin.isTTY === true ? 'ignore' : 'inherit', 'ignore', 'inherit', fd],
      env: { ...process.env, LD_PRELOAD: preload, MALLOC_WORKBOOK_FD: String(LOG_FD) },
      // A process group of its own, so that what it starts (a shell's commands) is stopped with it.
      detached: true,
    });
    onStart(child);
    const since = Date.now();
    let stoppedSince: number | undefined;
    let stoppedForGood = false;
    let [lastSize, lastGrew] = [0, since];
    const timer = setInterval(() => {
      const size = fstatSync(fd).size;
      if (size !== lastSize) [lastSize, lastGrew] = [size, Date.now()];
      const quiet = Math.round((Date.now() - lastGrew) / 1000);
      const name = basename(command[0]);
      // vim, or any program reading a terminal's input, waits for good: it is given none, and no terminal.
      if (quiet >= QUIET_SECONDS && process.stdin.isTTY === true) options.onProgress?.(`${name}: no call for ${quiet} s: waiting for input? It has none. Ctrl-C ends it.`);
      else options.onProgress?.(`running ${name}: ${formatBytes(size)} of log, ${Math.round((Date.now() - since) / 1000)} s`);
      if (stoppedForGood || child.pid === undefined) return;
      stoppedSince = groupStopped(child.pid) ? (stoppedSince ?? Date.now()) : undefined;
      if (stoppedSince !== undefined && Date.now() - stoppedSince >= STOPPED_FOR_GOOD_MS) {
        stoppedForGood = true;
        void stopProgram(child, 'SIGTERM');
      }
    }, 500);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearInterval(timer);
      const why = error.code === 'ENOENT' ? notFound(command[0], options.cwd) : error.code === 'EACCES' ? whyNotStartable(command[0], options.cwd) : undefined;
      reject(new Error(why ?? `Could not run ${command[0]}: ${error.message}`));
    });
    child.on('exit', (exitCode, signal) => {
      clearInterval(timer);
      resolvePromise({ pid: child.pid as number, exitCode, signal, stoppedForGood });
    });
  });
}

/**
 * Why `program`, a path, cannot be started though it is there: a folder, or a file without
 * permission to run; undefined when it can be (or is a name looked for on PATH).
 */
function whyNotStartable(program: string, cwd: string | undefined): string | undefined {
  if (!program.includes('/')) return undefined;
  const path = resolve(cwd ?? process.cwd(), program);
  if (!existsSync(path)) return undefined; // notFound says so when it is run
  if (statSync(path).isDirectory()) return `${program} is a folder, not a program. Name the program to record first, and its arguments after it: npm run record -- ls ${program}`;
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    const words = shebang(path);
    const interpreter = words === undefined ? undefined : interpreterName(words);
    const run = interpreter === undefined ? '' : `, or name its interpreter first: npm run record -- ${interpreter} ${program}`;
    return `${program} cannot be run: it is not executable (it lacks the permission to run). If it is a program or a script, chmod +x ${program} makes it so${run}.`;
  }
}

/** The words of the `#!` line of `path` (`/usr/bin/env`, `python3`), if it has one and can be read. */
function shebang(path: string): string[] | undefined {
  const head = Buffer.alloc(256); // the #! line, not the whole of a binary
  let read: number;
  try {
    const fd = openSync(path, 'r');
    read = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
  } catch {
    return undefined;
  }
  const first = head.subarray(0, read).toString('utf8').split('\n')[0];
  return first.startsWith('#!') ? first.slice(2).trim().split(/\s+/) : undefined;
}

/** The program a `#!` line runs, by name: `#!/usr/bin/env python3` runs python3. */
function interpreterName(words: readonly string[]): string | undefined {
  return basename(words[0]) === 'env' ? words.slice(1).find((word) => !word.startsWith('-') && !word.includes('=')) : basename(words[0]);
}

/**
 * Why `program` could not be started for want of a file: a bare name is looked for on PATH; a
 * path that exists was missing what it starts with (the interpreter its `#!` line names).
 */
function notFound(program: string, cwd: string | undefined): string {
  if (!program.includes('/')) return `There is no program ${program} (not found on PATH).`;
  const path = resolve(cwd ?? process.cwd(), program);
  if (!existsSync(path)) return `There is no program ${program} (no such file).`;
  const interpreter = shebang(path)?.[0];
  return `${program} exists but could not be started${interpreter === undefined ? '' : `: the interpreter its first line names, ${interpreter}, is not there`}.`;
}
