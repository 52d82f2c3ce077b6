// Shrinking a failing trace: delta debugging (Zeller's ddmin) over its operations, so
// that the student debugs five operations instead of five thousand.
//
// Every candidate stays a well-formed trace. Each `a` starts a lifetime (the `a`, the
// `r`s of that id after it, and its `f`); dropping an `a` drops the rest of its lifetime,
// while an `r` or an `f` can go on its own (a block never freed is fine). Lifetimes are
// renumbered 0, 1, 2… in the trace each candidate becomes, so ids never clash (on several
// logical threads, numbered so that each call stays on its thread).
//
// A candidate "still fails" when the same check fails (and, for an exception, the same
// class of error): shrinking must not wander off to a different bug.

import type { CreateAllocator } from '../../machine/index.ts';
import { heapCheckInterval, replayChecked, type ReplayOptions, type TraceFailure } from './driver.ts';
import type { Trace, TraceOp } from './rep.ts';
import { spread, threadsOf } from './threads.ts';

export interface ShrinkOptions {
  /** Give up after this many replays, keeping the smallest failing trace so far. Default 2000. */
  maxReplays?: number;
  /** Give up after this long. Default 20 s. */
  maxMilliseconds?: number;
  /** The process and allocator options of the replays. */
  replay?: Pick<ReplayOptions, 'process' | 'allocatorOptions'>;
  /**
   * The logical threads the calls are spread over (threads.ts), 1 by default. On several, each
   * candidate is replayed spread as the trace was, and its ids are numbered so that every call
   * stays on the thread it had: the trace printed fails the same way under --threads.
   */
  threads?: number;
  /** Called after each replay that made the trace smaller. */
  onProgress?: (progress: { ops: number; replays: number }) => void;
}

export interface ShrinkResult {
  /** The smallest failing trace found: ids renumbered, lines as in its own .rep text. */
  trace: Trace;
  /** How that trace fails. */
  failure: TraceFailure;
  originalOps: number;
  replays: number;
  milliseconds: number;
  /** True when no single operation can be removed any more; false when the budget ran out first. */
  minimal: boolean;
}

/** Shrinks `trace`, which fails with `failure` in `create`'s allocator, to a short trace that fails the same way. */
export function shrink(trace: Trace, failure: TraceFailure, create: CreateAllocator, options: ShrinkOptions = {}): ShrinkResult {
  const maxReplays = options.maxReplays ?? 2000;
  const maxMilliseconds = options.maxMilliseconds ?? 20_000;
  const started = performance.now();
  const lifetime = lifetimesOf(trace.ops);
  const threads = options.threads ?? 1;
  const build = (kept: readonly number[]) => buildTrace(trace, lifetime, kept, threads);
  const allocatorFor = (candidate: Trace) => (threads === 1 ? create : spread(candidate, create, threadsOf(threads)));
  // As often as along the trace itself: checked after every operation, a shorter trace would fail a heap check first.
  const heapCheckEvery = heapCheckInterval(trace.ops.length);
  let replays = 0;
  let best: { indices: number[]; trace: Trace; failure: TraceFailure } | undefined;

  const outOfBudget = () => replays >= maxReplays || performance.now() - started >= maxMilliseconds;

  /** Replays the candidate made of `indices` (after closing it); returns its kept indices if it fails the same way. */
  const failsWith = (indices: readonly number[]): number[] | undefined => {
    const kept = close(trace.ops, lifetime, indices);
    if (best !== undefined && kept.length >= best.indices.length) return undefined;
    const candidate = build(kept);
    replays++;
    const result = replayChecked(candidate, allocatorFor(candidate), { ...options.replay, timing: false, heapCheckEvery });
    if (result.failure === undefined || !sameFailure(result.failure, failure)) return undefined;
    best = { indices: kept, trace: candidate, failure: result.failure };
    options.onProgress?.({ ops: kept.length, replays });
    return kept;
  };

  // Operations after the failing one cannot matter, unless the failure came after the last one.
  const all = trace.ops.map((_, i) => i);
  const prefix = failure.opIndex < trace.ops.length ? all.slice(0, failure.opIndex + 1) : all;
  let current = failsWith(prefix) ?? failsWith(all);
  if (current === undefined || best === undefined) {
    // The failure did not come back (an allocator that is not deterministic): nothing to shrink.
    const whole = build(all);
    return { trace: whole, failure, originalOps: trace.ops.length, replays, milliseconds: performance.now() - started, minimal: false };
  }

  let granularity = 2;
  let minimal = false;
  while (!outOfBudget()) {
    if (current.length < 2) {
      minimal = true;
      break;
    }
    const chunks = split(current, Math.min(granularity, current.length));
    let reduced: number[] | undefined;
    // A chunk alone, then everything but a chunk: ddmin's two ways to get smaller.
    for (const chunk of chunks) {
      if (outOfBudget() || (reduced = failsWith(chunk)) !== undefined) break;
    }
    if (reduced !== undefined) {
      current = reduced;
      granularity = 2;
      continue;
    }
    for (let c = 0; c < chunks.length && reduced === undefined && !outOfBudget(); c++) {
      const skip = new Set(chunks[c]);
      reduced = failsWith(current.filter((i) => !skip.has(i)));
    }
    if (reduced !== undefined) {
      current = reduced;
      granularity = Math.max(granularity - 1, 2);
      continue;
    }
    if (outOfBudget()) break;
    if (granularity >= current.length) {
      minimal = true; // no single operation can go
      break;
    }
    granularity = Math.min(granularity * 2, current.length);
  }
  const found = best as { trace: Trace; failure: TraceFailure };
  return { trace: found.trace, failure: found.failure, originalOps: trace.ops.length, replays, milliseconds: performance.now() - started, minimal };
}

/** Whether two failures are the same bug for shrinking: the same check, the same class of exception. */
export function sameFailure(a: TraceFailure, b: TraceFailure): boolean {
  return a.check === b.check && a.errorName === b.errorName;
}

/** For each operation, the index of the `a` that began its lifetime. */
function lifetimesOf(ops: readonly TraceOp[]): number[] {
  const begun = new Map<number, number>();
  return ops.map((op, i) => {
    if (op.kind === 'a') begun.set(op.id, i);
    const start = begun.get(op.id);
    if (start === undefined) throw new TypeError(`operation ${i} (${op.kind} ${op.id}) uses an id that was never allocated: check the trace with checkTrace first`);
    return start;
  });
}

/** The indices, in order, that remain once every operation whose `a` is missing is dropped. */
function close(ops: readonly TraceOp[], lifetime: readonly number[], indices: readonly number[]): number[] {
  const kept = new Set<number>();
  for (const i of [...indices].sort((x, y) => x - y)) {
    if (ops[i].kind === 'a' || kept.has(lifetime[i])) kept.add(i);
  }
  return [...kept];
}

/**
 * The trace made of the operations at `indices`, one id per lifetime: 0, 1, 2… on one thread.
 * On several, each lifetime takes the smallest id free of its class (threads.ts: the thread that
 * owns it, and whether another frees it), so that threadOf puts every call where it was.
 */
function buildTrace(trace: Trace, lifetime: readonly number[], indices: readonly number[], threads: number): Trace {
  const ids = new Map<number, number>();
  const taken = new Map<string, number>(); // per class, how many of its ids are in use
  const newId = (old: number): number => {
    if (threads === 1) return ids.size;
    const owner = old % threads;
    const handedOn = Math.floor(old / threads) % 4 === 3;
    const key = `${owner} ${handedOn}`;
    const k = taken.get(key) ?? 0;
    taken.set(key, k + 1);
    // The k-th round of this owner with the class's hand-on: rounds 3, 7, 11… hand on, the others not.
    const round = handedOn ? 4 * k + 3 : k + Math.floor(k / 3);
    return round * threads + owner;
  };
  const ops = indices.map((i): TraceOp => {
    const op = trace.ops[i];
    let id = ids.get(lifetime[i]);
    if (id === undefined) ids.set(lifetime[i], (id = newId(op.id)));
    return { ...op, id };
  });
  return {
    name: `${trace.name} (shrunk)`,
    suggestedHeapSize: trace.suggestedHeapSize,
    numIds: ids.size === 0 ? 0 : Math.max(...ids.values()) + 1,
    weight: trace.weight,
    ops,
    lines: ops.map((_, i) => i + 5), // as written by writeRep: four header lines, then the operations
  };
}

/** `items` in `n` nearly equal, contiguous chunks. */
function split<T>(items: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  for (let c = 0; c < n; c++) {
    const from = Math.floor((c * items.length) / n);
    const to = Math.floor(((c + 1) * items.length) / n);
    if (to > from) chunks.push(items.slice(from, to));
  }
  return chunks;
}
