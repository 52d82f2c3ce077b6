// Chapter 4: realloc and calloc done properly, on top of chapter 3's heap. realloc
// shrinks in place, grows into a free neighbour or at the top of the heap, and moves the
// block only when it must; calloc checks its product and zeroes only the bytes that can
// hold something other than zero.
// Check your work with `npm run check -- realloc`; stuck? `npm run hint -- realloc`.
// This file builds on your chapter 3 heap (../03-coalescing/coalescing.ts): finish that first.

import { ENOMEM, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { FOOTER_SIZE, FreeLinks, GLOBALS, HEADER_SIZE, type CoalescingOptions, createHeap } from '../03-coalescing/coalescing.ts';

export interface ReallocOptions extends CoalescingOptions {}

export function createAllocator(proc: Process, options: ReallocOptions = {}): Allocator {
  // Best fit: on the course traces it keeps 88.3% of the heap in use, against 84.5% for
  // first fit, for about 3% more memory operations per call (npm run trace).
  const heap = createHeap(proc, { fit: 'best', ...options });
  const zeroFrom = proc.static(GLOBALS.zeroFrom, 8);

  // #region realloc
  function realloc(ptr: number, size: number): number {
    // TODO: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL. Find the
    // block (heap.blockOf). If it is big enough for heap.blockSizeFor(size), shrink it in
    // place; else try growInPlace; else malloc, copy the old payload, free. When malloc
    // fails, return NULL and leave the old block as it was.
    todo('realloc(ptr, size): shrink, grow in place, or move');
  }
  // #endregion realloc

  // #region grow-in-place
  /** Grows the used block to `needed` bytes without moving it, if its neighbour allows. */
  function growInPlace(block: number, needed: number): boolean {
    // TODO: if the next block is free and the two together hold `needed` bytes, absorb it
    // (heap.absorbNext) and give back the excess (heap.shrinkInPlace). If the block is the
    // last one, or only a free block follows it before the epilogue, grow the top of the
    // heap by what is missing (heap.growTop) and absorb. Otherwise return false.
    todo('growInPlace(block, needed): take the free neighbour or the top of the heap');
  }
  // #endregion grow-in-place

  // #region calloc
  function calloc(count: number, size: number): number {
    // TODO: the overflow check first (NULL and ENOMEM, never a short block). Then malloc,
    // and zero only what may not be zero: the bytes below the zero_from global (read it
    // BEFORE malloc), plus the 16 bytes of list links at the payload's start and the 8-byte
    // footer at the block's end, which the allocator wrote while the block was free.
    todo('calloc(count, size): check, allocate, zero what is dirty');
  }
  // #endregion calloc

  function usableSize(ptr: number): number {
    // TODO: malloc_usable_size: the block's size less its header; 0 for NULL.
    todo('usableSize(ptr): what the block can hold');
  }

  return { malloc: heap.malloc, free: heap.free, realloc, calloc, usableSize };
}
