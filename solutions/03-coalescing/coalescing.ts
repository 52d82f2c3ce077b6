// Chapter 3: splitting and coalescing. Blocks lie back to back from the heap start to an
// epilogue header; free blocks also carry a footer (a boundary tag) and sit on an explicit,
// doubly linked free list. malloc splits a block that is too big; free merges a block with
// free neighbours on both sides, and gives a large free top of the heap back to the kernel.

import { ENOMEM, HeapCorruption, PAGE_SIZE, alignUp, cstruct, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';

export const ALIGNMENT = 16;

// #region layout
/**
 * Every block starts with a header; `size` counts the whole block (header included) and
 * is a multiple of 16. A block's payload starts right after the header, 16-byte aligned.
 */
export const Header = cstruct({ size: 'size_t', flags: 'u32', magic: 'u32' });
export const HEADER_SIZE = Header.sizeof; // 16

/** flags: the block is allocated. */
export const USED = 1;
/** flags: the block just before this one is free (so its footer is valid). */
export const PREV_FREE = 2;
export const MAGIC = 0xa110_c8ed;

/** A free block keeps its list links where the payload was, and its size in its last 8 bytes. */
export const FreeLinks = cstruct({ next: 'ptr', prev: 'ptr' });
export const FOOTER_SIZE = 8;

/** The smallest block that can be free: header, links and footer, rounded to 16: 48 bytes. */
export const MIN_BLOCK = alignUp(HEADER_SIZE + FreeLinks.sizeof + FOOTER_SIZE, ALIGNMENT);
// #endregion layout

/** Where a search for a free block starts and stops. */
export type FitPolicy = 'first' | 'next' | 'best';

export interface CoalescingOptions {
  fit?: FitPolicy;
  /** A free block this large at the top of the heap is given back with sbrk. Default 128 KiB. */
  trimThreshold?: number;
}

/** The globals of the allocator, in the data segment. */
export const GLOBALS = {
  heapStart: 'heap_start', // the first block
  epilogue: 'heap_epilogue', // the size-0 header that ends the heap
  freeList: 'free_list', // the first free block
  rover: 'next_fit_rover', // where next fit resumes
  zeroFrom: 'zero_from', // every heap byte at or above it is still zero (used by chapter 4)
} as const;

/** The allocator's inner operations, which chapter 4 builds on. */
export interface CoalescingHeap extends Allocator {
  /** Header address of the live block whose payload is `ptr`; a HeapCorruption for anything else. */
  blockOf(ptr: number, call: string): number;
  blockSize(block: number): number;
  isFree(block: number): boolean;
  /** The block after `block`, or the epilogue. */
  nextBlock(block: number): number;
  epilogue(): number;
  /** Merges the free block after the used block `block` into it. */
  absorbNext(block: number): void;
  /** Shrinks the used block `block` to `size` bytes, freeing the rest if it can hold a block. */
  shrinkInPlace(block: number, size: number): void;
  /** Grows the heap at the top by at least `wanted` bytes (rounded up to 16, and never less than MIN_BLOCK), as a free block merged with a free top block; false (errno = ENOMEM) if sbrk fails. */
  growTop(bytes: number): boolean;
  /** Block size for a request of `size` payload bytes. */
  blockSizeFor(size: number): number;
  /** A free block of at least `size` bytes, by the fit policy; 0 if there is none. */
  findFit(size: number): number;
  /** A free block of at least `size` bytes at the top of the heap, grown by what is missing; 0 (errno = ENOMEM) if sbrk fails. */
  extendHeap(size: number): number;
  /** Allocates the first `size` bytes of the free block `block`, freeing the rest if it can be a block. */
  place(block: number, size: number): void;
  /** Allocates the last `size` bytes of the free block `block`, leaving the rest free before it; returns the allocated block. */
  placeHigh(block: number, size: number): number;
}

export function createHeap(proc: Process, options: CoalescingOptions = {}): CoalescingHeap {
  const fit = options.fit ?? 'first';
  const trimThreshold = options.trimThreshold ?? 128 * 1024;
  if (!['first', 'next', 'best'].includes(fit)) throw new TypeError(`createAllocator: fit '${fit}' is not one of first, next, best`);
  if (!Number.isSafeInteger(trimThreshold) || trimThreshold < 0) throw new TypeError(`createAllocator: trimThreshold ${trimThreshold} is not a number of bytes`);
  const g = {
    heapStart: proc.static(GLOBALS.heapStart, 8),
    epilogue: proc.static(GLOBALS.epilogue, 8),
    freeList: proc.static(GLOBALS.freeList, 8),
    rover: proc.static(GLOBALS.rover, 8),
    zeroFrom: proc.static(GLOBALS.zeroFrom, 8),
  };

  const sizeOf = (block: number) => Header.read(proc, block, 'size');
  const flagsOf = (block: number) => Header.read(proc, block, 'flags');
  const isFree = (block: number) => (flagsOf(block) & USED) === 0;
  const nextBlock = (block: number) => block + sizeOf(block);
  const epilogue = () => proc.load64(g.epilogue);

  function setHeader(block: number, size: number, flags: number): void {
    Header.write(proc, block, 'size', size);
    Header.write(proc, block, 'flags', flags);
    Header.write(proc, block, 'magic', MAGIC);
  }

  function setFlag(block: number, flag: number, on: boolean): void {
    const flags = flagsOf(block);
    Header.write(proc, block, 'flags', on ? flags | flag : flags & ~flag);
  }

  // #region free-list
  function insertFree(block: number): void {
    const head = proc.load64(g.freeList);
    FreeLinks.write(proc, block + HEADER_SIZE, 'next', head);
    FreeLinks.write(proc, block + HEADER_SIZE, 'prev', 0);
    if (head !== 0) FreeLinks.write(proc, head + HEADER_SIZE, 'prev', block);
    proc.store64(g.freeList, block);
  }

  function removeFree(block: number): void {
    const next = FreeLinks.read(proc, block + HEADER_SIZE, 'next');
    const prev = FreeLinks.read(proc, block + HEADER_SIZE, 'prev');
    if (prev === 0) proc.store64(g.freeList, next);
    else FreeLinks.write(proc, prev + HEADER_SIZE, 'next', next);
    if (next !== 0) FreeLinks.write(proc, next + HEADER_SIZE, 'prev', prev);
    if (proc.load64(g.rover) === block) proc.store64(g.rover, next);
  }
  // #endregion free-list

  // #region find-fit
  function findFit(size: number): number {
    const head = proc.load64(g.freeList);
    const nextFree = (block: number) => FreeLinks.read(proc, block + HEADER_SIZE, 'next');
    if (fit === 'best') {
      let best = 0;
      for (let block = head; block !== 0; block = nextFree(block)) {
        const blockSize = sizeOf(block);
        if (blockSize >= size && (best === 0 || blockSize < sizeOf(best))) {
          best = block;
          if (blockSize === size) break; // nothing fits better
        }
      }
      return best;
    }
    // First fit starts at the head; next fit where the last search stopped, wrapping once.
    const start = fit === 'next' ? proc.load64(g.rover) || head : head;
    for (let block = start; block !== 0; block = nextFree(block)) {
      if (sizeOf(block) >= size) return rememberRover(block);
    }
    for (let block = head; block !== start && block !== 0; block = nextFree(block)) {
      if (sizeOf(block) >= size) return rememberRover(block);
    }
    return 0;
  }

  function rememberRover(block: number): number {
    if (fit === 'next') proc.store64(g.rover, FreeLinks.read(proc, block + HEADER_SIZE, 'next'));
    return block;
  }
  // #endregion find-fit

  // #region place
  /** Allocates `size` bytes of the free block `block`, splitting off the rest when it can be a block. */
  function place(block: number, size: number): void {
    removeFree(block);
    const blockSize = sizeOf(block);
    const prevFree = flagsOf(block) & PREV_FREE;
    if (blockSize - size >= MIN_BLOCK) {
      setHeader(block, size, USED | prevFree);
      makeFree(block + size, blockSize - size, 0); // the next block's PREV_FREE stays set
    } else {
      setHeader(block, blockSize, USED | prevFree);
      setFlag(block + blockSize, PREV_FREE, false);
    }
  }

  /** Writes a free block's header and footer and puts it on the free list. */
  function makeFree(block: number, size: number, prevFree: number): void {
    setHeader(block, size, prevFree);
    proc.store64(block + size - FOOTER_SIZE, size);
    insertFree(block);
  }
  // #endregion place

  // #region coalesce
  /** Merges the free block `block` (not on the list) with free neighbours; returns the result, on the list. */
  function coalesce(block: number): number {
    let start = block;
    let size = sizeOf(block);
    const next = block + size;
    if (next !== epilogue() && isFree(next)) {
      removeFree(next);
      size += sizeOf(next);
    }
    if (flagsOf(block) & PREV_FREE) {
      const prevSize = proc.load64(block - FOOTER_SIZE); // the previous block's footer
      start = block - prevSize;
      removeFree(start);
      size += prevSize;
    }
    // Two free blocks are never neighbours, so the block before `start` is in use.
    makeFree(start, size, 0);
    setFlag(start + size, PREV_FREE, true);
    return start;
  }
  // #endregion coalesce

  // #region extend
  /** Makes the heap at least `wanted` bytes bigger at the top, as a free block merged with a free top block. */
  function growTop(wanted: number): boolean {
    // The new space must be able to stand alone as a free block: header, links, footer.
    const bytes = Math.max(alignUp(wanted, ALIGNMENT), MIN_BLOCK);
    const first = proc.load64(g.heapStart) === 0;
    if (first) {
      // Start the heap on a 16-byte boundary, even if someone left the break unaligned.
      const padding = (ALIGNMENT - (proc.sbrk(0) % ALIGNMENT)) % ALIGNMENT;
      if (padding !== 0 && proc.sbrk(padding) === -1) return false;
    }
    // The first growth also makes room for the epilogue: the heap is then [block][epilogue].
    const old = proc.sbrk(first ? bytes + HEADER_SIZE : bytes);
    if (old === -1) return false; // errno = ENOMEM
    if (first) {
      proc.store64(g.heapStart, old);
      proc.store64(g.epilogue, old);
      // The page holding the old break may hold someone's bytes; the pages above it are fresh.
      proc.store64(g.zeroFrom, alignUp(old, PAGE_SIZE));
      setHeader(old, 0, USED);
    }
    const end = epilogue();
    if (old !== end + HEADER_SIZE && old !== end) {
      throw new HeapCorruption(
        `sbrk(${bytes}): the break moved under the allocator`,
        old,
        `the heap ended at ${hex(end + HEADER_SIZE)}, but sbrk returned ${hex(old)}: ` +
          'something else moved the break, and this allocator needs its heap in one piece',
      );
    }
    const prevFree = flagsOf(end) & PREV_FREE;
    // The old epilogue becomes the header of a new free block; a new epilogue follows it.
    setHeader(end, bytes, prevFree);
    const newEnd = end + bytes;
    setHeader(newEnd, 0, USED);
    proc.store64(g.epilogue, newEnd);
    proc.store64(g.zeroFrom, Math.max(proc.load64(g.zeroFrom), newEnd + HEADER_SIZE));
    coalesce(end); // writes the footer and puts the block on the free list
    return true;
  }

  /** A free block of at least `size` bytes at the top of the heap, growing it only by what is missing. */
  function extendHeap(size: number): number {
    const end = epilogue();
    const topFree = end !== 0 && (flagsOf(end) & PREV_FREE) !== 0 ? proc.load64(end - FOOTER_SIZE) : 0;
    if (!growTop(size - topFree)) return 0;
    const top = epilogue();
    return top - proc.load64(top - FOOTER_SIZE); // the free block that now ends the heap
  }
  // #endregion extend

  // #region trim
  /** Gives a large free block at the top of the heap back to the kernel. */
  function trim(block: number): void {
    const size = sizeOf(block);
    if (block + size !== epilogue() || size < trimThreshold) return;
    removeFree(block);
    proc.sbrk(-size);
    setHeader(block, 0, USED); // the new epilogue; the block before it is in use
    proc.store64(g.epilogue, block);
    // The page holding the new break keeps old bytes; the pages after it went back to the kernel.
    proc.store64(g.zeroFrom, alignUp(block + HEADER_SIZE, PAGE_SIZE));
  }
  // #endregion trim

  function blockSizeFor(size: number): number {
    return Math.max(MIN_BLOCK, alignUp(size + HEADER_SIZE, ALIGNMENT));
  }

  // #region malloc
  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    const needed = blockSizeFor(size);
    let block = findFit(needed);
    if (block === 0) {
      block = extendHeap(needed);
      if (block === 0) return 0;
    }
    place(block, needed);
    return block + HEADER_SIZE;
  }
  // #endregion malloc

  // #region block-of
  function blockOf(ptr: number, call: string): number {
    const block = ptr - HEADER_SIZE;
    const start = proc.load64(g.heapStart);
    const inHeap = start !== 0 && block >= start && block < epilogue() && ptr % ALIGNMENT === 0;
    if (!inHeap || Header.read(proc, block, 'magic') !== MAGIC) {
      const dump = inHeap ? `\nthe bytes where its header would be:\n${proc.hexdump(block, HEADER_SIZE + 16, { from: block, to: ptr })}` : '';
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)}`, ptr, `no block header (magic ${hex(MAGIC)}) sits below it${dump}`);
    }
    if (isFree(block)) {
      const what = call === 'free()' ? 'free(): double free detected' : `${call}: invalid pointer ${hex(ptr)}`;
      throw new HeapCorruption(what, ptr, `the block at ${hex(ptr)} is already free: ${Header.describe(proc, block)}\n${proc.hexdump(block, HEADER_SIZE + 16, { from: block, to: ptr })}`);
    }
    return block;
  }
  // #endregion block-of

  // #region free
  function free(ptr: number): void {
    if (ptr === 0) return;
    const block = blockOf(ptr, 'free()');
    setHeader(block, sizeOf(block), flagsOf(block) & PREV_FREE); // free: USED cleared
    trim(coalesce(block)); // coalesce writes the footer and puts the block on the free list
  }
  // #endregion free

  // #region place-high
  function placeHigh(block: number, size: number): number {
    const blockSize = sizeOf(block);
    if (blockSize - size < MIN_BLOCK) {
      place(block, size); // no room for a free block below: take the whole block
      return block;
    }
    removeFree(block);
    makeFree(block, blockSize - size, flagsOf(block) & PREV_FREE); // the low part stays free
    const high = block + blockSize - size;
    setHeader(high, size, USED | PREV_FREE);
    setFlag(high + size, PREV_FREE, false);
    return high;
  }
  // #endregion place-high

  function absorbNext(block: number): void {
    const next = nextBlock(block);
    removeFree(next);
    const size = sizeOf(block) + sizeOf(next);
    setHeader(block, size, flagsOf(block));
    setFlag(block + size, PREV_FREE, false);
  }

  function shrinkInPlace(block: number, size: number): void {
    const blockSize = sizeOf(block);
    if (blockSize - size < MIN_BLOCK) return;
    setHeader(block, size, USED | (flagsOf(block) & PREV_FREE));
    const rest = block + size;
    setHeader(rest, blockSize - size, 0);
    trim(coalesce(rest));
  }

  // Chapter 4 replaces these two with better ones.
  function realloc(ptr: number, size: number): number {
    requireSize(size, `realloc(${hex(ptr)}, ${size})`);
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr);
      return 0;
    }
    const block = blockOf(ptr, 'realloc()');
    if (blockSizeFor(size) <= sizeOf(block)) return ptr; // it already fits
    const old = sizeOf(block) - HEADER_SIZE;
    const moved = malloc(size);
    if (moved === 0) return 0;
    proc.memcpy(moved, ptr, Math.min(old, size));
    free(ptr);
    return moved;
  }

  function calloc(count: number, size: number): number {
    requireSize(count, `calloc(${count}, ${size})`);
    requireSize(size, `calloc(${count}, ${size})`);
    if (count !== 0 && size > Number.MAX_SAFE_INTEGER / count) {
      proc.errno = ENOMEM;
      return 0;
    }
    const ptr = malloc(count * size);
    if (ptr !== 0) proc.memset(ptr, 0, count * size);
    return ptr;
  }

  return {
    malloc,
    free,
    realloc,
    calloc,
    usableSize: (ptr) => (ptr === 0 ? 0 : sizeOf(blockOf(ptr, 'malloc_usable_size()')) - HEADER_SIZE),
    blockOf,
    blockSize: sizeOf,
    isFree,
    nextBlock,
    epilogue,
    absorbNext,
    shrinkInPlace,
    growTop,
    blockSizeFor,
    findFit,
    extendHeap,
    place,
    placeHigh,
  };
}

export function createAllocator(proc: Process, options: CoalescingOptions = {}): Allocator {
  const { malloc, free, realloc, calloc, usableSize } = createHeap(proc, options);
  return { malloc, free, realloc, calloc, usableSize };
}
