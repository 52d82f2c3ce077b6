// Chapter 2: a heap walker. It reads the heap from its bytes alone: the global
// `global_base`, then each block_meta header and its `next` pointer.
// Check your work with `npm run check -- walk`; stuck? `npm run hint -- walk`.

import { HeapCorruption, hex, type Process } from '../../machine/index.ts';
import { BlockMeta, GLOBAL_BASE, MAGIC_FREE, MAGIC_USED, META_SIZE } from './free-list.ts';
import { todo } from '../../workbook/todo.ts';

export interface HeapBlock {
  /** The address of the header. */
  header: number;
  /** The address malloc returned: header + META_SIZE. */
  payload: number;
  size: number;
  free: boolean;
}

/** Every block in list order, checking each header as it goes. */
export function walkHeap(proc: Process): HeapBlock[] {
  // TODO: start from the header whose address is stored at proc.static(GLOBAL_BASE, 8)
  // and follow `next` until NULL. Throw a HeapCorruption for a header outside the heap,
  // out of address order (which also stops a cycle), starting inside the block before it,
  // or that breaks an invariant of block_meta: a valid magic, a size that is a positive
  // multiple of 16, free 0 or 1.
  todo('walkHeap(proc): list every block from global_base');
}

/**
 * One line per block, such as `0x01000020      48 bytes  used`: the payload's address (hex, 8
 * digits), two spaces, the size right-aligned in 6 characters, ` bytes  `, then `free` or `used`.
 */
export function formatHeap(proc: Process): string {
  // TODO: one line per block of walkHeap, in the format above, the lines joined by '\n'.
  todo('formatHeap(proc): print the walk');
}
