// Chapter 5's zones beside chapter 4's heap on every shipped trace, replayed and checked by
// the trace driver: utilization (peak payload over peak footprint) and loads and stores per call.
import { resolve } from 'node:path';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { averageOf, readTraces, runTraces } from '../../workbook/trace/run.ts';

const root = resolve(import.meta.dirname, '../..');
const traces = readTraces([resolve(root, 'traces')], root);
const options = { shrink: false as const, replay: { timing: false as const } };
const runs = { zones: runTraces(traces, zones, options), realloc: runTraces(traces, realloc, options) };

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const widths = [16, 12, 14, 7, 9, 12, 12];
const row = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));

console.log(row(['trace', 'peak payload', 'peak footprint', 'util', 'util', 'mem ops/call', 'mem ops/call']));
console.log(row(['', '', 'zones', 'zones', 'chapter 4', 'zones', 'chapter 4']));
console.log(rule);
traces.forEach((trace, i) => {
  const [z, r] = [runs.zones[i].result, runs.realloc[i].result];
  if (z.failure !== undefined || r.failure !== undefined) throw new Error(`${trace.name} failed: ${(z.failure ?? r.failure)!.message}`);
  console.log(row([trace.name.replace(/^traces\//, '').replace(/\.rep$/, ''), kib(z.peakPayload), kib(z.peakFootprint), percent(z.utilization), percent(r.utilization), fixed(z.memoryOpsPerCall), fixed(r.memoryOpsPerCall)]));
});
console.log(rule);
const [az, ar] = [averageOf(runs.zones), averageOf(runs.realloc)];
console.log(row(['average', '', '', percent(az.utilization), percent(ar.utilization), fixed(az.memoryOpsPerCall), fixed(ar.memoryOpsPerCall)]));
