import { describe, expect, it } from 'vitest';
import type { Allocator, Process } from '../../machine/index.ts';
import { parseRep } from '../trace/rep.ts';
import { benchBook } from './book.ts';
import { BENCH_TIMING } from './timing.ts';

const trace = parseRep('0\n3\n4\n1\na 0 24\na 1 100\nf 0\na 2 7\n', 'four.rep');

/** A bump allocator that counts the processes it is created in. */
function counted() {
  let processes = 0;
  const create = (proc: Process): Allocator => {
    processes++;
    return {
      malloc: (size) => (size === 0 ? 0 : proc.sbrk((size + 15) & ~15)),
      free: () => {},
      realloc: () => 0,
      calloc: () => 0,
    };
  };
  return { create, processes: () => processes };
}

describe('a book allocator in npm run bench', () => {
  it('is checked once, counted once, then timed as bench times, not as npm run trace does', () => {
    const bump = counted();
    const row = benchBook('bump', trace, bump.create, { warmups: 0, warmupMilliseconds: 0 });
    // A four-operation trace never fills bench's budget: maxRuns timed runs, bench's, not the trace command's.
    expect(bump.processes()).toBe(1 + 1 + BENCH_TIMING.maxRuns);
    expect(row.opsPerSecond).toBeGreaterThan(0);
    expect(row.utilization).toBeGreaterThan(0);
    expect(row.memoryOpsPerCall).toBe(0);
  });

  it('is not timed when timing is false', () => {
    const bump = counted();
    expect(benchBook('bump', trace, bump.create, false).opsPerSecond).toBeUndefined();
    expect(bump.processes()).toBe(1 + 1);
  });
});
