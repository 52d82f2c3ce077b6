// The command line's options: one parser for every command.

import { isAbsolute, resolve } from 'node:path';
import pc from 'picocolors';
import { targetRoot } from '../target.ts';
import { nearestName } from '../text.ts';

export interface Options {
  positional: string[];
  target: string;
  /** --target was given: the benchmarks and zone-stats measure solutions/ unless it was. */
  targetGiven: boolean;
  json: boolean;
  watch: boolean;
  update: boolean;
  generate: boolean;
  manualRun: boolean;
  noSite: boolean;
  yes: boolean;
  /** --force: grade may write over reports an earlier run left. */
  force: boolean;
  /** `--option fit=best`: passed to createAllocator(proc, options). */
  allocatorOptions: Record<string, string | number>;
  /** Options that take a value, such as `--batch <folder>`: by name, without the dashes. */
  values: Record<string, string>;
}

/** The options that take a value, beyond --target and --option. */
const VALUE_OPTIONS = ['traces', 'svg', 'workers', 'repeat', 'ops', 'batch', 'csv', 'junit', 'gradescope', 'extra-tests', 'timeout', 'memory', 'points', 'chapters'];
/** Those that take several values, separated by commas, with an example. */
const LIST_OPTIONS: Record<string, string> = { traces: '--traces traces,../shared/traces', chapters: '--chapters 01,02' };

export function parseOptions(args: string[]): Options {
  const options: Options = { positional: [], target: 'exercises', targetGiven: false, json: false, watch: false, update: false, generate: false, manualRun: false, noSite: false, yes: false, force: false, allocatorOptions: {}, values: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--watch') options.watch = true;
    else if (arg === '--update') options.update = true;
    else if (arg === '--generate') options.generate = true;
    else if (arg === '--manual-run') options.manualRun = true;
    else if (arg === '--no-site') options.noSite = true;
    else if (arg === '--yes' || arg === '-y') options.yes = true;
    else if (arg === '--force') options.force = true;
    else if (arg === '--target') {
      const value = args[++i];
      if (value === undefined) throw new UsageError('--target needs a value: exercises, solutions, or a folder.');
      if (options.targetGiven) throw givenTwice('target');
      options.target = value;
      options.targetGiven = true;
    } else if (arg.startsWith('--target=')) {
      if (options.targetGiven) throw givenTwice('target');
      options.target = arg.slice('--target='.length);
      options.targetGiven = true;
    } else if (VALUE_OPTIONS.includes(arg.slice(2))) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      if (arg.slice(2) in options.values) throw givenTwice(arg.slice(2));
      options.values[arg.slice(2)] = value;
    } else if (arg === '--option') {
      const match = /^(\w+)=(.*)$/.exec(args[++i] ?? '');
      if (match === null) throw new UsageError('--option takes name=value, for example --option fit=best.');
      options.allocatorOptions[match[1]] = numberOrWord(match[2]);
    }
    else if (arg.startsWith('--')) {
      const near = nearestOption(arg.slice(2).split('=')[0]);
      throw new UsageError(`Unknown option ${arg}.${near === undefined ? '' : ` Did you mean --${near}?`}`);
    }
    else options.positional.push(arg);
  }
  // A folder target is resolved from where the command was typed, not from the repository.
  if (options.target !== 'exercises' && options.target !== 'solutions' && !isAbsolute(options.target)) {
    options.target = resolve(process.env.INIT_CWD ?? process.cwd(), options.target);
  }
  targetRoot(options.target); // a missing folder is reported before any work starts
  return options;
}

/** A value written in digits as the whole number it is (trimThreshold=4096), any other as the word it is. */
export function numberOrWord(text: string): string | number {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** An option that takes one value, given twice: the first would be dropped without a word. */
function givenTwice(name: string): UsageError {
  const list = LIST_OPTIONS[name];
  return new UsageError(`--${name} is given twice: give it once${list === undefined ? '.' : `, its values separated by commas: ${list}.`}`);
}

const FLAGS = ['json', 'watch', 'update', 'generate', 'manual-run', 'no-site', 'yes', 'force', 'target', 'option'];

/** The option a mistyped one most likely meant (--chapter for --chapters), if one is close. */
function nearestOption(typed: string): string | undefined {
  return nearestName(typed, [...VALUE_OPTIONS, ...FLAGS]);
}

/** A mistake in the command line: a line saying where to read the usage follows the message. */
export class UsageError extends Error {}

/** `[####------]`: done out of total. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${pc.green('#'.repeat(filled))}${pc.dim('-'.repeat(width - filled))}]`;
}
