import { describe, expect, it } from 'vitest';
import { BusError, Deadlock, PAGE_SIZE, PROT_READ, Process, SegmentationFault } from './index.ts';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected an error, but the call returned');
}

describe('atomics with logical threads', () => {
  it('atomicLoad32 and atomicStore32 read and write the same words as load32 and store32', () => {
    const proc = new Process();
    const p = proc.sbrk(16);
    proc.atomicStore32(p, 0xdeadbeef);
    expect(proc.load32(p)).toBe(0xdeadbeef);
    proc.store32(p + 4, 7);
    expect(proc.atomicLoad32(p + 4)).toBe(7);
    proc.atomicStore32(p + 8, -1); // signed values are stored in two's complement
    expect(proc.atomicLoad32(p + 8)).toBe(0xffffffff);
    expect(() => proc.atomicStore32(p, 2 ** 32)).toThrow(/atomicStore32\(0x01000000, 4294967296\): the value does not fit in 32 bits/);
  });

  it('atomicCompareExchange32 swaps only when the word holds the expected value, and returns the old value', () => {
    const proc = new Process();
    const lock = proc.static('lock', 4);
    expect(proc.atomicCompareExchange32(lock, 0, 1)).toBe(0); // taken
    expect(proc.atomicCompareExchange32(lock, 0, 1)).toBe(1); // already taken: unchanged
    expect(proc.load32(lock)).toBe(1);
    expect(proc.atomicCompareExchange32(lock, 1, 0xffffffff)).toBe(1);
    expect(proc.atomicCompareExchange32(lock, -1, 0)).toBe(0xffffffff); // -1 and 0xffffffff are the same word
    expect(proc.load32(lock)).toBe(0);
  });

  it('atomicAdd32 and atomicSub32 return the old value and wrap around at 2^32', () => {
    const proc = new Process();
    const counter = proc.static('counter', 4);
    expect(proc.atomicAdd32(counter, 5)).toBe(0);
    expect(proc.atomicSub32(counter, 2)).toBe(5);
    expect(proc.load32(counter)).toBe(3);
    proc.store32(counter, 0xffffffff);
    expect(proc.atomicAdd32(counter, 1)).toBe(0xffffffff);
    expect(proc.load32(counter)).toBe(0);
    expect(proc.atomicSub32(counter, 1)).toBe(0);
    expect(proc.load32(counter)).toBe(0xffffffff);
    expect(proc.atomicAdd32(counter, -2)).toBe(0xffffffff); // a negative delta subtracts
    expect(proc.load32(counter)).toBe(0xfffffffd);
    expect(() => proc.atomicAdd32(counter, 2 ** 32)).toThrow(/atomicAdd32\(0x[0-9a-f]{8}, 4294967296\): the value does not fit in 32 bits/);
  });

  it('an atomic at an address that is not 4-byte aligned is a bus error', () => {
    const proc = new Process();
    const p = proc.sbrk(16);
    const error = errorOf(() => proc.atomicAdd32(p + 2, 1));
    expect(error).toBeInstanceOf(BusError);
    expect(error).toMatchObject({ address: p + 2, operation: 'atomicAdd32', width: 4 });
    expect(error.message).toMatch(/^Bus error: atomicAdd32\(0x01000002\) is not 4-byte aligned \(it is 2 past a multiple of 4\)/);
    for (const call of [() => proc.atomicLoad32(p + 1), () => proc.atomicCompareExchange32(p + 3, 0, 1), () => proc.wait32(p + 6, 0)]) {
      expect(errorOf(call)).toBeInstanceOf(BusError);
    }
    expect(proc.load32(p + 2)).toBe(0); // a plain load may be unaligned
  });

  it('atomics check the page as loads and stores do, and a first touch gives it a frame', () => {
    const proc = new Process();
    expect(errorOf(() => proc.atomicLoad32(0))).toBeInstanceOf(SegmentationFault);
    const region = proc.mmap(2 * PAGE_SIZE, PROT_READ);
    expect(proc.atomicLoad32(region)).toBe(0); // a read-only page can be read
    const fault = errorOf(() => proc.atomicAdd32(region, 1)) as SegmentationFault;
    expect(fault).toMatchObject({ reason: 'protected', access: 'write', width: 4 });

    const heap = proc.sbrk(PAGE_SIZE);
    const before = proc.stats();
    proc.atomicCompareExchange32(heap + 8, 0, 1);
    const after = proc.stats();
    expect(after.residentBytes - before.residentBytes).toBe(PAGE_SIZE);
    expect(after.minorFaults - before.minorFaults).toBe(1);
    expect(after.memoryOps - before.memoryOps).toBe(1);
  });

  it('each atomic counts as one memory operation', () => {
    const proc = new Process();
    const word = proc.static('word', 4);
    const before = proc.stats().memoryOps;
    proc.atomicStore32(word, 1);
    proc.atomicLoad32(word);
    proc.atomicCompareExchange32(word, 1, 2);
    proc.atomicAdd32(word, 1);
    proc.atomicSub32(word, 1);
    proc.wait32(word, 0);
    proc.notify32(word);
    expect(proc.stats().memoryOps - before).toBe(7);
  });

  it('wait32 returns not-equal when the word differs, and notify32 wakes nobody', () => {
    const proc = new Process();
    const word = proc.static('futex', 4);
    proc.store32(word, 2);
    expect(proc.wait32(word, 1)).toBe('not-equal');
    expect(proc.wait32(word, 2, 10)).toBe('timed-out'); // nothing could change it meanwhile
    expect(proc.notify32(word)).toBe(0);
    expect(proc.notify32(word, 1)).toBe(0);
  });

  it('waiting for a value only another thread could write is a deadlock, said at once', () => {
    const proc = new Process();
    const mutex = proc.static('mutex', 4);
    const lock = () => {
      while (proc.atomicCompareExchange32(mutex, 0, 1) !== 0) proc.wait32(mutex, 1);
    };
    proc.runOn(1, lock);
    const error = errorOf(() => proc.runOn(2, lock)); // thread 1 never unlocked
    expect(error).toBeInstanceOf(Deadlock);
    expect(error).toMatchObject({ thread: 2, address: mutex, value: 1 });
    expect(error.message).toContain(`Deadlock: thread 2 waits at 0x${mutex.toString(16).padStart(8, '0')} (which holds 1) for a value only another thread could change`);
    expect(error.message).toContain('with logical threads nothing else runs');
  });
});
