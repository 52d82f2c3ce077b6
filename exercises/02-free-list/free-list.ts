// Chapter 2: headers and a free list. Every block carries a header, struct block_meta,
// just below the pointer malloc returns; the headers form a singly linked list of all
// blocks, in address order, from the global `global_base`. malloc reuses the first free
// block that is big enough (first fit) and asks sbrk for more only when none is.
// Check your work with `npm run check -- free-list`; stuck? `npm run hint -- free-list`.

import { HeapCorruption, alignUp, cstruct, hex, requireSize, ENOMEM, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

export const ALIGNMENT = 16;

// #region block-meta
/**
 * struct block_meta { size_t size; struct block_meta *next; int free; int magic; };
 * Invariants: `size` is the payload's size, a multiple of 16; `next` is the next block in
 * address order or NULL; `free` is 0 or 1; `magic` is MAGIC_USED or MAGIC_FREE.
 */
export const BlockMeta = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32' });

/** The header rounded up to the alignment, so that payloads stay 16-byte aligned: 32 bytes. */
export const META_SIZE = alignUp(BlockMeta.sizeof, ALIGNMENT);

export const MAGIC_USED = 0x1234_5678;
export const MAGIC_FREE = 0x5555_5555;
// #endregion block-meta

/** The name of the global that holds the address of the first block's header. */
export const GLOBAL_BASE = 'global_base';

export function createAllocator(proc: Process): Allocator {
  const globalBase = proc.static(GLOBAL_BASE, 8);

  /** The first free block of at least `size` bytes, and the last block visited. */
  function findFreeBlock(size: number): { block: number; last: number } {
    // TODO: walk the list from the block at globalBase (proc.load64), following `next`
    // (BlockMeta.read), until a block is free and big enough; remember the last one seen.
    todo('findFreeBlock(size): first fit over the list of blocks');
  }

  /** A new block of `size` bytes at the break, linked after `last`; 0 if sbrk fails. */
  function requestSpace(last: number, size: number): number {
    // TODO: sbrk room for a header and the payload (padding the block to ALIGNMENT if
    // someone else left the break unaligned), fill in the header (size, next = 0, free = 0,
    // MAGIC_USED) and link it after `last` when there is one.
    todo('requestSpace(last, size): a new block at the break');
  }

  function malloc(size: number): number {
    // TODO: check and round the size; reuse findFreeBlock's block (marking it used: free = 0
    // and magic = MAGIC_USED), or requestSpace after the last block (when there is no block
    // yet, the new one becomes global_base). Return the payload: the address just past the header.
    todo('malloc(size): reuse a free block or request space');
  }

  /** The header of the live block whose payload starts at `ptr`, or a HeapCorruption naming the misuse. */
  function blockOf(ptr: number, call: string): number {
    // TODO: the header is META_SIZE bytes below ptr. Before reading it, make sure it is in
    // the heap. A MAGIC_FREE header means the block was freed: for free() that is
    // 'free(): double free detected'. Anything but MAGIC_USED is
    // new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}`, ptr, <the header's bytes>).
    todo('blockOf(ptr, call): find and check the header below ptr');
  }

  function free(ptr: number): void {
    // TODO: free(NULL) does nothing. Otherwise find the block with blockOf (which refuses a
    // double free) and mark it free (free = 1, magic = MAGIC_FREE).
    todo('free(ptr): mark the block free, refusing misuse');
  }

  function realloc(ptr: number, size: number): number {
    // TODO: NULL and 0 as in chapter 1. If the block is already big enough, keep it;
    // otherwise malloc, copy the old payload (its size is in the header), and free.
    todo('realloc(ptr, size): keep or move the block');
  }

  function calloc(count: number, size: number): number {
    // TODO: the overflow check, then malloc and zero: a reused block holds old bytes.
    todo('calloc(count, size): a zeroed array');
  }

  function usableSize(ptr: number): number {
    // TODO: the size recorded in the block's header; 0 for NULL, as glibc answers.
    todo('usableSize(ptr): malloc_usable_size');
  }

  return { malloc, free, realloc, calloc, usableSize };
}
