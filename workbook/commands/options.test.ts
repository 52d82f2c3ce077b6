import { describe, expect, it } from 'vitest';
import { UsageError, asksForJson, numberOrWord, parseOptions, refuseUnused } from './options.ts';

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

  it('refuses digits past Number.MAX_SAFE_INTEGER instead of rounding them', () => {
    expect(numberOrWord(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseOptions(['--option', 'trimThreshold=99999999999999999999'])).toThrow(
      new UsageError('--option trimThreshold=99999999999999999999 is too large: a number here goes up to 9007199254740991 (Number.MAX_SAFE_INTEGER).'),
    );
  });

  it('takes --name=value for every option that takes a value, as --name value', () => {
    const options = parseOptions(['--svg=heap.svg', '--traces=a,b', '--option=fit=best', '--target=solutions']);
    expect(options.values).toEqual({ svg: 'heap.svg', traces: 'a,b' });
    expect(options.allocatorOptions).toEqual({ fit: 'best' });
    expect(options.target).toBe('solutions');
    expect(() => parseOptions(['--svg='])).toThrow(new UsageError('--svg needs a value.'));
    expect(() => parseOptions(['--json=yes'])).toThrow(new UsageError('--json takes no value: write --json alone, not --json=yes.'));
  });

  it('refuses an allocator option given twice, naming both values', () => {
    expect(() => parseOptions(['--option', 'fit=best', '--option', 'fit=first'])).toThrow(new UsageError('--option fit is given twice (fit=best and fit=first): give it once.'));
  });

  it('reads everything after -- as words, even what looks like an option', () => {
    const options = parseOptions(['--json', '--', '-1', '--svg']);
    expect(options.positional).toEqual(['-1', '--svg']);
    expect(options.json).toBe(true);
    expect(options.values).toEqual({});
  });

  it('refuses an option the command does not use, naming the commands that do, and says what it takes', () => {
    const refused = (command: string, ...args: string[]) => () => refuseUnused(command, parseOptions(args));
    expect(refused('check', 'bump', '--svg', 'x')).toThrow(new UsageError('check does not use --svg (for trace and bench allocators): it takes --target, --watch and --json.'));
    expect(refused('hint', 'bump', '--json')).toThrow(new UsageError('hint does not use --json: it takes no options.'));
    expect(refused('status', '--option', 'fit=best')).toThrow(new UsageError('status does not use --option (for trace and zone-stats): it takes --target and --json.'));
    expect(refused('zone-stats', '100', '--watch', '--traces', 'x')).toThrow(new UsageError('zone-stats does not use --watch (for check) and --traces (for bench allocators): it takes --target, --option and --json.'));
    expect(refused('trace', 'zones', '--traces', '/tmp/x')).toThrow(
      new UsageError('trace does not use --traces (for bench allocators): it takes --target, --option, --threads, --svg, --force and --json. Name the traces as words after the allocator instead: npm run trace -- zones path/to/traces.'),
    );
    expect(refused('trace', 'bump', '-y')).toThrow(/^trace does not use --yes \(for reset\)/);
    expect(refused('check', '--threads', '4')).toThrow(new UsageError('check does not use --threads (for trace): it takes --target, --watch and --json.'));
    expect(refused('bench threads', '--threads', '4')).toThrow(/^bench threads does not use --threads \(for trace\): it takes --workers, .* Its real worker threads are --workers <n>\.$/);
    expect(refused('trace', 'magazines', '--threads', '4')).not.toThrow();
    expect(refused('bench machine', '--workers', '2')).toThrow(new UsageError('bench machine does not use --workers (for bench threads): it takes only --json.'));
    expect(refused('status', '--json', '--target', 'solutions')).not.toThrow();
    expect(refused('trace', 'bump', '--svg', 'x.svg', '--force', '--option', 'fit=best')).not.toThrow();
  });
});

describe('asksForJson, for an error as JSON when the command line asked for JSON', () => {
  it("finds --json among the command's own options only", () => {
    expect(asksForJson(['trace', 'zones', '--json'])).toBe(true);
    expect(asksForJson(['trace', 'zones'])).toBe(false);
    expect(asksForJson(['trace', '--', '--json'])).toBe(false);
    expect(asksForJson(['record', '--name', 'ls', '--json', 'ls'])).toBe(true);
    expect(asksForJson(['record', 'ls', '--json'])).toBe(false);
  });
});
