import { describe, expect, it } from 'vitest';
import type { Process } from '../../machine/index.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { checkAllocatorOptions } from './allocator-options.ts';
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

  it('leaves alone an allocator that throws with or without options (a skeleton not written yet)', () => {
    const unwritten = (_proc: Process) => {
      throw new Error('Not written yet');
    };
    expect(() => checkAllocatorOptions('mine', unwritten, { fit: 'best' })).not.toThrow();
  });
});
