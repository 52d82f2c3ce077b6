// Every shipped trace through chapter 5's zone and through the magazines, replayed and checked
// by the trace driver with its operations spread over 4 logical threads (06-spread.ts), and the
// magazines once more on one thread: utilization and loads and stores per call.
import { resolve } from 'node:path';
import { averageOf, readTraces } from '../../workbook/trace/run.ts';
import { THREADS, THREAD_RUNS, runOnThreads } from './06-spread.ts';

const root = resolve(import.meta.dirname, '../..');
const traces = readTraces([resolve(root, 'traces')], root);
const [zones, one, four] = THREAD_RUNS.map((how) => traces.map((trace) => runOnThreads(trace, how)));
const runs = { zones, one, four };

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
const widths = [16, 7, 9, 9, 12, 12];
const row = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));

console.log(row(['trace', 'util', 'util', 'util', 'mem ops/call', 'mem ops/call']));
console.log(row(['', 'zones', 'magazines', 'magazines', 'zones', 'magazines']));
console.log(row(['threads', String(THREADS), '1', String(THREADS), String(THREADS), String(THREADS)]));
console.log(rule);
traces.forEach((trace, i) => {
  const [z, one, four] = [runs.zones[i].result, runs.one[i].result, runs.four[i].result];
  const failure = z.failure ?? one.failure ?? four.failure;
  if (failure !== undefined) throw new Error(`${trace.name} failed: ${failure.message}`);
  const name = trace.name.replace(/^traces\//, '').replace(/\.rep$/, '');
  console.log(row([name, percent(z.utilization), percent(one.utilization), percent(four.utilization), fixed(z.memoryOpsPerCall), fixed(four.memoryOpsPerCall)]));
});
console.log(rule);
const [az, a1, a4] = [averageOf(runs.zones), averageOf(runs.one), averageOf(runs.four)];
console.log(row(['average', percent(az.utilization), percent(a1.utilization), percent(a4.utilization), fixed(az.memoryOpsPerCall), fixed(a4.memoryOpsPerCall)]));
