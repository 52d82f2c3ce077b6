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
const VALUE_OPTIONS = ['traces', 'svg', 'threads', 'workers', 'repeat', 'ops', 'batch', 'csv', 'junit', 'gradescope', 'extra-tests', 'timeout', 'memory', 'points', 'chapters', 'port'];
/** Those that take several values, separated by commas, with an example. */
const LIST_OPTIONS: Record<string, string> = { traces: '--traces traces,../shared/traces', chapters: '--chapters 01,02' };

export function parseOptions(args: string[]): Options {
  const options: Options = { positional: [], target: 'exercises', targetGiven: false, json: false, watch: false, update: false, generate: false, manualRun: false, noSite: false, yes: false, force: false, allocatorOptions: {}, values: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    // `--` ends the options: what follows is words, even `-1` or `--json`.
    if (arg === '--') {
      options.positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg === '-y') options.yes = true;
      else options.positional.push(arg);
      continue;
    }
    // `--svg=heap.svg` is `--svg heap.svg`, for every option that takes a value.
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const valueOf = (): string => {
      const value = equals === -1 ? args[++i] : arg.slice(equals + 1);
      if (value === undefined || value === '' || (equals === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value${name === 'target' ? ': exercises, solutions, or a folder' : name === 'option' ? ', name=value, such as --option fit=best' : ''}.`);
      return value;
    };
    if (SWITCHES.includes(name)) {
      if (equals !== -1) throw new UsageError(`--${name} takes no value: write --${name} alone, not ${arg}.`);
      options[SWITCH_FIELDS[name as keyof typeof SWITCH_FIELDS]] = true;
    } else if (name === 'target') {
      const value = valueOf();
      if (options.targetGiven) throw givenTwice('target');
      options.target = value;
      options.targetGiven = true;
    } else if (VALUE_OPTIONS.includes(name)) {
      const value = valueOf();
      if (name in options.values) throw givenTwice(name);
      options.values[name] = value;
    } else if (name === 'option') {
      const text = valueOf();
      const match = /^(\w+)=(.*)$/.exec(text);
      if (match === null) throw new UsageError(`--option takes name=value, for example --option fit=best, not '${text}'.`);
      const [, key, value] = match;
      // A second value of the same option would win without a word: which was meant?
      if (key in options.allocatorOptions) throw new UsageError(`--option ${key} is given twice (${key}=${options.allocatorOptions[key]} and ${key}=${value}): give it once.`);
      options.allocatorOptions[key] = numberOrWord(value, `--option ${key}`);
    } else {
      const near = nearestOption(name);
      throw new UsageError(`Unknown option ${arg}.${near === undefined ? '' : ` Did you mean --${near}?`}`);
    }
  }
  // A folder target is resolved from where the command was typed, not from the repository.
  if (options.target !== 'exercises' && options.target !== 'solutions' && !isAbsolute(options.target)) {
    options.target = resolve(process.env.INIT_CWD ?? process.cwd(), options.target);
  }
  targetRoot(options.target); // a missing folder is reported before any work starts
  return options;
}

/**
 * A value written in digits as the whole number it is (trimThreshold=4096), any other as the word
 * it is. Digits past Number.MAX_SAFE_INTEGER are refused: as a number they would be rounded, and
 * the allocator would be given, and the message would echo, a number no one typed.
 */
export function numberOrWord(text: string, option = 'the value'): string | number {
  if (!/^\d+$/.test(text)) return text;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UsageError(`${option}=${text} is too large: a number here goes up to ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER).`);
  return value;
}

/** An option that takes one value, given twice: the first would be dropped without a word. */
function givenTwice(name: string): UsageError {
  const list = LIST_OPTIONS[name];
  return new UsageError(`--${name} is given twice: give it once${list === undefined ? '.' : `, its values separated by commas: ${list}.`}`);
}

/** The options that take no value, and the field each sets. */
const SWITCH_FIELDS = { json: 'json', watch: 'watch', update: 'update', generate: 'generate', 'manual-run': 'manualRun', 'no-site': 'noSite', yes: 'yes', force: 'force' } as const satisfies Record<string, keyof Options>;
const SWITCHES: readonly string[] = Object.keys(SWITCH_FIELDS);
const FLAGS = [...SWITCHES, 'target', 'option'];

/** The option a mistyped one most likely meant (--chapter for --chapters), if one is close. */
function nearestOption(typed: string): string | undefined {
  return nearestName(typed, [...VALUE_OPTIONS, ...FLAGS]);
}

/**
 * The options each command reads (bench's by benchmark, trace --generate's apart). Any other
 * is refused before any work: ignored, it would look as if it had been used.
 */
export const COMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  start: ['target', 'no-site', 'manual-run', 'port'],
  watch: ['target', 'manual-run'],
  reset: ['target', 'yes'],
  status: ['target', 'json'],
  check: ['target', 'watch', 'json'],
  hint: [],
  trace: ['target', 'option', 'threads', 'svg', 'force', 'json'],
  'trace --generate': ['generate'],
  grade: ['batch', 'csv', 'junit', 'gradescope', 'force', 'extra-tests', 'timeout', 'memory', 'points', 'chapters', 'json'],
  'bench allocators': ['traces', 'svg', 'force', 'target', 'json'],
  'bench machine': ['json'],
  'bench threads': ['workers', 'repeat', 'ops', 'target', 'json'],
  'zone-stats': ['target', 'option', 'json'],
  skeletons: ['update'],
  markers: ['update'],
  help: [],
};

/** What to write instead of an option a command does not take, where another way exists. */
const INSTEAD: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  trace: { traces: 'Name the traces as words after the allocator instead: npm run trace -- zones path/to/traces.' },
  'bench threads': { threads: 'Its real worker threads are --workers <n>.' },
};

/** The options given, by name without the dashes (-y as yes). */
export function givenOptions(options: Options): string[] {
  const switches = Object.entries(SWITCH_FIELDS).filter(([, field]) => options[field]).map(([name]) => name);
  return [...switches, ...(options.targetGiven ? ['target'] : []), ...(Object.keys(options.allocatorOptions).length > 0 ? ['option'] : []), ...Object.keys(options.values)];
}

/** Refuses an option `command` (a key of COMMAND_OPTIONS) does not read, naming the commands that do. */
export function refuseUnused(command: string, options: Options): void {
  const reads = COMMAND_OPTIONS[command] ?? [];
  const unused = givenOptions(options).filter((name) => !reads.includes(name));
  if (unused.length === 0) return;
  const dashed = reads.map((n) => `--${n}`);
  const takes = dashed.length === 0 ? 'no options' : dashed.length === 1 ? `only ${dashed[0]}` : `${dashed.slice(0, -1).join(', ')} and ${dashed.at(-1)}`;
  const named = unused.map((name) => {
    // Where few commands take it, they are named: it was likely meant for one of them.
    const owners = Object.keys(COMMAND_OPTIONS).filter((c) => c !== command && COMMAND_OPTIONS[c].includes(name));
    return owners.length === 0 || owners.length > 3 ? `--${name}` : `--${name} (for ${owners.length === 1 ? owners[0] : `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}`})`;
  });
  const instead = unused.flatMap((name) => INSTEAD[command]?.[name] ?? []);
  throw new UsageError(`${command} does not use ${named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`}: it takes ${takes}.${instead.map((line) => ` ${line}`).join('')}`);
}

/** A mistake in the command line: a line saying where to read the usage follows the message. */
export class UsageError extends Error {}

/** `[####------]`: done out of total. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${pc.green('#'.repeat(filled))}${pc.dim('-'.repeat(width - filled))}]`;
}

/**
 * Whether the command line asked for --json, among the command's own options: not after `--`,
 * and for record not among the recorded command's words (`record ls --json` is ls's option).
 */
export function asksForJson(argv: readonly string[]): boolean {
  const [command, ...rest] = argv;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--') return false;
    if (arg === '--json') return true;
    if (command !== 'record') continue;
    if (arg === '--name' || arg === '--max-ops') i++; // its value
    else if (!arg.startsWith('-')) return false; // the recorded command begins
  }
  return false;
}

/** The port `--port` names (1 to 65535), or undefined when it is left out. */
export function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`--port ${value}: a port is a whole number from 1 to 65535 (or leave --port out).`);
  return port;
}
