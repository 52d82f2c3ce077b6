import { describe, expect, it } from 'vitest';
import type { Process } from '../../machine/index.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { createAllocator as debug } from '../../solutions/07-debug/debug.ts';
import { type AllocatorOptions, checkAllocatorOptions } from './allocator-options.ts';
import { UsageError } from './options.ts';

describe('--option for an allocator', () => {
  it('passes the options the allocator reads, with values it takes', () => {
    expect(() => checkAllocatorOptions('coalescing', coalescing, { fit: 'best' })).not.toThrow();
    expect(() => checkAllocatorOptions('bump', bump, {})).not.toThrow();
  });

  it('refuses a name the allocator never reads, listing the ones it does', () => {
    expect(() => checkAllocatorOptions('coalescing', coalescing, { foo: 1 })).toThrow(new UsageError('--option foo: coalescing has no such option (it reads fit, trimThreshold).'));
    expect(() => checkAllocatorOptions('bump', bump, { fit: 'best' })).toThrow(new UsageError('--option fit: bump has no such option (it takes none).'));
  });

  it("refuses a value the allocator throws on, with the allocator's words", () => {
    expect(() => checkAllocatorOptions('coalescing', coalescing, { fit: 'bogus' })).toThrow(/^--option fit=bogus: coalescing refuses it: .*fit 'bogus' is not one of first, next, best/);
  });

  it("reads a switch's on and off in the usual spellings, and a count as a number", () => {
    expect(checkAllocatorOptions('debug', debug, { scribble: 'false', guardEdges: 'no', stackLogging: 'off', doNotProtectPrelude: 0 })).toEqual({ scribble: false, guardEdges: false, stackLogging: false, doNotProtectPrelude: false });
    expect(checkAllocatorOptions('debug', debug, { scribble: 'true', guardEdges: 'yes', stackLogging: 'ON', doNotProtectPostlude: 1, checkHeapEach: 250 })).toEqual({ scribble: true, guardEdges: true, stackLogging: true, doNotProtectPostlude: true, checkHeapEach: 250 });
    expect(checkAllocatorOptions('coalescing', coalescing, { fit: 'best', trimThreshold: 4096 })).toEqual({ fit: 'best', trimThreshold: 4096 });
  });

  it('refuses a value that is not of the kind the option takes, by its name', () => {
    expect(() => checkAllocatorOptions('debug', debug, { checkHeapEach: 'often' })).toThrow(new UsageError('--option checkHeapEach=often: checkHeapEach takes a whole number, 0 or more, such as checkHeapEach=1000.'));
    expect(() => checkAllocatorOptions('debug', debug, { scribble: 'maybe' })).toThrow(new UsageError('--option scribble=maybe: scribble is a switch: true or false (also yes/no, on/off, 1/0).'));
  });

  it('builds the allocator twice, without the options and with them, even to refuse a value', () => {
    let built = 0;
    const counted = (proc: Process, options?: AllocatorOptions) => {
      built++;
      return coalescing(proc, options as Parameters<typeof coalescing>[1]);
    };
    expect(() => checkAllocatorOptions('coalescing', counted, { fit: 'bogus' })).toThrow(UsageError);
    expect(built).toBe(2);
  });

  it('leaves alone an allocator that throws with or without options (a skeleton not written yet)', () => {
    const unwritten = (_proc: Process) => {
      throw new Error('Not written yet');
    };
    expect(() => checkAllocatorOptions('mine', unwritten, { fit: 'best' })).not.toThrow();
  });
});
