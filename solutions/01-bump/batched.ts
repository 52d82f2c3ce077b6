// Chapter 1, second step: a bump allocator that moves the break in big steps and hands
// out the bytes in between without a syscall. Its two globals live in the data segment.

import { alignUp, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { ALIGNMENT, bumpAllocatorFrom } from './bump.ts';

/** How far the break moves at a time: one syscall then serves many small mallocs. */
export const BREAK_STEP = 64 * 1024; // 64 KiB

export function createAllocator(proc: Process): Allocator {
  // #region globals
  // static void *next, *end; the unused bytes between the two are ours to hand out.
  const nextAddr = proc.static('bump.next', 8);
  const endAddr = proc.static('bump.end', 8);
  // #endregion globals

  // #region malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    const request = alignUp(Math.max(size, 1), ALIGNMENT);
    let next = proc.load64(nextAddr);
    let end = proc.load64(endAddr);
    if (end - next < request) {
      // A whole step if the heap has room for it, else just the bytes still missing.
      let step = alignUp(request, BREAK_STEP);
      let old = proc.sbrk(step);
      if (old === -1) {
        step = request - (end - next);
        old = proc.sbrk(step);
        if (old === -1) return 0; // errno = ENOMEM
      }
      // If someone else moved the break, our old space is not adjacent: start afresh.
      if (old !== end) next = alignUp(old, ALIGNMENT);
      end = old + step;
      proc.store64(endAddr, end);
      if (end - next < request) {
        proc.store64(nextAddr, next); // a short step after a jump: grow again, now adjacent
        return malloc(size);
      }
    }
    proc.store64(nextAddr, next + request);
    return next;
  }
  // #endregion malloc

  // free, realloc and calloc are those of the simple bump allocator: only malloc changed.
  return bumpAllocatorFrom(proc, malloc);
}
