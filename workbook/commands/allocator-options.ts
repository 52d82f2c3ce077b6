// `--option name=value` for an allocator (trace, zone-stats), checked before any work: the
// options are whatever the allocator's createAllocator reads, so it is asked, not a list.

import { Process } from '../../machine/index.ts';
import { TRACE_PROCESS } from '../trace/driver.ts';
import { UsageError, numberOrWord } from './options.ts';

export type AllocatorOptions = Record<string, string | number | boolean>;

/** How a switch may be written on the command line: on, then off. */
const ON = ['true', 'yes', 'on', '1'];
const OFF = ['false', 'no', 'off', '0'];

/**
 * The --option values for allocator `id`, tried once before any trace and returned as the
 * allocator takes them: a switch as true or false, a count as a number. A value the allocator
 * refuses, or a name it never reads, is the command line's mistake, not a failed trace.
 */
export function checkAllocatorOptions(id: string, create: (proc: Process, options?: AllocatorOptions) => unknown, given: Record<string, string | number>): AllocatorOptions {
  const names = Object.keys(given);
  if (names.length === 0) return {};
  // One allocator without options: the kinds of the options it keeps, and whether it fails even without them.
  let bare: unknown;
  let bareFails = false;
  try {
    bare = create(new Process(TRACE_PROCESS), {});
  } catch {
    bareFails = true;
  }
  const kinds = optionKinds(bare);
  const options: AllocatorOptions = Object.fromEntries(names.map((name) => [name, asKind(name, given[name], kinds[name])]));
  const read = new Set<string>();
  const watched = new Proxy(options, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
  try {
    create(new Process(TRACE_PROCESS), watched);
  } catch (error) {
    // When the allocator fails without options as well (a skeleton's todo), the options are not at fault.
    if (bareFails) return options;
    throw new UsageError(`--option ${names.map((n) => `${n}=${given[n]}`).join(' ')}: ${id} refuses it: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Every name the allocator looked up was read, whether it was given or not: those are its options.
  const unread = names.filter((n) => !read.has(n));
  if (unread.length > 0) {
    const its = [...read].sort();
    throw new UsageError(`--option ${unread.join(', ')}: ${id} has no such option${unread.length === 1 ? '' : 's'} (${its.length === 0 ? 'it takes none' : `it reads ${its.join(', ')}`}).`);
  }
  return options;
}

/**
 * The kind of each option an allocator states: one that keeps the options in force (the debug
 * zone's `options`, DebugOptions with every default filled in) says which are switches and
 * which are counts. The others' values are numbers when written in digits, words otherwise.
 */
function optionKinds(allocator: unknown): Record<string, 'boolean' | 'number'> {
  const inForce = (allocator as { options?: unknown } | null)?.options;
  if (typeof inForce !== 'object' || inForce === null) return {};
  const kinds: Record<string, 'boolean' | 'number'> = {};
  for (const [name, value] of Object.entries(inForce)) {
    if (typeof value === 'boolean' || typeof value === 'number') kinds[name] = typeof value as 'boolean' | 'number';
  }
  return kinds;
}

/** `value` as an option of `kind` takes it, or a UsageError that names the option and what it takes. */
function asKind(name: string, value: string | number, kind: 'boolean' | 'number' | undefined): string | number | boolean {
  const text = String(value).trim();
  if (kind === 'boolean') {
    if (ON.includes(text.toLowerCase())) return true;
    if (OFF.includes(text.toLowerCase())) return false;
    throw new UsageError(`--option ${name}=${text}: ${name} is a switch: true or false (also yes/no, on/off, 1/0).`);
  }
  const read = numberOrWord(text, `--option ${name}`);
  if (kind === 'number' && typeof read !== 'number') throw new UsageError(`--option ${name}=${text}: ${name} takes a whole number, 0 or more, such as ${name}=1000.`);
  return read;
}
