// Chapter 4: realloc and calloc done properly, on top of chapter 3's heap. realloc
// shrinks in place, grows into a free neighbour or at the top of the heap, and moves the
// block only when it must; calloc checks its product and zeroes only the bytes that can
// hold something other than zero. malloc puts large blocks and small ones at opposite
// ends of the free block it takes.
// Check your work with `npm run check -- realloc`; stuck? `npm run hint -- realloc`.
// This file builds on your chapter 3 heap (../03-coalescing/coalescing.ts): finish that first.

import { ENOMEM, PAGE_SIZE, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { FOOTER_SIZE, FreeLinks, GLOBALS, HEADER_SIZE, type CoalescingOptions, createHeap } from '../03-coalescing/coalescing.ts';

/** Where malloc puts a block in the free block it takes: always at its start, or by its size. */
export type Placement = 'low' | 'by-size';

export interface ReallocOptions extends CoalescingOptions {
  /** 'by-size' (the default): blocks larger than the typical one at the high end, and the heap grows with room to spare; 'low': chapter 3's malloc. */
  placement?: Placement;
}

/** The typical block size follows each request by 1/16 of the difference: a running average of the last few dozen. */
export const TYPICAL_WEIGHT = 16;

export function createAllocator(proc: Process, options: ReallocOptions = {}): Allocator {
  const placement = options.placement ?? 'by-size';
  if (placement !== 'low' && placement !== 'by-size') throw new TypeError(`createAllocator: placement '${String(placement)}' is not one of low, by-size`);
  // Best fit: on the course traces it keeps 94.2% of the heap in use, against 91.0% for
  // first fit, for twice the memory operations per call (npm run trace).
  const heap = createHeap(proc, { fit: 'best', ...options });
  const zeroFrom = proc.static(GLOBALS.zeroFrom, 8);
  const heapStart = proc.static(GLOBALS.heapStart, 8);
  const typical = proc.static('typical_block_size', 8); // 0: no request yet

  // #region malloc
  function malloc(size: number): number {
    if (placement === 'low') return heap.malloc(size);
    requireSize(size, `malloc(${size})`);
    const needed = heap.blockSizeFor(size);
    // Large means larger than the blocks asked for lately: those go at the high end of a
    // free block, the others at its low end, so that like sizes end up side by side.
    const usual = proc.load64(typical);
    const large = usual !== 0 && needed > usual;
    proc.store64(typical, usual === 0 ? needed : usual + Math.trunc((needed - usual) / TYPICAL_WEIGHT));
    let block = heap.findFit(needed);
    if (block === 0) {
      const end = heap.epilogue();
      block = heap.extendHeap(needed);
      if (block === 0) return 0; // errno = ENOMEM
      // The heap grows by at least an eighth of its size, up to a page: room to spare, so
      // that the next requests too find a free block with two ends to choose from.
      const room = end === 0 ? 0 : Math.min(PAGE_SIZE, Math.floor((end - proc.load64(heapStart)) / 8));
      const grown = heap.epilogue() - end;
      if (grown < room) heap.growTop(room - grown); // merges with `block`; if it fails, block still fits
    }
    if (large) return heap.placeHigh(block, needed) + HEADER_SIZE;
    heap.place(block, needed);
    return block + HEADER_SIZE;
  }
  // #endregion malloc

  // #region realloc
  function realloc(ptr: number, size: number): number {
    // TODO: check the size first (requireSize, as malloc does). realloc(NULL, n) is
    // malloc(n); realloc(p, 0) frees p and returns NULL. Find the block (heap.blockOf). If
    // it is big enough for heap.blockSizeFor(size), shrink it in place; else try
    // growInPlace; else malloc, copy the old payload, free. When malloc fails, return NULL
    // and leave the old block as it was.
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
    // footer at the block's end, which the allocator wrote while the block was free. A
    // zero_from of 0 means no heap yet: nothing is known to be clean, so zero it all.
    todo('calloc(count, size): check, allocate, zero what is dirty');
  }
  // #endregion calloc

  function usableSize(ptr: number): number {
    // TODO: malloc_usable_size: the block's size less its header; 0 for NULL.
    todo('usableSize(ptr): what the block can hold');
  }

  return { malloc, free: heap.free, realloc, calloc, usableSize };
}
