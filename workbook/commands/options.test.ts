import { describe, expect, it } from 'vitest';
import { UsageError, parseOptions } from './options.ts';

describe('the command line', () => {
  it('suggests the option a mistyped one most likely meant', () => {
    expect(() => parseOptions(['--chapter', '01'])).toThrow(new UsageError('Unknown option --chapter. Did you mean --chapters?'));
    expect(() => parseOptions(['--jsn'])).toThrow(new UsageError('Unknown option --jsn. Did you mean --json?'));
    expect(() => parseOptions(['--frobnicate'])).toThrow(new UsageError('Unknown option --frobnicate.'));
    expect(() => parseOptions(['--forse'])).toThrow(new UsageError('Unknown option --forse. Did you mean --force?'));
  });

  it('reads --force, which grade needs to write over an earlier run\'s reports', () => {
    expect(parseOptions(['--force']).force).toBe(true);
    expect(parseOptions([]).force).toBe(false);
  });
});
