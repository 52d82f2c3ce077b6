// `npm run bench -- threads`: the stress workload on real worker threads, once with one
// magazine (every thread behind the same lock) and once with a magazine per thread, side by
// side: how often a lock had to be waited for, and how long the workload took.

import pc from 'picocolors';
import { renderTable } from '../trace/report.ts';
import { runStress, type StressResult } from './stress.ts';

export interface ThreadsBenchOptions {
  workers: number;
  /** Runs of each configuration; the median time is reported, and every run must be sound. */
  repeat: number;
  ops: number;
  target: string;
  /** Whose magazines, for the heading: `the book's reference magazines, solutions/06-magazines …`. */
  whose: string;
  json: boolean;
}

interface Configuration {
  name: string;
  magazines: number;
  runs: StressResult[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchThreads(options: ThreadsBenchOptions): Promise<number> {
  const configurations: Configuration[] = [
    { name: 'one lock (1 magazine)', magazines: 1, runs: [] },
    { name: `magazines (${options.workers})`, magazines: options.workers, runs: [] },
  ];
  const total = configurations.length * options.repeat;
  let done = 0;
  let failures = 0;
  for (let round = 0; round < options.repeat; round++) {
    for (const configuration of configurations) {
      process.stderr.write(`\r${pc.dim(`run ${++done}/${total}: ${configuration.name}, ${options.workers} workers × ${options.ops} steps`)}   `);
      const result = await runStress({ workers: options.workers, allocatorOptions: { magazines: configuration.magazines }, ops: options.ops, seed: round + 1, target: options.target });
      const sound = result.problems.length === 0 && result.check === '' && result.blocksLeft === 0;
      if (!sound) {
        failures++;
        process.stderr.write(`\n${pc.red(`${configuration.name}, run ${round + 1}: ${[...result.problems, result.check, result.blocksLeft > 0 ? `${result.blocksLeft} blocks lost` : ''].filter(Boolean).join('\n')}`)}\n`);
      }
      configuration.runs.push(result);
    }
  }
  process.stderr.write('\n');
  const summary = configurations.map((c) => ({
    name: c.name,
    magazines: c.magazines,
    seconds: median(c.runs.map((r) => r.seconds)),
    waits: median(c.runs.map((r) => r.waits)),
    acquisitions: median(c.runs.map((r) => r.acquisitions)),
    inboxed: median(c.runs.map((r) => r.inboxed)),
  }));
  const [global, magazines] = summary;
  const fewerWaits = magazines.waits === 0 ? Infinity : global.waits / magazines.waits;
  const faster = global.seconds / magazines.seconds;
  const targets = [
    { target: 'magazines wait on a lock at least 10× less often than one lock', value: fewerWaits, pass: fewerWaits >= 10 },
    { target: 'magazines finish the workload faster than one lock', value: faster, pass: faster > 1 },
    { target: `every run sound (no block lost or damaged) in ${total} runs`, value: total - failures, pass: failures === 0 },
  ];
  if (options.json) {
    console.log(JSON.stringify({ workers: options.workers, ops: options.ops, repeat: options.repeat, summary, targets }, null, 2));
    return failures === 0 ? 0 : 1;
  }
  console.log(`\nThe stress workload on ${options.workers} worker threads, ${options.ops} steps each, median of ${options.repeat} run${options.repeat === 1 ? '' : 's'}, with ${options.whose}:\n`);
  const rows = summary.map((s) => [s.name, `${s.seconds.toFixed(3)} s`, String(s.acquisitions), String(s.waits), `${((1000 * s.waits) / Math.max(1, s.acquisitions)).toFixed(1)}`, String(s.inboxed)]);
  console.log(renderTable(['allocator', 'time', 'lock acquisitions', 'waits', 'waits per 1,000', 'frees via inbox'], rows));
  console.log(pc.dim('frees via inbox: frees that found the owner magazine busy and left the block in its inbox instead of waiting.'));
  console.log('');
  // Waits depend on how the system schedules the workers: a median of three swings around the 10× line.
  console.log(pc.dim(`The book's targets for its magazines ("short": not reached in this run${options.repeat < 10 ? '; --repeat 10 steadies the medians' : ''}):`));
  const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)}×` : 'no waits at all');
  const verdict = (pass: boolean, miss = pc.yellow('short')) => (pass ? pc.green('pass ') : miss);
  console.log(`  ${verdict(targets[0].pass)}  ${targets[0].target}: ${ratio(fewerWaits)} fewer`);
  console.log(`  ${verdict(targets[1].pass)}  ${targets[1].target}: ${ratio(faster)} the speed`);
  console.log(`  ${verdict(targets[2].pass, pc.red('FAIL '))}  ${targets[2].target}: ${total - failures} sound`);
  return failures === 0 ? 0 : 1;
}
