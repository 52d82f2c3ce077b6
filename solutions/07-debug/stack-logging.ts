// Chapter 7, step 5: MallocStackLogging. Every malloc and free appends an event to a log in
// mmap'd memory: what happened, to which block, and where in the program. The "where" is the
// JavaScript call stack of the caller, trimmed to the program's own frames, interned: the
// same stack text is stored once in a string table, and an event holds only its id (the
// string's offset). malloc_history reads the log for one address; leaks asks it where each
// leaked block came from.

import { MAP_FAILED, PROT_READ, PROT_WRITE, hex, type Process } from '../../machine/index.ts';
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
    let hash = 0x811c9dc5; // FNV-1a
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
    for (let slot = (hash >>> 0) & (SITE_SLOTS - 1); ; slot = (slot + 1) & (SITE_SLOTS - 1)) {
      const id = proc.load32(sites + slot * 4);
      if (id === 0) {
        const used = get('stringsUsed');
        const size = 4 + Math.ceil(bytes.length / 4) * 4;
        if (used + size > STRINGS_BYTES || (get('siteCount') + 1) * 4 > SITE_SLOTS * 3) return 0;
        proc.store32(strings + used, bytes.length);
        for (let i = 0; i < bytes.length; i++) proc.store8(strings + used + 4 + i, bytes[i]!);
        set('stringsUsed', used + size);
        set('siteCount', get('siteCount') + 1);
        proc.store32(sites + slot * 4, used);
        return used;
      }
      if (proc.load32(strings + id) === bytes.length && readString(id) === text) return id;
    }
  }
  // #endregion intern

  const fields = { table: base + STACK_LOG.log, capacity: base + STACK_LOG.logCapacity, count: base + STACK_LOG.logCount };
  const reserve = () => reserveEntry(proc, fields, EVENT_SIZE, 4096, 'malloc stack log');

  function record(type: number, address: number, size: number): void {
    if (!reserve()) return; // out of memory: the event is lost, the program goes on
    const event = get('log') + get('logCount') * EVENT_SIZE;
    proc.store32(event + EVENT.type, type);
    proc.store32(event + EVENT.address, address);
    proc.store32(event + EVENT.size, size);
    proc.store32(event + EVENT.site, intern(callStack()));
    set('logCount', get('logCount') + 1);
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
    const events: StackEvent[] = [];
    for (let i = 0; i < get('logCount'); i++) {
      const event = get('log') + i * EVENT_SIZE;
      const start = proc.load32(event + EVENT.address);
      if (start <= address && address < start + Math.max(1, proc.load32(event + EVENT.size))) events.push(eventAt(i));
    }
    return events;
  }

  function allocationSite(address: number): string | undefined {
    for (let i = get('logCount') - 1; i >= 0; i--) {
      const event = get('log') + i * EVENT_SIZE;
      if (proc.load32(event + EVENT.address) !== address) continue;
      const found = eventAt(i);
      return found.type === 'alloc' ? found.stack : undefined;
    }
    return undefined;
  }

  return { base, record, history, allocationSite };
}

/** malloc_history's report for one address: each event, then its stack, indented. */
export function formatHistory(address: number, events: StackEvent[]): string {
  if (events.length === 0) return `malloc_history: no allocation or free recorded at ${hex(address)} (is MallocStackLogging on?)`;
  const lines: string[] = [];
  for (const event of events) {
    const label = event.type === 'alloc' ? 'ALLOC' : 'FREE ';
    lines.push(`${label} ${hex(event.address)}-${hex(event.address + event.size - 1)} [size=${event.size}]:`);
    for (const frame of event.stack.split('\n')) lines.push(`    ${frame}`);
  }
  return lines.join('\n');
}
