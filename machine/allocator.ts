// The C library's allocation interface, which every allocator of the workbook implements.

import type { Process } from './process.ts';

export interface Allocator {
  /** A pointer to at least `size` usable bytes, 16-byte aligned, or 0 (NULL) with errno = ENOMEM. */
  malloc(size: number): number;
  /** Gives a block back. `free(0)` does nothing. */
  free(ptr: number): void;
  /** Resizes a block, moving it (and its bytes) if it must. */
  realloc(ptr: number, size: number): number;
  /** A zeroed array of `count` elements of `size` bytes, or 0 if the product overflows. */
  calloc(count: number, size: number): number;
  /** How many bytes the block can really hold: malloc_usable_size. */
  usableSize?(ptr: number): number;
  /**
   * The allocator's own check of its heap, as malloc_zone_check: '' when every invariant
   * holds, else the first one broken. The trace driver calls it along a replay.
   */
  check?(): string;
}

/** What an allocator module exports. */
export type CreateAllocator = (proc: Process, options?: object) => Allocator;

/**
 * Throws the TypeError that the contract asks for when a size is not a non-negative
 * safe integer: in C such a size cannot even be written down as a size_t.
 */
export function requireSize(size: number, call: string): void {
  if (Number.isSafeInteger(size) && size >= 0) return;
  if (typeof size === 'number' && Number.isInteger(size) && size > Number.MAX_SAFE_INTEGER) {
    throw new TypeError(`${call}: the size ${size} is above Number.MAX_SAFE_INTEGER (2^53 - 1), so it cannot be exact. Did a product such as count * size overflow?`);
  }
  const c = typeof size === 'number' && Number.isInteger(size) && size < 0
    ? ` In C, ${size} passed as a size_t becomes ${(2n ** 64n + BigInt(size)).toString()}, and malloc fails with ENOMEM.`
    : '';
  throw new TypeError(`${call}: the size ${String(size)} is not a non-negative integer number of bytes.${c}`);
}

/** Rounds `size` up to a multiple of `alignment` (a power of two). */
export function alignUp(size: number, alignment: number): number {
  return Math.ceil(size / alignment) * alignment;
}
