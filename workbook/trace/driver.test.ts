// The driver catches each kind of allocator bug at the operation that makes it, and
// measures utilization as CS:APP defines it. The broken allocators are written here.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapCorruption, hex, type Allocator, type CreateAllocator, type Process } from '../../machine/index.ts';
import { loadAllocator } from '../allocators.ts';
import { ROOT } from '../paths.ts';
import { TRACE_TIMING, replay, replayChecked, type TraceResult } from './driver.ts';
import { parseRep, readRep, type Trace } from './rep.ts';
import { readTraces } from './run.ts';

const bump = (await loadAllocator('bump', 'solutions')).createAllocator;
const batched = (await loadAllocator('bump-batched', 'solutions')).createAllocator;

/** A trace from its operations, one per line: `a 0 16`. */
function trace(...lines: string[]): Trace {
  const ids = new Set(lines.map((l) => Number(l.split(' ')[1])));
  return parseRep(`0\n${Math.max(...ids) + 1}\n${lines.length}\n1\n${lines.join('\n')}\n`, 'test.rep');
}

const MIXED = trace('a 0 24', 'a 1 100', 'a 2 7', 'r 0 200', 'f 1', 'a 3 64', 'r 3 20', 'f 2', 'a 4 300', 'f 0', 'f 3', 'f 4');

/** A simple, correct allocator to break: bump allocation, 16-byte aligned, with a 16-byte header holding the size. */
function sizedBump(proc: Process): Allocator & { sizeOf(ptr: number): number } {
  const sizeOf = (ptr: number) => proc.load64(ptr - 16);
  const malloc = (size: number) => {
    const block = proc.sbrk(16 + Math.ceil(Math.max(size, 1) / 16) * 16);
    if (block === -1) return 0;
    proc.store64(block, size);
    return block + 16;
  };
  const free = (ptr: number) => {
    if (ptr !== 0 && (ptr < proc.heapStart + 16 || ptr >= proc.currentBreak)) throw new HeapCorruption(`free(): invalid pointer ${ptr}`, ptr);
  };
  const realloc = (ptr: number, size: number) => {
    if (ptr === 0) return malloc(size);
    const moved = malloc(size);
    if (moved !== 0) proc.memcpy(moved, ptr, Math.min(size, sizeOf(ptr)));
    return moved;
  };
  const calloc = (n: number, size: number) => malloc(n * size);
  return { malloc, free, realloc, calloc, sizeOf };
}

function failureOf(result: TraceResult) {
  expect(result.failure, 'the driver should have found a failure').toBeDefined();
  return result.failure!;
}

const quick = { timing: false } as const;

describe('replay: correct allocators pass', () => {
  it('a correct allocator passes a small mixed trace, every check counted', () => {
    const result = replay(MIXED, sizedBump, quick);
    expect(result.failure).toBeUndefined();
    expect(result.ops).toBe(12);
    expect(result.checksPassed).toBeGreaterThan(12 * 3);
  });

  it('bump and bump-batched pass every shipped trace', () => {
    for (const t of readTraces([resolve(ROOT, 'traces')], ROOT)) {
      for (const create of [bump, batched]) {
        const result = replay(t, create, quick);
        expect(result.failure, `${t.name}: ${result.failure?.message}`).toBeUndefined();
      }
    }
  });

  it('counts only the allocator memory operations, not the filling and checking of payloads', () => {
    const t = readRep(resolve(ROOT, 'traces/binary.rep'));
    // bump's malloc and free touch no memory at all; every byte the driver writes is its own.
    expect(replay(t, bump, quick).memoryOpsPerCall).toBe(0);
    const batchedResult = replay(t, batched, quick);
    expect(batchedResult.memoryOpsPerCall).toBeGreaterThan(0);
    expect(batchedResult.memoryOpsPerCall).toBeLessThan(5); // two loads and two stores per malloc, none per free
  });

  it('times the bare replays when asked', () => {
    const result = replay(MIXED, bump, { timing: { warmupMilliseconds: 0, minRuns: 1, maxRuns: 1 } });
    expect(result.opsPerSecond).toBeGreaterThan(0);
  });

  it('times warm replays, the median of several: a slow first run (a cold JIT, a collection) is not the figure', () => {
    // Each of the first two bare replays spends 150 ms in its first malloc; the runs after them take no time at all.
    let processes = 0;
    const coldStart: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      const cold = ++processes <= 3; // the checked pass, then two bare replays
      let first = true;
      return {
        ...a,
        malloc: (size) => {
          if (cold && first) for (const end = performance.now() + 150; performance.now() < end; );
          first = false;
          return a.malloc(size);
        },
      };
    };
    const result = replay(MIXED, coldStart, {});
    expect(processes, 'a few timed runs after the warm-up').toBeGreaterThanOrEqual(3 + 3);
    expect(result.opsPerSecond, 'a warm run takes well under 15 ms').toBeGreaterThan(MIXED.ops.length / 0.015);
    // How far the figure moves from run to run, for a comparison to judge a ratio by.
    const { slowest, fastest } = result.opsPerSecondRange!;
    expect(slowest).toBeLessThanOrEqual(result.opsPerSecond!);
    expect(fastest).toBeGreaterThanOrEqual(result.opsPerSecond!);
  });

  it('times as soon as the counting replay has warmed the allocator up, with no warm-up runs of its own', () => {
    let processes = 0;
    const counted: CreateAllocator = (proc) => {
      processes++;
      return sizedBump(proc);
    };
    replay(MIXED, counted, {});
    // The checked pass, the counting replay, then maxRuns timed runs: a twelve-operation trace never fills the budget.
    expect(processes).toBe(1 + 1 + TRACE_TIMING.maxRuns!);
  });

  it('ranges over every timed run, the first as much as the last, so a slow one widens it', () => {
    // The checked pass and the counting replay, then nine timed runs: the first spends 30 ms in its first malloc.
    let processes = 0;
    const slowFirstTimed: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      const slow = ++processes === 3;
      let first = true;
      return {
        ...a,
        malloc: (size) => {
          if (slow && first) for (const end = performance.now() + 30; performance.now() < end; );
          first = false;
          return a.malloc(size);
        },
      };
    };
    const result = replay(MIXED, slowFirstTimed, { timing: { warmups: 0, warmupMilliseconds: 0, minRuns: 5, maxRuns: 9, budgetMilliseconds: 10_000 } });
    expect(processes, 'nine timed runs').toBe(2 + 9);
    expect(result.opsPerSecondRange!.slowest, 'the slow first timed run is the slowest').toBeLessThan(MIXED.ops.length / 0.03);
    expect(result.opsPerSecond, 'the median of nine, which one slow run does not move').toBeGreaterThan(MIXED.ops.length / 0.015);
  });

  it('accepts blocks in memory the allocator mapped with mmap', () => {
    const mmapEverything: CreateAllocator = (proc) => ({
      malloc: (size) => proc.mmap(Math.max(size, 1)),
      free: (ptr) => void (ptr !== 0 && proc.munmap(ptr, 4096)),
      realloc: () => 0,
      calloc: () => 0,
    });
    const result = replay(trace('a 0 100', 'a 1 5000', 'f 0', 'f 1'), mmapEverything, quick);
    expect(result.failure).toBeUndefined();
    expect(result.peakFootprint).toBe(4096 + 8192); // mmap'd bytes count in the footprint
  });
});

describe('replay: utilization', () => {
  it('is the peak live payload over the peak footprint, sampled after every operation', () => {
    // bump rounds to 16: blocks of 16, 32 and 48 bytes, so the heap peaks at 96 bytes.
    // Live payload: 10, 30, 20 (after f 0), then 60 bytes: the peak.
    const result = replay(trace('a 0 10', 'a 1 20', 'f 0', 'a 2 40'), bump, quick);
    expect(result.peakPayload).toBe(60);
    expect(result.peakFootprint).toBe(96);
    expect(result.utilization).toBeCloseTo(60 / 96, 10);
  });

  it('counts a realloc as its new size', () => {
    const result = replay(trace('a 0 100', 'r 0 20', 'a 1 10'), bump, quick);
    expect(result.peakPayload).toBe(100);
    expect(result.peakFootprint).toBe(112 + 32 + 16);
  });

  it('reports the peak virtual and resident size of the process', () => {
    const result = replay(trace('a 0 10000', 'f 0'), bump, quick);
    expect(result.peakResidentBytes).toBeGreaterThanOrEqual(3 * 4096); // the payload was written
    expect(result.peakVirtualBytes).toBeGreaterThan(result.peakResidentBytes);
  });
});

describe('replay: each kind of bug', () => {
  it('a block handed out twice: overlap, naming both blocks', () => {
    const twice: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      let calls = 0;
      let last = 0;
      return { ...a, malloc: (size) => (++calls === 3 ? last : (last = a.malloc(size))) };
    };
    const failure = failureOf(replay(MIXED, twice, quick));
    expect(failure.check).toBe('overlap');
    expect(failure.opIndex).toBe(2);
    expect(failure.op).toEqual({ kind: 'a', id: 2, bytes: 7 });
    expect(failure.line).toBe(7);
    expect(failure.message).toMatch(/^malloc\(7\) returned 0x01000\w+, whose 7 bytes .* overlap block 1 .*allocated by "a 1 100" \(operation 1, line 6\), which is still live/);
    expect(failure.hexdump).toContain('^^');
  });

  it('a misaligned pointer', () => {
    const off: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return { ...a, malloc: (size) => a.malloc(size + 8) + 8 };
    };
    const failure = failureOf(replay(MIXED, off, quick));
    expect(failure.check).toBe('alignment');
    expect(failure.opIndex).toBe(0);
    expect(failure.message).toMatch(/malloc\(24\) returned 0x01000018, which is 8 bytes past a multiple of 16/);
  });

  it('a header written over the end of the previous block: caught by the malloc that wrote it', () => {
    // Its headers are 8 bytes, but it leaves no room for them: each one lands in the block before.
    const tight: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return {
        ...a,
        malloc: (size) => {
          const block = proc.sbrk(Math.ceil(Math.max(size, 1) / 16) * 16);
          if (block !== proc.heapStart) proc.store64(block - 8, size);
          return block;
        },
      };
    };
    const failure = failureOf(replay(trace('a 0 32', 'a 1 16', 'f 0', 'f 1'), tight, quick));
    expect(failure.check).toBe('payload');
    expect(failure.opIndex).toBe(1);
    expect(failure.message).toMatch(/^the payload of block 0 at 0x01000000 \(32 bytes\), allocated by "a 0 32" \(operation 0, line 5\), changed while it was live, found after malloc\(16\) returned 0x01000020, the block \[0x01000020, 0x01000030\) next to it: byte 24 \(0x01000018\) is 0x10, not 0x\w\w/);
    expect(failure.address).toBe(0x0100_0018);
    expect(failure.hexdump).toMatch(/0x01000010: .*\n +\^\^/);
  });

  it('a payload changed far from any header: caught when the block is freed', () => {
    const scribbler: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      let first = 0;
      return {
        ...a,
        malloc: (size) => {
          const p = a.malloc(size);
          if (first === 0) first = p;
          else proc.store8(first + 100, 0xee); // in the middle of block 0, far from its neighbours
          return p;
        },
      };
    };
    const failure = failureOf(replay(trace('a 0 300', 'a 1 16', 'f 1', 'f 0'), scribbler, quick));
    expect(failure.check).toBe('payload');
    expect(failure.opIndex).toBe(3);
    expect(failure.message).toContain('found before free(0x01000010)');
    expect(failure.message).toContain('byte 100 (0x01000074) is 0xee');
  });

  it('a realloc that loses bytes', () => {
    const halfCopy: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return {
        ...a,
        realloc: (ptr, size) => {
          const moved = a.malloc(size);
          proc.memcpy(moved, ptr, Math.floor(Math.min(size, a.sizeOf(ptr)) / 2));
          return moved;
        },
      };
    };
    const failure = failureOf(replay(MIXED, halfCopy, quick));
    expect(failure.check).toBe('realloc-bytes');
    expect(failure.opIndex).toBe(3);
    expect(failure.message).toMatch(/^realloc\(0x01000010, 200\) moved the block from 0x01000010 to 0x\w+, but byte 12 \(0x\w+\) is 0x00, not 0x\w\w: realloc must keep the first min\(24, 200\) = 24 bytes/);
  });

  it('a realloc that loses its last bytes: the dump shows the first lost byte, marked, however far into the block', () => {
    const shortCopy: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return {
        ...a,
        realloc: (ptr, size) => {
          const moved = a.malloc(size);
          proc.memcpy(moved, ptr, Math.min(size, a.sizeOf(ptr)) - 8);
          return moved;
        },
      };
    };
    const failure = failureOf(replay(trace('a 0 300', 'r 0 1000'), shortCopy, quick));
    expect(failure.check).toBe('realloc-bytes');
    expect(failure.message).toMatch(/but byte 292 \(0x\w+\) is 0x00/);
    const line = `${hex(failure.address! & ~15)}: `;
    expect(failure.hexdump, `the dump should show ${hex(failure.address!)}`).toContain(line);
    // The marks sit under the lost bytes: the line after the byte's own.
    const lines = failure.hexdump!.split('\n');
    const at = lines.findIndex((l) => l.includes(line));
    expect(lines[at + 1]).toContain('^^');
  });

  it('a realloc that copies the old size into a smaller block elsewhere: the neighbour is the block it returned, named with its address', () => {
    const overcopy: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      const spare = a.malloc(32); // at the bottom of the heap, for the realloc
      return {
        ...a,
        realloc: (ptr) => {
          proc.memcpy(spare, ptr, a.sizeOf(ptr)); // the old size, not min(old, new)
          return spare;
        },
      };
    };
    // Block 1 lies just above the spare block, block 0 above it: realloc(0) returns the spare block.
    const failure = failureOf(replay(trace('a 1 80', 'a 0 100', 'r 0 20'), overcopy, quick));
    expect(failure.check).toBe('payload');
    expect(failure.message).toMatch(/^the payload of block 1 at 0x01000040 \(80 bytes\), .* found after realloc\(0x010000a0, 20\) returned 0x01000010, the block \[0x01000010, 0x01000024\) next to it: /);
  });

  it('NULL without ENOMEM', () => {
    const forgetful: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return { ...a, malloc: (size) => (size === 7 ? 0 : a.malloc(size)) };
    };
    const failure = failureOf(replay(MIXED, forgetful, quick));
    expect(failure.check).toBe('null');
    expect(failure.opIndex).toBe(2);
    expect(failure.message).toMatch(/malloc\(7\) returned NULL, but errno is 0, not ENOMEM/);
  });

  it('NULL with ENOMEM: the run fails, out of memory', () => {
    const result = replay(trace('a 0 3000', 'a 1 3000', 'f 0', 'f 1'), bump, { ...quick, process: { heapLimit: 4096 } });
    const failure = failureOf(result);
    expect(failure.check).toBe('out-of-memory');
    expect(failure.opIndex).toBe(1);
    expect(failure.message).toMatch(/^malloc\(3000\) returned NULL with errno = ENOMEM/);
  });

  it('NULL with ENOMEM for one request larger than the process can hold: the trace asks for too much, not the allocator that wastes memory', () => {
    const huge = failureOf(replay(trace('a 0 16', 'a 1 99999999999', 'f 0', 'f 1'), bump, quick));
    expect(huge).toMatchObject({ check: 'too-large', opIndex: 1 });
    expect(huge.message).toMatch(/^malloc\(99999999999\) returned NULL with errno = ENOMEM, as it must: 93\.1 GiB in one block is more than the machine's whole user address space, 2 GiB \(addresses below 0x80000000\)/);
    expect(huge.message).not.toContain('reuses freed memory');
    // Within the address space, but beyond the trace process's heap and mmap limits (256 MiB each).
    const big = failureOf(replay(trace('a 0 300000000', 'f 0'), bump, quick));
    expect(big).toMatchObject({ check: 'too-large', opIndex: 0 });
    expect(big.message).toMatch(/286\.1 MiB in one block is more than this process can hold anywhere: its heap may grow to 256 MiB, and mmap may map 256 MiB in all/);
    const grown = failureOf(replay(trace('a 0 16', 'r 0 300000000', 'f 0'), bump, quick));
    expect(grown.check).toBe('too-large');
    expect(grown.message).toMatch(/^realloc\(0x\w+, 300000000\) returned NULL/);
  });

  it('a block outside the heap', () => {
    const inData: CreateAllocator = (proc) => ({ ...sizedBump(proc), malloc: () => proc.static('block', 64) });
    const failure = failureOf(replay(MIXED, inData, quick));
    expect(failure.check).toBe('outside-heap');
    expect(failure.message).toMatch(/returned 0x00600000, but its 24 bytes .* are not all inside the heap or inside one mapping made by mmap \(the heap is empty\)/);
  });

  it('an exception from the allocator names the operation and the call', () => {
    const strict: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      return {
        ...a,
        free: (ptr) => {
          if (a.sizeOf(ptr) === 64) throw new HeapCorruption(`free(): double free detected`, ptr);
        },
      };
    };
    const failure = failureOf(replay(trace('a 0 64', 'a 1 16', 'f 1', 'f 0'), strict, quick));
    expect(failure).toMatchObject({ check: 'exception', opIndex: 3, op: { kind: 'f', id: 0 }, line: 8, errorName: 'HeapCorruption', address: 0x0100_0010 });
    expect(failure.message).toBe('free(0x01000010) threw HeapCorruption: free(): double free detected');
  });

  it("an exception names the allocator's own lines it left through, not the machine's or the driver's", async () => {
    // The student's code: a folder of its own, a malloc that reads where nothing is mapped.
    const folder = mkdtempSync(join(tmpdir(), 'trace-source-'));
    const lines = [
      "import type { Allocator, Process } from '../../machine/index.ts';",
      'export function createAllocator(proc: Process): Allocator {',
      '  const malloc = (size: number) => proc.load64(0x10) + size;',
      '  return { malloc, free: () => {}, realloc: malloc, calloc: malloc };',
      '}',
    ];
    writeFileSync(join(folder, 'wild.ts'), `${lines.join('\n')}\n`);
    try {
      const { createAllocator } = (await import(join(folder, 'wild.ts'))) as { createAllocator: CreateAllocator };
      const failure = failureOf(replayChecked(MIXED, createAllocator, { sourceFolder: folder }));
      expect(failure.message).toMatch(/^malloc\(24\) threw SegmentationFault: .*\n  at \S+\/wild\.ts:3$/s);
      expect(failure.source).toEqual({ folder, frames: ['wild.ts:3'] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a TypeError or SegmentationFault from the allocator is a failed check too', () => {
    const wild: CreateAllocator = (proc) => ({ ...sizedBump(proc), malloc: () => proc.load64(0x10) });
    const failure = failureOf(replayChecked(MIXED, wild));
    expect(failure.errorName).toBe('SegmentationFault');
    expect(failure.message).toMatch(/^malloc\(24\) threw SegmentationFault: Segmentation fault: read of 8 bytes at 0x00000010/);
    const typo: CreateAllocator = (proc) => ({ ...sizedBump(proc), free: () => proc.store64(Number.NaN, 0) });
    expect(failureOf(replayChecked(MIXED, typo))).toMatchObject({ check: 'exception', errorName: 'TypeError', opIndex: 4 });
  });

  it("metadata the allocator's own check() finds broken, though every payload is intact: named after the call that broke it", () => {
    // A heap that breaks at the second free: a short trace is checked after every operation.
    const checked: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      let frees = 0;
      return { ...a, free: (ptr) => (frees++, a.free(ptr)), check: () => (frees >= 2 ? 'block 0x01000010 is on the free list twice' : '') };
    };
    const failure = failureOf(replay(MIXED, checked, quick));
    expect(failure).toMatchObject({ check: 'heap-check', opIndex: 7 });
    expect(failure.message).toBe("check() after free(0x010000c0) found the allocator's heap broken, though no payload check has failed so far (the calls that follow would build on it): block 0x01000010 is on the free list twice");
    // A sound heap passes, checked after the last operation too; an allocator with no check() is not asked.
    let calls = 0;
    const sound: CreateAllocator = (proc) => ({ ...sizedBump(proc), check: () => (calls++, '') });
    expect(replay(MIXED, sound, quick).failure).toBeUndefined();
    expect(calls, 'check() after each of the 12 operations').toBe(12);
  });

  it('checks a long trace about 512 times, and after its last operation', () => {
    const long = trace(...Array.from({ length: 1000 }, (_, i) => `a ${i} 16`), ...Array.from({ length: 1001 }, (_, i) => `f ${i % 1000}`).slice(0, 1000));
    const after: number[] = [];
    const counting: CreateAllocator = (proc) => {
      const a = sizedBump(proc);
      let ops = 0;
      return { malloc: (s) => (ops++, a.malloc(s)), free: (p) => (ops++, a.free(p)), realloc: a.realloc, calloc: a.calloc, check: () => (after.push(ops), '') };
    };
    expect(replay(long, counting, quick).failure).toBeUndefined();
    expect(after.length).toBe(500); // every 4th of 2000 operations, the last among them
    expect(after.at(-1)).toBe(2000);
  });
});

describe('replay: a sign of life for a watchdog', () => {
  it('steps before every checked operation and every 1024th timed one, so a long replay is never taken for a hang', async () => {
    const { createAllocator } = await loadAllocator('bump', 'solutions');
    const ops = Array.from({ length: 1500 }, (_, i) => `a ${i} 16`);
    const trace = parseRep(`0\n1500\n1500\n1\n${ops.join('\n')}\n`, 'many.rep');
    const steps: number[] = [];
    replay(trace, createAllocator, { timing: { warmupMilliseconds: 0, minRuns: 1, maxRuns: 1 }, onStep: (i) => steps.push(i) });
    expect(steps.slice(0, 3)).toEqual([-1, 0, 1]); // createAllocator, then each checked operation
    // The bare replays: one that counts memory operations (the warm-up), one timed.
    expect(steps.slice(1501)).toEqual([0, 1024, 0, 1024]);
  });
});
