// Chapter 7, step 1: the debugging options. macOS reads them from the environment when a
// program starts (MallocScribble=1 ./program); here they come from the simulated process's
// environment (`new Process({ env: { MallocScribble: '1' } })`) or from code, and code wins.
// They are written into the debug zone's record in the data segment, so a second allocator
// object attached to the same process runs with the same options.
// Check your work with `npm run check -- options`; stuck? `npm run hint -- options`.
// Given: the names (ENVIRONMENT), the record's layout, envFlag and envCount (reading one variable), hasFlag.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

export interface DebugOptions {
  /** MallocScribble: 0xAA into every new block, 0x55 into every freed one. */
  scribble?: boolean;
  /** MallocGuardEdges: a PROT_NONE page before and after each large block. */
  guardEdges?: boolean;
  /** MallocDoNotProtectPrelude: with guard edges, no guard page before a large block. */
  doNotProtectPrelude?: boolean;
  /** MallocDoNotProtectPostlude: with guard edges, no guard page after a large block. */
  doNotProtectPostlude?: boolean;
  /** MallocCheckHeapStart: check the heap after this operation (1 is the first). */
  checkHeapStart?: number;
  /** MallocCheckHeapEach: then check it again every this many operations (default 1000). */
  checkHeapEach?: number;
  /** MallocStackLogging: remember where every block was allocated and freed. */
  stackLogging?: boolean;
}

/** The environment variable behind each option. */
export const ENVIRONMENT = {
  scribble: 'MallocScribble',
  guardEdges: 'MallocGuardEdges',
  doNotProtectPrelude: 'MallocDoNotProtectPrelude',
  doNotProtectPostlude: 'MallocDoNotProtectPostlude',
  checkHeapStart: 'MallocCheckHeapStart',
  checkHeapEach: 'MallocCheckHeapEach',
  stackLogging: 'MallocStackLogging',
} as const satisfies Record<keyof DebugOptions, string>;

// #region debug-record
/** The debug zone's record in the data segment (u32 each). */
export const DEBUG = {
  flags: 0, // FLAG_* below
  checkStart: 4, // 0: no heap checks
  checkEach: 8,
  operations: 12, // malloc, free, realloc and calloc calls so far
} as const;
export const DEBUG_BYTES = 16;

export const FLAG_SCRIBBLE = 1;
export const FLAG_GUARD_EDGES = 2;
export const FLAG_STACK_LOGGING = 4;
export const FLAG_NO_PRELUDE = 8;
export const FLAG_NO_POSTLUDE = 16;
// #endregion debug-record

export const DEFAULT_CHECK_EACH = 1000;

/** macOS treats a set variable as on; we also accept the usual spellings of off. */
function envFlag(proc: Process, name: string): boolean | undefined {
  const value = proc.env[name];
  if (value === undefined) return undefined;
  return !['', '0', 'no', 'false', 'NO'].includes(value.trim());
}

function envCount(proc: Process, name: string): number | undefined {
  const value = proc.env[name];
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${name}=${JSON.stringify(value)}: expected a whole number of operations`);
  return n;
}

/** The options in force: the code's where it gave one, else the environment's. */
export function resolveOptions(proc: Process, options: DebugOptions = {}): Required<DebugOptions> {
  // TODO: every option: the code's value when it gave one (`options.scribble ?? …`), else the
  // environment's (envFlag for the switches, envCount for the two counts, under the names in
  // ENVIRONMENT), else off (false, 0). Then the two counts together: MallocCheckHeapEach alone
  // checks from operation 1; MallocCheckHeapStart alone checks every DEFAULT_CHECK_EACH.
  todo('resolveOptions(proc, options): code, then environment, then off');
}

/** Writes the options into the debug record at `base`. */
export function storeOptions(proc: Process, base: number, options: Required<DebugOptions>): void {
  // TODO: one FLAG_* bit for each switch that is on, OR'ed into the u32 at DEBUG.flags; the two
  // counts into DEBUG.checkStart and DEBUG.checkEach.
  todo('storeOptions(proc, base, options): the options into the debug record');
}

export function hasFlag(proc: Process, base: number, flag: number): boolean {
  return (proc.load32(base + DEBUG.flags) & flag) !== 0;
}
