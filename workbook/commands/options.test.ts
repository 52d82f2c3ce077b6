import { describe, expect, it } from 'vitest';
import { UsageError, numberOrWord, parseOptions } from './options.ts';

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

  it('refuses an option that takes a value given twice, naming it, and says to use commas where it takes a list', () => {
    expect(() => parseOptions(['--traces', 'a', '--traces', 'b'])).toThrow(new UsageError('--traces is given twice: give it once, its values separated by commas: --traces traces,../shared/traces.'));
    expect(() => parseOptions(['--chapters', '01', '--chapters', '02'])).toThrow(new UsageError('--chapters is given twice: give it once, its values separated by commas: --chapters 01,02.'));
    expect(() => parseOptions(['--csv', 'a.csv', '--csv', 'b.csv'])).toThrow(new UsageError('--csv is given twice: give it once.'));
    expect(() => parseOptions(['--target', 'solutions', '--target=exercises'])).toThrow(new UsageError('--target is given twice: give it once.'));
  });

  it('takes --option as many times as there are allocator options', () => {
    expect(parseOptions(['--option', 'fit=best', '--option', 'trimThreshold=4096']).allocatorOptions).toEqual({ fit: 'best', trimThreshold: 4096 });
  });

  it('reads a value written in digits as a number, any other as a word', () => {
    expect(numberOrWord('4096')).toBe(4096);
    expect(numberOrWord('best')).toBe('best');
    expect(numberOrWord('-1')).toBe('-1');
    expect(numberOrWord('1e3')).toBe('1e3');
  });
});
