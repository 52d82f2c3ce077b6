// `--option name=value` for an allocator (trace, zone-stats), checked before any work: the
// options are whatever the allocator's createAllocator reads, so it is asked, not a list.

import { Process } from '../../machine/index.ts';
import { TRACE_PROCESS } from '../trace/driver.ts';
import { UsageError } from './options.ts';

/**
 * The --option values for allocator `id`, tried once before any trace: a value the allocator
 * refuses, or a name it never reads, is the command line's mistake, not a failed trace.
 */
export function checkAllocatorOptions(id: string, create: (proc: Process, options?: Record<string, string | number>) => unknown, options: Record<string, string | number>): void {
  const names = Object.keys(options);
  if (names.length === 0) return;
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
    // The same allocator without options may fail as well (a skeleton's todo): then it is not the options' fault.
    try {
      create(new Process(TRACE_PROCESS), {});
    } catch {
      return;
    }
    throw new UsageError(`--option ${names.map((n) => `${n}=${options[n]}`).join(' ')}: ${id} refuses it: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Every name the allocator looked up was read, whether it was given or not: those are its options.
  const unread = names.filter((n) => !read.has(n));
  if (unread.length > 0) {
    const its = [...read].sort();
    throw new UsageError(`--option ${unread.join(', ')}: ${id} has no such option${unread.length === 1 ? '' : 's'} (${its.length === 0 ? 'it takes none' : `it reads ${its.join(', ')}`}).`);
  }
}
