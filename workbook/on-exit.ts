// What must not outlive this process: folders it made (a staged target, a grader's sandbox,
// a recording's log) and process groups it started (a test runner, a recorded program). They
// go when the process exits, even by Ctrl-C or kill; a small janitor process removes them if
// this one is killed outright.

import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Writable } from 'node:stream';

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
