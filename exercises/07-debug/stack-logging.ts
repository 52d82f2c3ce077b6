// Chapter 7, step 5: MallocStackLogging. Every malloc and free appends an event to a log in
// mmap'd memory: what happened, to which block, and where in the program. The "where" is the
// JavaScript call stack of the caller, trimmed to the program's own frames, interned: the
// same stack text is stored once in a string table, and an event holds only its id (the
// string's offset). malloc_history reads the log for one address; leaks asks it where each
// leaked block came from.
// Check your work with `npm run check -- stack-logging`; stuck? `npm run hint -- stack-logging`.
// Given: callStack, the areas (mapped), readString, the table's growth (table.ts) and eventAt.

import { MAP_FAILED, PROT_READ, PROT_WRITE, hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { MALLOC_LOG_TYPE_ALLOCATE, MALLOC_LOG_TYPE_DEALLOCATE } from './logger.ts';
import { reserveEntry } from './table.ts';

// #region stack-log-layout
/** The stack log's record in the data segment (u32 each). */
export const STACK_LOG = {
  strings: 0, // the string area: [u32 length][bytes], each padded to 4; an id is an offset in it
  stringsUsed: 4, // bytes used, from 4 (so that no id is 0)
  sites: 8, // the intern table: u32[SITE_SLOTS] of ids, 0 for an empty slot
  siteCount: 12,
  log: 16, // the events: EVENT_SIZE bytes each
  logCapacity: 20,
  logCount: 24,
} as const;
export const STACK_LOG_BYTES = 28;

export const STRINGS_BYTES = 4 << 20; // 4 MiB of stack text, touched as it fills
export const SITE_SLOTS = 1 << 14; // 16,384 different stacks
/** One event: MALLOC_LOG_TYPE_ALLOCATE or _DEALLOCATE, the block, its size, the stack's id. */
export const EVENT = { type: 0, address: 4, size: 8, site: 12 } as const;
export const EVENT_SIZE = 16;
// #endregion stack-log-layout

/** How many of the program's frames an event keeps. */
export const MAX_FRAMES = 8;
const NO_STACK = '(no stack: the stack table is full)';

export interface StackEvent {
  type: 'alloc' | 'free';
  address: number;
  size: number;
  /** The program's frames, innermost first, one per line. */
  stack: string;
}

const here = new URL('.', import.meta.url).pathname;
const root = new URL('../../', import.meta.url).pathname;

/** The caller's stack without the allocator's frames (a test file beside it is the program's), the machine's, the test runner's or Node's. */
export function callStack(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  const frames: string[] = [];
  for (const line of lines) {
    const frame = line.trim().replace(/^at /, '').replace(/file:\/\//g, '').replace(/\?[^:)]*/g, '');
    // `new Promise (<anonymous>)` is no place in the program; `<anonymous> (main.ts:19:14)`, its top level, is.
    if ((frame.includes(here) && !/\.test\.ts:/.test(frame)) || frame.includes(`${root}machine/`) || frame.includes('node_modules') || frame.includes('node:') || frame.endsWith('(<anonymous>)')) continue;
    frames.push(frame.replaceAll(root, ''));
    if (frames.length === MAX_FRAMES) break;
  }
  return frames.length === 0 ? '(no frames of the program)' : frames.join('\n');
}

export interface StackLog {
  readonly base: number;
  /** Appends an event for `address`, with the current call stack. */
  record(type: typeof MALLOC_LOG_TYPE_ALLOCATE | typeof MALLOC_LOG_TYPE_DEALLOCATE, address: number, size: number): void;
  /** Every event of a block that holds (or held) `address`, oldest first. */
  history(address: number): StackEvent[];
  /** Where the live block `address` was allocated, or undefined if the log does not know. */
  allocationSite(address: number): string | undefined;
}

export function createStackLog(proc: Process): StackLog {
  const base = proc.static('stack_logging', STACK_LOG_BYTES);
  const get = (field: keyof typeof STACK_LOG) => proc.load32(base + STACK_LOG[field]);
  const set = (field: keyof typeof STACK_LOG, value: number) => proc.store32(base + STACK_LOG[field], value);

  function mapped(field: 'strings' | 'sites', bytes: number, name: string): number {
    let area = get(field);
    if (area === 0) {
      area = proc.mmap(bytes, PROT_READ | PROT_WRITE, { name });
      if (area === MAP_FAILED) return 0;
      set(field, area);
      if (field === 'strings') set('stringsUsed', 4);
    }
    return area;
  }

  function readString(id: number): string {
    const strings = get('strings');
    return new TextDecoder().decode(proc.bytes(strings + id + 4, proc.load32(strings + id)));
  }

  // #region intern
  /** The id of `text` in the string table, stored there the first time; 0 when full. */
  function intern(text: string): number {
    const strings = mapped('strings', STRINGS_BYTES, 'malloc stack strings');
    const sites = mapped('sites', SITE_SLOTS * 4, 'malloc stack sites');
    if (strings === 0 || sites === 0) return 0;
    const bytes = new TextEncoder().encode(text);
    // TODO: hash the bytes (FNV-1a: start at 0x811c9dc5, per byte `Math.imul(hash ^ byte,
    // 0x01000193)`) to a slot of `sites` (SITE_SLOTS u32s), and probe on one slot at a time.
    // A slot holding the id of the same text: that id. An empty slot (0): store the text at
    // STACK_LOG.stringsUsed in `strings` as [u32 length][the bytes], padded to 4; the offset is
    // its id: put it in the slot, count it in siteCount, move stringsUsed on. Return 0 instead
    // when the strings would overflow STRINGS_BYTES or the table would pass ¾ full.
    todo('intern(text): each stack stored once, by its id');
  }
  // #endregion intern

  const fields = { table: base + STACK_LOG.log, capacity: base + STACK_LOG.logCapacity, count: base + STACK_LOG.logCount };
  const reserve = () => reserveEntry(proc, fields, EVENT_SIZE, 4096, 'malloc stack log');

  function record(type: number, address: number, size: number): void {
    // TODO: room for one more event (reserve; false: drop the event, return). Write it at the
    // end of the log (EVENT_SIZE bytes each, EVENT's fields): the type, the address, the size,
    // and the id of the current stack (intern(callStack())). Count it in logCount.
    todo('record(type, address, size): one event in the log');
  }

  function eventAt(i: number): StackEvent {
    const event = get('log') + i * EVENT_SIZE;
    const site = proc.load32(event + EVENT.site);
    return {
      type: proc.load32(event + EVENT.type) === MALLOC_LOG_TYPE_ALLOCATE ? 'alloc' : 'free',
      address: proc.load32(event + EVENT.address),
      size: proc.load32(event + EVENT.size),
      stack: site === 0 ? NO_STACK : readString(site),
    };
  }

  function history(address: number): StackEvent[] {
    // TODO: every event, oldest first (eventAt), whose block holds `address`: from the
    // event's address up to its size, a block of size 0 holding its first byte all the same.
    todo('history(address): the events of a block, by any address in it');
  }

  function allocationSite(address: number): string | undefined {
    // TODO: the newest event at exactly `address`: its stack if it is an allocation; a free
    // (the block is dead) or no event at all: undefined.
    todo('allocationSite(address): where a live block came from');
  }

  return { base, record, history, allocationSite };
}

/** malloc_history's report for one address: each event, then its stack, indented. */
export function formatHistory(address: number, events: StackEvent[]): string {
  // TODO: no events: 'malloc_history: no allocation or free recorded at 0x… (is
  // MallocStackLogging on?)'. Otherwise, for each event, a line 'ALLOC 0x…-0x… [size=N]:' (or
  // 'FREE ', padded to 5) with the block's first and last byte, then each frame of its stack
  // on a line of its own, indented by four spaces. Lines joined by '\n'.
  todo('formatHistory(address, events): the malloc_history report');
}
