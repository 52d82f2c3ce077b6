// The trace generator: the same seed gives the same trace, every trace is well-formed,
// and the traces in traces/ are exactly what it writes.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { PATTERNS, SHIPPED_TRACES, generateTrace, type Pattern } from './generate.ts';
import { checkTrace, parseRep, writeRep, type Trace } from './rep.ts';
import { Random, mulberry32 } from './prng.ts';

const patterns = Object.keys(PATTERNS) as Pattern[];

function sizes(trace: Trace): number[] {
  return trace.ops.flatMap((op) => (op.kind === 'f' ? [] : [op.bytes]));
}

describe('mulberry32', () => {
  it('gives the same numbers for the same seed, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('draws integers within bounds, both ends included', () => {
    const random = new Random(1);
    const seen = new Set(Array.from({ length: 2000 }, () => random.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(Array.from({ length: 2000 }, () => random.logInt(1, 16384)).every((x) => x >= 1 && x <= 16384)).toBe(true);
  });
});

describe('generateTrace', () => {
  it.each(patterns)('%s: the same seed gives the same trace, another seed another', (pattern) => {
    const text = writeRep(generateTrace(pattern, { seed: 5, ops: 500 }));
    expect(writeRep(generateTrace(pattern, { seed: 5, ops: 500 }))).toBe(text);
    expect(writeRep(generateTrace(pattern, { seed: 6, ops: 500 }))).not.toBe(text);
  });

  it.each(patterns)('%s: well-formed, about the size asked for, and every block freed by the end', (pattern) => {
    const trace = generateTrace(pattern, { seed: 1, ops: 2000 });
    expect(() => checkTrace(trace)).not.toThrow();
    expect(parseRep(writeRep(trace), 'x.rep').ops).toEqual(trace.ops);
    expect(trace.ops.length).toBeGreaterThan(1800);
    expect(trace.ops.length).toBeLessThan(2200);
    const allocations = trace.ops.filter((op) => op.kind === 'a').length;
    expect(trace.ops.filter((op) => op.kind === 'f').length).toBe(allocations);
    expect(trace.numIds).toBe(allocations);
  });

  it('each pattern has its character', () => {
    const of = (pattern: Pattern) => generateTrace(pattern, { seed: 1, ops: 4000 });
    expect(of('realloc').ops.filter((op) => op.kind === 'r').length).toBeGreaterThan(1000);
    expect(Math.max(...sizes(of('tiny')))).toBeLessThanOrEqual(55);
    expect(Math.max(...sizes(of('mixed')))).toBeGreaterThan(128 * 1024);
    const binary = sizes(of('binary'));
    expect(new Set(binary).size).toBe(3); // small, large, and the larger ones that fit no hole
    expect(of('random').ops.some((op) => op.kind === 'r')).toBe(false);
    const churn = of('churn');
    const churnSizes = sizes(churn);
    expect(Math.min(...churnSizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...churnSizes)).toBeLessThanOrEqual(4096);
    expect(churnSizes.filter((s) => s <= 256).length / churnSizes.length).toBeGreaterThan(0.75); // mostly small
    const reallocs = churn.ops.filter((op) => op.kind === 'r').length;
    expect(reallocs).toBeGreaterThan(0);
    expect(reallocs / churn.ops.length).toBeLessThan(0.05); // mostly malloc and free
  });

  it('churn keeps a working set of an eighth of its operations live, freed and replaced at random', () => {
    const trace = generateTrace('churn', { seed: 1, ops: 24000 });
    const live = new Set<number>();
    const counts: number[] = [];
    for (const op of trace.ops) {
      if (op.kind === 'a') live.add(op.id);
      else if (op.kind === 'f') live.delete(op.id);
      counts.push(live.size);
    }
    const steady = counts.slice(8000, 20000);
    expect(Math.min(...steady)).toBeGreaterThan(2000);
    expect(Math.max(...steady)).toBeLessThan(4000);
    // Not freed in the order allocated: the blocks freed in the steady state are of every age.
    const freedIds = trace.ops.slice(8000, 20000).flatMap((op) => (op.kind === 'f' ? [op.id] : []));
    expect(Math.min(...freedIds)).toBeLessThan(1000);
  });

  it('refuses an unknown pattern', () => {
    expect(() => generateTrace('nope' as Pattern, { seed: 1, ops: 10 })).toThrow("There is no trace pattern 'nope'");
  });
});

describe('traces/', () => {
  it.each(SHIPPED_TRACES.map((s) => [s.file, s] as const))('%s is what the generator writes (npm run trace -- --generate)', (file, shipped) => {
    const onDisk = readFileSync(resolve(ROOT, 'traces', file), 'utf8');
    expect(onDisk).toBe(writeRep(generateTrace(shipped.pattern, shipped)));
  });
});
