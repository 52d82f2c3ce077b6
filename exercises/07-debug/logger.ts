// Chapter 7, step 6: the malloc logger. libmalloc calls the function in its global
// `malloc_logger`, when there is one, after every allocation and free, with a record type
// made of flags; MallocStackLogging is itself built on it. Here the global belongs to the
// simulated process: one logger per Process, set and cleared with setMallocLogger.

import type { Process } from '../../machine/index.ts';

// #region log-types
export const MALLOC_LOG_TYPE_ALLOCATE = 2;
export const MALLOC_LOG_TYPE_DEALLOCATE = 4;
export const MALLOC_LOG_TYPE_HAS_ZONE = 8;
export const MALLOC_LOG_TYPE_CLEARED = 64;

export const MALLOC_OP_MALLOC = MALLOC_LOG_TYPE_ALLOCATE | MALLOC_LOG_TYPE_HAS_ZONE; // 10
export const MALLOC_OP_CALLOC = MALLOC_OP_MALLOC | MALLOC_LOG_TYPE_CLEARED; // 74
export const MALLOC_OP_REALLOC = MALLOC_OP_MALLOC | MALLOC_LOG_TYPE_DEALLOCATE; // 14
export const MALLOC_OP_FREE = MALLOC_LOG_TYPE_DEALLOCATE | MALLOC_LOG_TYPE_HAS_ZONE; // 12
// #endregion log-types

/**
 * malloc_logger(type, arg1, arg2, arg3, result, framesToSkip). With HAS_ZONE, arg1 is the zone;
 * malloc: arg2 = size; calloc: arg2 = count, arg3 = size; realloc: arg2 = old pointer,
 * arg3 = new size; free: arg2 = pointer. result is the pointer returned (0 for free).
 */
export type MallocLogger = (type: number, arg1: number, arg2: number, arg3: number, result: number, framesToSkip: number) => void;

const loggers = new WeakMap<Process, MallocLogger>();

/** Installs `logger` as the process's malloc_logger; undefined removes it. */
export function setMallocLogger(proc: Process, logger: MallocLogger | undefined): void {
  if (logger === undefined) loggers.delete(proc);
  else loggers.set(proc, logger);
}

export function mallocLoggerOf(proc: Process): MallocLogger | undefined {
  return loggers.get(proc);
}

/** The name of a record type, for printing: MALLOC_OP_MALLOC is 'malloc'. */
export function operationName(type: number): string {
  switch (type) {
    case MALLOC_OP_MALLOC:
      return 'malloc';
    case MALLOC_OP_CALLOC:
      return 'calloc';
    case MALLOC_OP_REALLOC:
      return 'realloc';
    case MALLOC_OP_FREE:
      return 'free';
    default:
      return `type ${type}`;
  }
}
