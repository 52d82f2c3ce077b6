import { describe, expect, it } from 'vitest';
import { Process, type Allocator } from '../../machine/index.ts';
import { parseRep, type TraceOp } from './rep.ts';
import { spread, threadOf, threadsOf } from './threads.ts';

const alloc = (id: number): TraceOp => ({ kind: 'a', id, bytes: 16 });
const free = (id: number): TraceOp => ({ kind: 'f', id });

describe('threadOf', () => {
  it('on 4 threads: id n on thread n mod 4, but ids 12 to 15 of each 16 are freed by the next thread', () => {
    const ids = Array.from({ length: 32 }, (_, n) => n);
    expect(ids.map((n) => threadOf(alloc(n), 4))).toEqual(ids.map((n) => n % 4));
    expect(ids.map((n) => threadOf({ kind: 'r', id: n, bytes: 32 }, 4))).toEqual(ids.map((n) => n % 4));
    // prettier-ignore
    expect(ids.map((n) => threadOf(free(n), 4))).toEqual([
      0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 0,
      0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 0,
    ]);
  });

  it('on n threads: id k owned by k mod n; one id in four (k / n rounded down, mod 4, is 3) freed by the next, the last thread handing to thread 0', () => {
    expect([0, 1, 2, 3, 9, 10, 11, 12].map((k) => threadOf(free(k), 3))).toEqual([0, 1, 2, 0, 1, 2, 0, 0]);
    expect([6, 7, 8].map((k) => threadOf(free(k), 2))).toEqual([1, 0, 0]);
    expect([63, 64 * 3, 64 * 3 + 63, 64 * 4].map((k) => threadOf(free(k), 64))).toEqual([63, 1, 0, 0]);
  });

  it('on one thread, every call on thread 0', () => {
    expect([0, 3, 7, 12, 13].flatMap((k) => [threadOf(alloc(k), 1), threadOf(free(k), 1)])).toEqual(Array(10).fill(0));
  });
});

describe('spread', () => {
  it("makes each call of the trace on its operation's thread, and a fresh allocator starts again at operation 0", () => {
    const trace = parseRep('1000\n4\n8\n1\na 0 16\na 1 16\na 2 16\na 3 16\nr 1 32\nf 0\nf 3\nf 2\n', 'calls.rep');
    const seen: number[] = [];
    const create = (proc: Process): Allocator => {
      const at = () => seen.push(proc.currentThread);
      return {
        malloc: () => (at(), 16),
        free: () => void at(),
        realloc: () => (at(), 32),
        calloc: () => 0,
      };
    };
    const proc = new Process();
    for (let replay = 0; replay < 2; replay++) {
      const allocator = spread(trace, create, threadsOf(2))(proc);
      allocator.malloc(16);
      allocator.malloc(16);
      allocator.malloc(16);
      allocator.malloc(16);
      allocator.realloc(32, 32);
      allocator.free(16);
      allocator.free(64);
      allocator.free(48);
      expect(proc.currentThread, 'back on the main thread between calls').toBe(0);
    }
    const once = trace.ops.map((op) => threadOf(op, 2));
    expect(once).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
    expect(seen).toEqual([...once, ...once]);
  });
});
