// Chapter 1: the bump allocator. Every malloc moves the program break up with sbrk and
// hands out the bytes it passed over; free cannot give anything back.
// Check your work with `npm run check -- bump`; stuck? `npm run hint -- bump`.

import { ENOMEM, HeapCorruption, alignUp, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

/** Every pointer malloc returns is a multiple of this, as on 64-bit Linux and macOS. */
export const ALIGNMENT = 16;

export function createAllocator(proc: Process): Allocator {
  function malloc(size: number): number {
    // TODO: check the size (requireSize), round it up to ALIGNMENT (malloc(0) too must
    // get a block of its own), move the break with proc.sbrk, and return the old break.
    // When sbrk fails it returns -1 and has set proc.errno: return NULL (0).
    // If someone else left the break unaligned, pad the block up to the next boundary.
    todo('malloc(size): grow the heap with sbrk and return the new block');
  }

  return bumpAllocatorFrom(proc, malloc);
}

/**
 * The rest of a bump allocator around a given malloc: free, realloc and calloc need
 * nothing but malloc and the break, so the batched allocator reuses them.
 */
export function bumpAllocatorFrom(proc: Process, malloc: (size: number) => number): Allocator {
  function free(ptr: number): void {
    // TODO: free(0) does nothing. A bump allocator cannot reuse a block, but it can refuse
    // a pointer it never handed out (outside the heap, or not aligned) by throwing
    // new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr).
    todo('free(ptr): accept NULL and live blocks, refuse anything else');
  }

  function realloc(ptr: number, size: number): number {
    // TODO: realloc(NULL, n) is malloc(n); realloc(p, 0) frees p and returns NULL.
    // Otherwise get a new block and copy the old bytes into it. We do not know the old
    // size, but the old block ended before the new one began.
    todo('realloc(ptr, size): move the block into a new one');
  }

  function calloc(count: number, size: number): number {
    // TODO: refuse count * size that overflows (NULL, errno = ENOMEM) before you
    // multiply; then malloc and zero the block: never assume memory is fresh.
    todo('calloc(count, size): a zeroed array, or NULL on overflow');
  }

  return { malloc, free, realloc, calloc };
}
