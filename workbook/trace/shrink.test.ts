// Shrinking: a long failing trace becomes a handful of operations that fail the same way.

import { describe, expect, it } from 'vitest';
import type { Allocator, CreateAllocator, Process } from '../../machine/index.ts';
import { loadAllocator } from '../allocators.ts';
import { replayChecked } from './driver.ts';
import { generateTrace } from './generate.ts';
import { checkTrace, formatOp, parseRep, writeRep } from './rep.ts';
import { shrink } from './shrink.ts';
import { spread, threadOf, threadsOf } from './threads.ts';

const bump = (await loadAllocator('bump', 'solutions')).createAllocator;

/**
 * A bump allocator whose free scribbles on the 16 bytes after the freed block: harmless
 * unless the block after it is live, and found only when that block is checked.
 */
const scribblingFree: CreateAllocator = (proc: Process): Allocator => {
  const sizes = new Map<number, number>();
  const inner = bump(proc);
  return {
    ...inner,
    malloc(size) {
      const p = inner.malloc(size);
      sizes.set(p, Math.ceil(Math.max(size, 1) / 16) * 16);
      return p;
    },
    free(ptr) {
      const size = sizes.get(ptr);
      if (size !== undefined && ptr + size + 16 <= proc.currentBreak) proc.memset(ptr + size, 0, 16);
      inner.free(ptr);
    },
  };
};

describe('shrink', () => {
  const long = generateTrace('random', { seed: 7, ops: 600 });

  it('reduces a failing trace of hundreds of operations to a handful that fail the same way', () => {
    const failure = replayChecked(long, scribblingFree).failure;
    expect(failure?.check).toBe('payload');
    const shrunk = shrink(long, failure!, scribblingFree);
    // The essence: a block, the block after it, and the free of the first.
    expect(shrunk.trace.ops.length).toBeLessThanOrEqual(4);
    expect(shrunk.failure.check).toBe('payload');
    expect(shrunk.minimal).toBe(true);
    expect(shrunk.originalOps).toBe(long.ops.length);
    expect(shrunk.trace.ops.map((op) => op.kind).join(' ')).toBe('a a f');
  });

  it('keeps the trace well-formed, with ids renumbered from 0 and lines as its own .rep text', () => {
    const failure = replayChecked(long, scribblingFree).failure!;
    const { trace, failure: again } = shrink(long, failure, scribblingFree);
    expect(() => checkTrace(trace)).not.toThrow();
    const text = writeRep(trace);
    expect(parseRep(text, 'shrunk.rep').ops).toEqual(trace.ops);
    expect(trace.ops.filter((op) => op.kind === 'a').map((op) => op.id)).toEqual([...Array(trace.numIds).keys()]);
    // What the student is shown fails when replayed from the text, on the line it names.
    const replayed = replayChecked(parseRep(text, 'shrunk.rep'), scribblingFree).failure;
    expect(replayed?.message).toBe(again.message);
    expect(text.split('\n')[(again.line as number) - 1]).toBe(formatOp(again.op!));
  });

  it('on several logical threads, keeps each call on its thread: the shrunk trace fails the same way under --threads', () => {
    // A bug only a block freed by a thread other than its own shows: 48-byte blocks handed on.
    const handedOn: CreateAllocator = (proc) => {
      const inner = bump(proc);
      const owners = new Map<number, number>();
      return {
        ...inner,
        malloc(size) {
          const p = inner.malloc(size);
          if (size === 48) owners.set(p, proc.currentThread);
          return p;
        },
        free(ptr) {
          const owner = owners.get(ptr);
          if (owner !== undefined && owner !== proc.currentThread) throw new TypeError(`free(${ptr}) on thread ${proc.currentThread} of thread ${owner}'s block`);
          inner.free(ptr);
        },
      };
    };
    const threads = 4;
    const sizes = Array.from({ length: 40 }, (_, id) => (id === 30 ? 48 : 16 + (id % 3) * 16)); // id 30: thread 2's, freed by thread 3
    const t = parseRep(`0\n40\n80\n1\n${sizes.map((s, id) => `a ${id} ${s}`).join('\n')}\n${sizes.map((_, id) => `f ${id}`).join('\n')}\n`, 'handed-on.rep');
    const failure = replayChecked(t, spread(t, handedOn, threadsOf(threads))).failure!;
    expect(failure).toMatchObject({ check: 'exception', errorName: 'TypeError' });
    const shrunk = shrink(t, failure, handedOn, { threads });
    expect(shrunk.trace.ops.map(formatOp)).toEqual(['a 14 48', 'f 14']); // id 14: 14 mod 4 = 2, and round 3 is handed on, as id 30 is
    expect(shrunk.trace.ops.map((op) => threadOf(op, threads))).toEqual([2, 3]);
    expect(shrunk.trace.numIds).toBe(15);
    const replayed = parseRep(writeRep(shrunk.trace), 'failure.rep');
    expect(replayChecked(replayed, spread(replayed, handedOn, threadsOf(threads))).failure?.message, 'the printed trace, replayed with --threads 4').toBe(shrunk.failure.message);
  });

  it("shrinks a payload failure of an allocator with a heap check, its candidates checked as often as the trace", () => {
    // Its check complains from the 10th free on; the malloc after it damages the block freed next.
    const lateCheck: CreateAllocator = (proc) => {
      const inner = bump(proc);
      let frees = 0;
      let last = 0;
      return {
        ...inner,
        malloc(size) {
          const p = inner.malloc(size);
          if (frees === 10 && last !== 0) proc.store8(last, 0xee); // the block before it, still live
          last = p;
          return p;
        },
        free(ptr) {
          frees++;
          inner.free(ptr);
        },
        check: () => (frees >= 10 ? 'ten frees: broken' : ''),
      };
    };
    const ops = ['a 0 16', ...Array.from({ length: 1499 }, (_, i) => [`a ${i + 1} 16`, `f ${i}`]).flat()];
    const t = parseRep(`0\n1500\n${ops.length}\n1\n${ops.join('\n')}\n`, 'late-check.rep');
    const failure = replayChecked(t, lateCheck).failure!;
    expect(failure.check, 'on the long trace, checked every 6 operations, the damaged block is found first').toBe('payload');
    const shrunk = shrink(t, failure, lateCheck);
    expect(shrunk.failure.check).toBe('payload');
    expect(shrunk.trace.ops.length, 'a shorter trace, checked after every operation, would fail the heap check first and be thrown away').toBeLessThanOrEqual(30);
  });

  it('drops the later operations of an allocation it removes', () => {
    // free(id 1) scribbles on id 2 just after it; id 0 and its reallocs have nothing to do with it.
    const t = parseRep('0\n3\n8\n1\na 0 16\nr 0 32\na 1 5000\na 2 100\nr 0 48\nf 1\nf 2\nf 0\n', 'reallocs.rep');
    const failure = replayChecked(t, scribblingFree).failure!;
    expect(failure.opIndex).toBe(5);
    const { trace } = shrink(t, failure, scribblingFree);
    expect(writeRep(trace)).toBe('0\n2\n3\n1\na 0 5000\na 1 100\nf 0\n');
  });

  it('gives up within its budget and returns the smallest failing trace so far', () => {
    const failure = replayChecked(long, scribblingFree).failure!;
    const shrunk = shrink(long, failure, scribblingFree, { maxReplays: 3 });
    expect(shrunk.replays).toBe(3);
    expect(shrunk.minimal).toBe(false);
    expect(shrunk.trace.ops.length).toBeLessThanOrEqual(failure.opIndex + 1);
    expect(replayChecked(shrunk.trace, scribblingFree).failure?.check).toBe('payload');
  });

  it('does not wander off to a different failure', () => {
    // An allocator with two bugs: a misaligned pointer for 5000 bytes, and the scribbling free.
    const twoBugs: CreateAllocator = (proc) => {
      const a = scribblingFree(proc);
      return { ...a, malloc: (size) => a.malloc(size) + (size === 5000 ? 8 : 0) };
    };
    const t = parseRep('0\n3\n4\n1\na 0 16\na 1 16\nf 0\na 2 5000\n', 'two.rep');
    const failure = replayChecked(t, twoBugs).failure!;
    expect(failure.check).toBe('payload');
    const shrunk = shrink(t, failure, twoBugs);
    expect(shrunk.failure.check).toBe('payload');
    expect(shrunk.trace.ops.length).toBe(3);
  });
});
