// Chapter 2: headers and a free list. Every block carries a header, struct block_meta,
// just below the pointer malloc returns; the headers form a singly linked list of all
// blocks, in address order, from the global `global_base`. malloc reuses the first free
// block that is big enough (first fit) and asks sbrk for more only when none is.

import { HeapCorruption, alignUp, cstruct, hex, requireSize, ENOMEM, type Allocator, type Process } from '../../machine/index.ts';

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

  // #region find-free-block
  /** The first free block of at least `size` bytes, and the last block visited. */
  function findFreeBlock(size: number): { block: number; last: number } {
    let last = 0;
    let block = proc.load64(globalBase);
    while (block !== 0 && !(BlockMeta.read(proc, block, 'free') === 1 && BlockMeta.read(proc, block, 'size') >= size)) {
      last = block;
      block = BlockMeta.read(proc, block, 'next');
    }
    return { block, last };
  }
  // #endregion find-free-block

  // #region request-space
  /** A new block of `size` bytes at the break, linked after `last`; 0 if sbrk fails. */
  function requestSpace(last: number, size: number): number {
    let block = proc.sbrk(META_SIZE + size);
    if (block === -1) return 0; // errno = ENOMEM
    // Aligned unless someone else moved the break: then pad, as in chapter 1.
    const padding = (ALIGNMENT - (block % ALIGNMENT)) % ALIGNMENT;
    if (padding !== 0) {
      if (proc.sbrk(padding) === -1) return 0;
      block += padding;
    }
    const header = BlockMeta.at(proc, block);
    header.size = size;
    header.next = 0;
    header.free = 0;
    header.magic = MAGIC_USED;
    if (last !== 0) BlockMeta.write(proc, last, 'next', block);
    return block;
  }
  // #endregion request-space

  // #region malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    const request = alignUp(Math.max(size, 1), ALIGNMENT);
    const { block, last } = findFreeBlock(request);
    if (block !== 0) {
      BlockMeta.write(proc, block, 'free', 0);
      BlockMeta.write(proc, block, 'magic', MAGIC_USED);
      return block + META_SIZE;
    }
    const fresh = requestSpace(last, request);
    if (fresh === 0) return 0;
    if (last === 0) proc.store64(globalBase, fresh); // the very first block
    return fresh + META_SIZE;
  }
  // #endregion malloc

  // #region block-of
  /** The header of the live block whose payload starts at `ptr`, or a HeapCorruption naming the misuse. */
  function blockOf(ptr: number, call: string): number {
    const block = ptr - META_SIZE;
    if (block < proc.heapStart || ptr >= proc.currentBreak || ptr % ALIGNMENT !== 0) {
      const heap = `${hex(proc.heapStart)} to ${hex(proc.currentBreak)}`;
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}`, ptr, `it is not a 16-byte aligned address in the heap (${heap})`);
    }
    const header = `${BlockMeta.describe(proc, block)}\n${proc.hexdump(block, META_SIZE + 16, { from: block, to: block + META_SIZE })}`;
    const magic = BlockMeta.read(proc, block, 'magic');
    if (magic === MAGIC_FREE) {
      const what = call === 'free()' ? 'free(): double free detected' : `${call}: invalid pointer ${hex(ptr)}`;
      throw new HeapCorruption(what, ptr, `the block at ${hex(ptr)} is already free: ${header}`);
    }
    if (magic !== MAGIC_USED) {
      const why = `the bytes below it are not a block header (magic ${hex(MAGIC_USED)}): ${header}`;
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}`, ptr, why);
    }
    return block;
  }
  // #endregion block-of

  // #region free
  function free(ptr: number): void {
    if (ptr === 0) return;
    const block = blockOf(ptr, 'free()');
    BlockMeta.write(proc, block, 'free', 1);
    BlockMeta.write(proc, block, 'magic', MAGIC_FREE);
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
    const block = blockOf(ptr, 'realloc()');
    const oldSize = BlockMeta.read(proc, block, 'size');
    if (oldSize >= size) return ptr; // it already fits
    const moved = malloc(size);
    if (moved === 0) return 0; // the old block stays valid
    proc.memcpy(moved, ptr, oldSize);
    free(ptr);
    return moved;
  }
  // #endregion realloc

  function calloc(count: number, size: number): number {
    requireSize(count, `calloc(${count}, ${size})`);
    requireSize(size, `calloc(${count}, ${size})`);
    if (count !== 0 && size > Number.MAX_SAFE_INTEGER / count) {
      proc.errno = ENOMEM;
      return 0;
    }
    const ptr = malloc(count * size);
    if (ptr !== 0) proc.memset(ptr, 0, count * size); // a reused block holds old bytes
    return ptr;
  }

  function usableSize(ptr: number): number {
    if (ptr === 0) return 0; // as glibc's malloc_usable_size(NULL)
    return BlockMeta.read(proc, blockOf(ptr, 'malloc_usable_size()'), 'size');
  }

  return { malloc, free, realloc, calloc, usableSize };
}
