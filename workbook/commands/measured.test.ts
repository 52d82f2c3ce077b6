import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { measuredTarget, whose } from './measured.ts';
import { parseOptions } from './options.ts';

describe('what the benchmarks and zone-stats measure', () => {
  it('is the reference without --target, and solutions/ or exercises/ by name however the folder is written', () => {
    expect(measuredTarget(parseOptions([]))).toBe('solutions');
    expect(measuredTarget(parseOptions(['--target', './solutions']))).toBe('solutions');
    expect(measuredTarget(parseOptions(['--target', resolve(ROOT, 'exercises')]))).toBe('exercises');
  });

  it("names whose it is: the book's reference, the student's, or a folder's as typed", () => {
    expect(whose('solutions', 'zone', '05-zones', ROOT)).toBe("the book's reference zone, solutions/05-zones (yours: --target exercises)");
    expect(whose('exercises', '8 allocators', '', ROOT)).toBe('your 8 allocators, exercises/');
    expect(whose(resolve(ROOT, 'submissions/ada'), 'zone', '05-zones', ROOT)).toBe('the zone of submissions/ada');
  });
});
