// Every allocator of the book on the four recorded programs of traces/recorded/, replayed and
// checked by the trace driver: utilization, and loads and stores per call. The free list of
// chapter 2 walks every block on each malloc, so it is left out of python3.rep (50,000 live
// blocks: minutes); the other runs take seconds.
import { resolve } from 'node:path';
import type { CreateAllocator } from '../../machine/index.ts';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { createAllocator as batched } from '../../solutions/01-bump/batched.ts';
import { createAllocator as freeList } from '../../solutions/02-free-list/free-list.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import { shippedRecordings } from '../../workbook/record/shipped.ts';
import { readTraces, runTraces } from '../../workbook/trace/run.ts';

const root = resolve(import.meta.dirname, '../..');
const traces = readTraces(shippedRecordings(root), root);
const allocators: [string, CreateAllocator, string[]][] = [
  ['bump', bump, []],
  ['bump-batched', batched, []],
  ['free-list', freeList, ['python3']],
  ['coalescing', coalescing, []],
  ['realloc', realloc, []],
  ['zones', zones, []],
  ['magazines', magazines, []],
];
const name = (file: string) => file.replace(/^.*\//, '').replace(/\.rep$/, '');
const options = { shrink: false as const, replay: { timing: false as const } };

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const fixed = (x: number) => (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const widths = [13, 9, 9, 9, 9, 9, 9, 9, 9];
const row = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));

const cells = allocators.map(([id, create, skip]) =>
  traces.map((trace) => {
    if (skip.includes(name(trace.name))) return { util: '-', ops: '-' };
    const { result } = runTraces([trace], create, options)[0];
    if (result.failure !== undefined) throw new Error(`${id} failed ${trace.name}: ${result.failure.message}`);
    return { util: percent(result.utilization), ops: fixed(result.memoryOpsPerCall ?? 0) };
  }),
);

console.log(row(['', ...traces.map((t) => name(t.name)), ...traces.map((t) => name(t.name))]));
console.log(row(['allocator', 'util', 'util', 'util', 'util', 'ops/call', 'ops/call', 'ops/call', 'ops/call']));
console.log(rule);
allocators.forEach(([id], a) => console.log(row([id, ...cells[a].map((c) => c.util), ...cells[a].map((c) => c.ops)])));
