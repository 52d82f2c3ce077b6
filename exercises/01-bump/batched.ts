// Chapter 1, second step: a bump allocator that moves the break in big steps and hands
// out the bytes in between without a syscall. Its two globals live in the data segment.
// Check your work with `npm run check -- batched`; stuck? `npm run hint -- batched`.

import { alignUp, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { ALIGNMENT, bumpAllocatorFrom } from './bump.ts';

/** How far the break moves at a time: one syscall then serves many small mallocs. */
export const BREAK_STEP = 64 * 1024; // 64 KiB

export function createAllocator(proc: Process): Allocator {
  // #region globals
  // static void *next, *end; the unused bytes between the two are ours to hand out.
  const nextAddr = proc.static('bump.next', 8);
  const endAddr = proc.static('bump.end', 8);
  // #endregion globals

  function malloc(size: number): number {
    // TODO: hand out the block at `next` (read it with proc.load64(nextAddr)) when it
    // fits before `end`; otherwise move the break by a multiple of BREAK_STEP first (or,
    // if that fails, by just the missing bytes). Keep next and end in simulated memory.
    todo('malloc(size): serve from [next, end), growing the break a step at a time');
  }

  // free, realloc and calloc are those of the simple bump allocator: only malloc changed.
  return bumpAllocatorFrom(proc, malloc);
}
