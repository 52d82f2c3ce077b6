// The measured runs the charts draw: the shipped traces replayed through the solutions with the
// trace driver, unshrunk and untimed (wall-clock time differs from run to run; a chart that
// changed on every build would drift from nothing). A run is made once per process.

import { join } from 'node:path';
import type { CreateAllocator } from '../../machine/index.ts';
import { createAllocator as freeList } from '../../solutions/02-free-list/free-list.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { readTraces, runTraces, type TraceRun } from '../../workbook/trace/run.ts';
import type { Trace } from '../../workbook/trace/rep.ts';

export const ALLOCATORS: Record<string, { label: string; create: CreateAllocator }> = {
  'free-list': { label: 'free list (ch. 2)', create: freeList },
  coalescing: { label: 'coalescing (ch. 3)', create: coalescing },
  realloc: { label: 'realloc in place (ch. 4)', create: realloc },
};

const traces = new Map<string, Trace[]>();
const runs = new Map<string, TraceRun[]>();

/** Every trace of `root`/traces, in name order. */
export function shippedTraces(root: string): Trace[] {
  if (!traces.has(root)) traces.set(root, readTraces([join(root, 'traces')], root));
  return traces.get(root)!;
}

/** The runs of `allocator` (a key of ALLOCATORS) with `options` over the shipped traces. */
export function runsOf(root: string, allocator: string, options: object = {}): TraceRun[] {
  const key = JSON.stringify([root, allocator, options]);
  if (!runs.has(key)) runs.set(key, runTraces(shippedTraces(root), ALLOCATORS[allocator].create, { shrink: false, replay: { timing: false, allocatorOptions: options } }));
  return runs.get(key)!;
}

/** `traces/random.rep` → `random`. */
export const traceLabel = (name: string) => name.replace(/^.*\//, '').replace(/\.rep$/, '');
