// Chapter 5, step 9, the last: a pool, the limit of size classes. When a program allocates
// millions of objects of one size, one size class is all it needs: the pool carves them
// from 64 KiB slabs and keeps the free ones on a list threaded through their own first
// bytes. No header, no size, no search: alloc pops the list, free pushes onto it. A pool
// trusts its caller: it checks that a pointer is one of its objects, but a double free
// goes unnoticed, which is part of why it is fast.

import { ENOMEM, HeapCorruption, hex, type Process } from '../../machine/index.ts';
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
    const slab = mapAligned(proc, SLAB_SIZE, `${name} pool`);
    if (slab === 0) return false;
    proc.store32(slab, proc.load32(base + POOL.slabs));
    proc.store32(base + POOL.slabs, slab);
    let next = proc.load32(base + POOL.freeList);
    // Thread from the last object down, so the list hands them out in address order.
    for (let object = slab + SLAB_HEADER + (Math.floor((SLAB_SIZE - SLAB_HEADER) / objectSize) - 1) * objectSize; object >= slab + SLAB_HEADER; object -= objectSize) {
      proc.store32(object, next);
      next = object;
    }
    proc.store32(base + POOL.freeList, next);
    return true;
  }

  function alloc(): number {
    if (proc.load32(base + POOL.freeList) === 0 && !grow()) {
      proc.errno = ENOMEM;
      return 0;
    }
    const object = proc.load32(base + POOL.freeList);
    proc.store32(base + POOL.freeList, proc.load32(object));
    proc.store32(base + POOL.inUse, proc.load32(base + POOL.inUse) + 1);
    return object;
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    const slab = ptr - (ptr % SLAB_SIZE);
    let known = proc.load32(base + POOL.slabs);
    while (known !== 0 && known !== slab) known = proc.load32(known);
    if (known === 0 || ptr < slab + SLAB_HEADER || (ptr - slab - SLAB_HEADER) % objectSize !== 0) {
      throw new HeapCorruption(`pool free(): invalid pointer ${hex(ptr)}: not one of the ${objectSize}-byte objects of pool '${name}'`, ptr);
    }
    proc.store32(ptr, proc.load32(base + POOL.freeList));
    proc.store32(base + POOL.freeList, ptr);
    proc.store32(base + POOL.inUse, proc.load32(base + POOL.inUse) - 1);
  }
  // #endregion pool-alloc

  return { objectSize, alloc, free, inUse: () => proc.load32(base + POOL.inUse) };
}
