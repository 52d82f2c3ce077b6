// Chapter 1: the bump allocator. Every malloc moves the program break up with sbrk and
// hands out the bytes it passed over; free cannot give anything back.

import { ENOMEM, HeapCorruption, alignUp, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';

/** Every pointer malloc returns is a multiple of this, as on 64-bit Linux and macOS. */
export const ALIGNMENT = 16;

export function createAllocator(proc: Process): Allocator {
  // #region malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    // malloc(0) still returns a unique pointer, so round it up to one aligned unit.
    const request = alignUp(Math.max(size, 1), ALIGNMENT);
    let block = proc.sbrk(request);
    if (block === -1) return 0; // sbrk has set errno = ENOMEM
    // The break is aligned unless someone else moved it; if so, pad to the next boundary.
    const padding = (ALIGNMENT - (block % ALIGNMENT)) % ALIGNMENT;
    if (padding !== 0) {
      if (proc.sbrk(padding) === -1) return 0;
      block += padding;
    }
    return block;
  }
  // #endregion malloc

  return bumpAllocatorFrom(proc, malloc);
}

/**
 * The rest of a bump allocator around a given malloc: free, realloc and calloc need
 * nothing but malloc and the break, so the batched allocator reuses them.
 */
export function bumpAllocatorFrom(proc: Process, malloc: (size: number) => number): Allocator {
  // #region free
  function free(ptr: number): void {
    if (ptr === 0) return;
    // We cannot reuse the block, but we can still refuse a pointer we never handed out.
    if (ptr < proc.heapStart || ptr >= proc.currentBreak || ptr % ALIGNMENT !== 0) {
      const heap = proc.currentBreak === proc.heapStart ? 'the heap is empty' : `the heap runs from ${hex(proc.heapStart)} to ${hex(proc.currentBreak)}`;
      throw new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr, `${heap}, and blocks start on multiples of ${ALIGNMENT}`);
    }
  }
  // #endregion free

  // #region realloc
  function realloc(ptr: number, size: number): number {
    requireSize(size, `realloc(${hex(ptr)}, ${size})`);
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr);
      return 0;
    }
    free(ptr); // only checks the pointer
    const moved = malloc(size);
    if (moved === 0) return 0; // the old block stays valid
    // Without a header we do not know the old size, but the old block ended at or before
    // the new one began, so copying up to there copies all of it (and maybe a neighbour).
    proc.memcpy(moved, ptr, Math.min(size, moved - ptr));
    return moved;
  }
  // #endregion realloc

  // #region calloc
  function calloc(count: number, size: number): number {
    requireSize(count, `calloc(${count}, ${size})`);
    requireSize(size, `calloc(${count}, ${size})`);
    if (count !== 0 && size > Number.MAX_SAFE_INTEGER / count) {
      proc.errno = ENOMEM; // count * size overflows: C's check is `SIZE_MAX / count < size`
      return 0;
    }
    const block = malloc(count * size);
    if (block !== 0) proc.memset(block, 0, count * size);
    return block;
  }
  // #endregion calloc

  return { malloc, free, realloc, calloc };
}
