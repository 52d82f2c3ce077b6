// Chapter 5's zone on two recorded programs with its thresholds moved: where small blocks end
// (smallLimit) and where tiny ones end (tinyLimit). Utilization and peak footprint as the
// trace driver measures them; macOS's thresholds are the first row.
import { resolve } from 'node:path';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import type { ZoneOptions } from '../../solutions/05-zones/zone.ts';
import { readTraces, runTraces } from '../../workbook/trace/run.ts';

const root = resolve(import.meta.dirname, '../..');
const traces = readTraces(['ls', 'git-log'].map((name) => resolve(root, 'traces/recorded', `${name}.rep`)), root);
const tunings: ZoneOptions[] = [{}, { smallLimit: 64 * 1024 }, { smallLimit: 1024 }, { smallLimit: 4096 }, { tinyLimit: 496 }, { preset: '32-bit' }];

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const bytes = (x: number) => x.toLocaleString('en-US');
const label = (t: ZoneOptions) => (Object.keys(t).length === 0 ? 'macOS (1008, 32 KiB)' : Object.entries(t).map(([k, v]) => `${k} ${v}`).join(', '));
const widths = [22, 7, 12, 7, 12];
const row = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));

console.log(row(['', 'ls', 'ls', 'git-log', 'git-log']));
console.log(row(['thresholds', 'util', 'peak bytes', 'util', 'peak bytes']));
console.log(rule);
for (const tuning of tunings) {
  const cells = traces.flatMap((trace) => {
    const { result } = runTraces([trace], zones, { shrink: false, replay: { timing: false, allocatorOptions: tuning } })[0];
    if (result.failure !== undefined) throw new Error(`${trace.name} with ${label(tuning)}: ${result.failure.message}`);
    return [percent(result.utilization), bytes(result.peakFootprint)];
  });
  console.log(row([label(tuning), ...cells]));
}
console.log(rule);
console.log(`peak payload: ls ${bytes(traces[0].suggestedHeapSize)} bytes, git-log ${bytes(traces[1].suggestedHeapSize)} bytes`);
