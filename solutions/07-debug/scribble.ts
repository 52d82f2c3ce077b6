// Chapter 7, step 2: MallocScribble. A new block is filled with 0xAA and a freed one with
// 0x55, so a program that reads memory it never wrote sees 0xAAAAAAAA instead of a
// plausible leftover, and one that reads a block after freeing it sees 0x55555555: a value
// that stands out in a debugger and, used as a pointer, faults.

import type { Process } from '../../machine/index.ts';

// #region scribble
export const SCRIBBLE_NEW = 0xaa;
export const SCRIBBLE_FREED = 0x55;

/** Fills a block just handed out. */
export function scribbleNew(proc: Process, ptr: number, bytes: number): void {
  proc.memset(ptr, SCRIBBLE_NEW, bytes);
}

/**
 * Fills a block about to be freed. The free-list links the allocator then writes into it
 * overwrite the first bytes, as in libmalloc: the rest keeps the 0x55s.
 */
export function scribbleFreed(proc: Process, ptr: number, bytes: number): void {
  proc.memset(ptr, SCRIBBLE_FREED, bytes);
}
// #endregion scribble
