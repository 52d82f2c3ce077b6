// Chapter 5, step 9, the last: a pool, the limit of size classes. When a program allocates
// millions of objects of one size, one size class is all it needs: the pool carves them
// from 64 KiB slabs and keeps the free ones on a list threaded through their own first
// bytes. No header, no size, no search: alloc pops the list, free pushes onto it. A pool
// trusts its caller: it checks that a pointer is one of its objects, but a double free
// goes unnoticed, which is part of why it is fast.
// Check your work with `npm run check -- pool`; stuck? `npm run hint -- pool`.
// Stands alone: it needs only mapAligned from region.ts, which is given.

import { ENOMEM, HeapCorruption, hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { mapAligned } from './region.ts';

// #region pool-layout
export const SLAB_SIZE = 64 * 1024;
/** A slab starts with the address of the next slab; its objects follow, 16-byte aligned. */
export const SLAB_HEADER = 16;

/** The pool's own record, in the data segment (u32 each). */
export const POOL = {
  freeList: 0, // the first free object, or 0
  objectSize: 4,
  slabs: 8, // the newest slab, or 0
  inUse: 12, // objects handed out
} as const;
export const POOL_BYTES = 16;
// #endregion pool-layout

export interface Pool {
  readonly objectSize: number;
  /** One object, or 0 with errno = ENOMEM. */
  alloc(): number;
  free(ptr: number): void;
  /** Objects handed out and not freed. */
  inUse(): number;
}

/** A pool of `size`-byte objects (rounded up to 16) named `name` in the data segment. */
export function createPool(proc: Process, size: number, name = 'pool'): Pool {
  if (!Number.isSafeInteger(size) || size < 1 || size > SLAB_SIZE - SLAB_HEADER) {
    throw new TypeError(`createPool: an object size of ${size} bytes must be between 1 and ${SLAB_SIZE - SLAB_HEADER}`);
  }
  const objectSize = Math.ceil(size / 16) * 16;
  const base = proc.static(`${name}_pool`, POOL_BYTES);
  const known = proc.load32(base + POOL.objectSize);
  if (known !== 0 && known !== objectSize) throw new TypeError(`createPool: the pool '${name}' already holds ${known}-byte objects, not ${objectSize}`);
  proc.store32(base + POOL.objectSize, objectSize);

  // #region pool-alloc
  /** Maps a slab and threads all its objects onto the free list. */
  function grow(): boolean {
    // TODO: map a slab of SLAB_SIZE bytes aligned to its size (mapAligned; 0 means no memory:
    // return false). Its first u32 links it to the slab mapped before (POOL.slabs), and it
    // becomes the newest. Thread every whole object of the slab, from SLAB_HEADER on, onto the
    // free list, so that the list hands them out in address order, the lowest first.
    todo('grow(): a new slab, its objects on the free list');
  }

  function alloc(): number {
    // TODO: pop the first object of the free list (its first u32 is the next one); when the
    // list is empty, grow first (no slab: errno = ENOMEM, return 0). Count it in POOL.inUse.
    todo('alloc(): pop the free list');
  }

  function free(ptr: number): void {
    // TODO: free(NULL) does nothing. ptr must be one of this pool's objects: its slab
    // (ptr rounded down to SLAB_SIZE) is on the pool's list of slabs, and ptr sits at
    // SLAB_HEADER plus a whole number of objects from the slab's start. Otherwise throw a
    // HeapCorruption naming ptr ('invalid pointer'). Push it onto the free list; count it.
    todo('free(ptr): check, then push onto the free list');
  }
  // #endregion pool-alloc

  return { objectSize, alloc, free, inUse: () => proc.load32(base + POOL.inUse) };
}
