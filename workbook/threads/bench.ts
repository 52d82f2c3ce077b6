// `npm run bench -- threads`: the stress workload on real worker threads, once with one
// magazine (every thread behind the same lock) and once with a magazine per thread, side by
// side: how often a lock had to be waited for, and how long the workload took.

import pc from 'picocolors';
import { renderTable } from '../trace/report.ts';
import { runStress, unsoundness, type StressResult } from './stress.ts';

export interface ThreadsBenchOptions {
  workers: number;
  /** Runs of each configuration; the median time is reported, and every run must be sound. */
  repeat: number;
  ops: number;
  target: string;
  /** Whose magazines, for the heading: `the book's reference magazines, solutions/06-magazines …`. */
  whose: string;
  json: boolean;
  /** Seconds before a run that has not finished is stopped (default 60). */
  timeoutSeconds?: number;
}

interface Configuration {
  name: string;
  magazines: number;
  /** Its sound runs, whose medians the table shows. */
  runs: StressResult[];
}

interface Run {
  configuration: Configuration;
  round: number;
  result: StressResult;
  /** What made the run unsound; empty when it was sound. */
  unsound: string[];
}

/** The first reason a finished run was unsound, in a few words for its row. */
function why(result: StressResult): string {
  const threw = result.workers.filter((w) => !w.completed);
  if (threw.length > 0) return `thread ${threw[0].thread} threw`;
  if (result.problems.length > 0) return 'a block damaged';
  if (result.check !== '') return 'check() failed';
  return `${result.blocksLeft} blocks lost`;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchThreads(options: ThreadsBenchOptions): Promise<number> {
  const configurations: Configuration[] = [
    { name: 'one lock (1 magazine)', magazines: 1, runs: [] },
    { name: `magazines (${options.workers})`, magazines: options.workers, runs: [] },
  ];
  const total = configurations.length * options.repeat;
  const runs: Run[] = [];
  let hung = false;
  for (let round = 0; round < options.repeat && !hung; round++) {
    for (const configuration of configurations) {
      // On a terminal one line that updates; in a pipe or a log, a line per run.
      const progress = pc.dim(`run ${runs.length + 1}/${total}: ${configuration.name}, ${options.workers} workers × ${options.ops} steps`);
      process.stderr.write(process.stderr.isTTY ? `\r${progress}   ` : `${progress}\n`);
      const result = await runStress({ workers: options.workers, allocatorOptions: { magazines: configuration.magazines }, ops: options.ops, seed: round + 1, target: options.target, timeoutSeconds: options.timeoutSeconds });
      const run = { configuration, round, result, unsound: unsoundness(result) };
      runs.push(run);
      if (run.unsound.length > 0) process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${pc.red(`${configuration.name}, run ${round + 1}: ${run.unsound.join('\n')}`)}\n`);
      if (!result.finished) {
        // The next run would most likely hang as well, and cost another timeout.
        hung = true;
        if (runs.length < total) process.stderr.write(`${pc.red(`Stopped after run ${runs.length}/${total}: it did not finish, and the others would most likely hang too.`)}\n`);
        break;
      }
      if (run.unsound.length === 0) configuration.runs.push(result); // the medians are of sound runs only
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const failures = runs.filter((r) => r.unsound.length > 0).length;
  const sound = runs.length - failures;
  const notRun = total - runs.length;
  const summary = configurations.map((c) => ({
    name: c.name,
    magazines: c.magazines,
    seconds: median(c.runs.map((r) => r.seconds)),
    waits: median(c.runs.map((r) => r.waits)),
    acquisitions: median(c.runs.map((r) => r.acquisitions)),
    inboxed: median(c.runs.map((r) => r.inboxed)),
  }));
  const [global, magazines] = summary;
  const fewerWaits = fewerWaitsOf(global.waits, magazines.waits);
  const faster = global.seconds / magazines.seconds;
  // Figures from an unsound run measure a broken allocator: no target is met on them.
  const measured = failures === 0 && notRun === 0;
  const soundRuns = `every run sound (no block lost or damaged) in ${total} runs`;
  const targets = [
    { target: 'magazines wait on a lock at least 10× less often than one lock', value: measured && Number.isFinite(fewerWaits) ? fewerWaits : null, pass: measured && fewerWaits >= 10, measured },
    { target: 'magazines finish the workload faster than one lock', value: measured ? faster : null, pass: measured && faster > 1, measured },
    { target: soundRuns, value: sound, pass: measured, measured: true },
  ];
  if (options.json) {
    const perRun = runs.map((r) => ({
      configuration: r.configuration.name,
      run: r.round + 1,
      finished: r.result.finished,
      sound: r.unsound.length === 0,
      seconds: r.result.finished ? r.result.seconds : null,
      acquisitions: r.result.acquisitions,
      waits: r.result.waits,
      inboxed: r.result.inboxed,
      blocksLost: r.result.blocksLeft,
      problems: r.unsound,
    }));
    console.log(JSON.stringify({ workers: options.workers, ops: options.ops, repeat: options.repeat, summary, runs: perRun, targets }, null, 2));
    return measured ? 0 : 1;
  }
  const perThousand = (waits: number, acquisitions: number) => `${((1000 * waits) / Math.max(1, acquisitions)).toFixed(1)}`;
  if (measured) {
    console.log(`\nThe stress workload on ${options.workers} worker threads, ${options.ops} steps each, median of ${options.repeat} run${options.repeat === 1 ? '' : 's'}, with ${options.whose}:\n`);
    const rows = summary.map((s) => [s.name, `${s.seconds.toFixed(3)} s`, String(s.acquisitions), String(s.waits), perThousand(s.waits, s.acquisitions), String(s.inboxed)]);
    console.log(renderTable(['allocator', 'time', 'lock acquisitions', 'waits', 'waits per 1,000', 'frees via inbox'], rows));
  } else {
    // No median: each run as it went, the unsound ones marked.
    console.log(`\nThe stress workload on ${options.workers} worker threads, ${options.ops} steps each, with ${options.whose}; each run, since not every run was sound:\n`);
    const rows = runs.map(({ configuration, round, result, unsound }) => {
      const outcome = !result.finished ? pc.red(`did not finish in ${result.seconds} s`) : unsound.length > 0 ? pc.red(`unsound: ${why(result)}`) : 'sound';
      if (!result.finished) return [configuration.name, String(round + 1), '-', '-', '-', '-', '-', outcome];
      return [configuration.name, String(round + 1), `${result.seconds.toFixed(3)} s`, String(result.acquisitions), String(result.waits), perThousand(result.waits, result.acquisitions), String(result.inboxed), outcome];
    });
    console.log(renderTable(['allocator', 'run', 'time', 'lock acquisitions', 'waits', 'waits per 1,000', 'frees via inbox', 'outcome'], rows, undefined, 2));
    if (notRun > 0) console.log(pc.dim(`${notRun} run${notRun === 1 ? '' : 's'} not started after the run that did not finish.`));
  }
  console.log(pc.dim('frees via inbox: frees that found the owner magazine busy and left the block in its inbox instead of waiting.'));
  console.log('');
  // Waits depend on how the system schedules the workers: a median of three swings around the 10× line.
  console.log(pc.dim(`The book's targets for its magazines ("short": not reached in this run${options.repeat < 10 ? '; --repeat 10 steadies the medians' : ''}):`));
  const ratio = (x: number) => `${x.toFixed(1)}×`;
  const verdict = (pass: boolean, miss = pc.yellow('short')) => (pass ? pc.green('pass ') : miss);
  const unmeasured = `not measured, since ${failures} run${failures === 1 ? ' was' : 's were'} unsound${notRun > 0 ? ` (and ${notRun} not run)` : ''}`;
  if (measured) {
    console.log(`  ${verdict(targets[0].pass)}  ${targets[0].target}: ${describeFewerWaits(global.waits, magazines.waits)}`);
    console.log(`  ${verdict(targets[1].pass)}  ${targets[1].target}: ${ratio(faster)} the speed`);
  } else {
    console.log(`  ${pc.dim('-    ')}  ${targets[0].target}: ${unmeasured}`);
    console.log(`  ${pc.dim('-    ')}  ${targets[1].target}: ${unmeasured}`);
  }
  const unfinished = runs.length - runs.filter((r) => r.result.finished).length;
  console.log(`  ${verdict(targets[2].pass, pc.red('FAIL '))}  ${soundRuns}: ${sound} sound${unfinished > 0 ? `, ${unfinished} did not finish` : ''}${notRun > 0 ? `, ${notRun} not run` : ''}`);
  return measured ? 0 : 1;
}

/**
 * How many times fewer waits the magazines made than one lock: Infinity when they made none,
 * NaN when one lock made none either (nothing to compare, and no target met on it).
 */
export function fewerWaitsOf(globalWaits: number, magazineWaits: number): number {
  return globalWaits === 0 ? Number.NaN : magazineWaits === 0 ? Infinity : globalWaits / magazineWaits;
}

/** fewerWaitsOf's figure in words, for the target's line. */
export function describeFewerWaits(globalWaits: number, magazineWaits: number): string {
  const fewer = fewerWaitsOf(globalWaits, magazineWaits);
  if (Number.isNaN(fewer)) {
    return magazineWaits === 0
      ? 'not compared: neither one lock nor the magazines made a thread wait (more --workers or --ops make them meet)'
      : `the magazines made threads wait ${magazineWaits} times, one lock never`;
  }
  if (!Number.isFinite(fewer)) return `no waits at all, against ${globalWaits} with one lock`;
  return `${fewer.toFixed(1)}× fewer`;
}
