// Chapter 4's allocator over every shipped trace, with chapter 3's placement (low end, exact
// growth) and with placement by size: utilization as npm run trace reports it, and the loads
// and stores per call.
import { resolve } from 'node:path';
import { createAllocator, type Placement } from '../../solutions/04-realloc/realloc.ts';
import { readTraces, runTraces } from '../../workbook/trace/run.ts';

const root = resolve(import.meta.dirname, '../..');
const traces = readTraces([resolve(root, 'traces')], root);
const measure = (placement: Placement) => runTraces(traces, (proc) => createAllocator(proc, { placement }), { shrink: false, replay: { timing: false } }).map((run) => run.result);
const low = measure('low');
const bySize = measure('by-size');

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const perCall = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
const points = (from: number, to: number) => `${to >= from ? '+' : ''}${(100 * (to - from)).toFixed(1)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log('trace              util: low  by size  change   mem ops/call: low  by size');
traces.forEach((trace, t) => {
  const [a, b] = [low[t], bySize[t]];
  const name = trace.name.replace(/^traces\//, '').replace(/\.rep$/, '');
  console.log(`${name.padEnd(18)} ${percent(a.utilization).padStart(10)} ${percent(b.utilization).padStart(8)} ${points(a.utilization, b.utilization).padStart(7)} ${perCall(a.memoryOpsPerCall).padStart(20)} ${perCall(b.memoryOpsPerCall).padStart(8)}`);
});
const [a, b] = [mean(low.map((r) => r.utilization)), mean(bySize.map((r) => r.utilization))];
console.log(`${'average'.padEnd(18)} ${percent(a).padStart(10)} ${percent(b).padStart(8)} ${points(a, b).padStart(7)}`);
