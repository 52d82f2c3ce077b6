// Chapter 1: the bump allocator, first step to last.
import { describe, expect, it } from 'vitest';
import { ENOMEM, HeapCorruption, PAGE_SIZE, Process, hex } from '../../machine/index.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';

const { createAllocator } = await loadAllocator('bump');

function setUp(options = {}) {
  const proc = new Process(options);
  return { proc, heap: createAllocator(proc) };
}

describe('malloc', () => {
  it('returns a pointer inside the heap', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(24);
    expect(p, `malloc(24) returned NULL (0); errno = ${proc.errno}`).not.toBe(0);
    const inside = p >= proc.heapStart && p + 24 <= proc.currentBreak;
    expect(inside, `malloc(24) returned ${hex(p)}, but the heap runs from ${hex(proc.heapStart)} to the break at ${hex(proc.currentBreak)}: did you move the break with proc.sbrk?`).toBe(true);
  });

  it('returns 16-byte aligned pointers, whatever the sizes asked before', () => {
    const { heap } = setUp();
    for (const size of [1, 3, 8, 13, 16, 17, 31, 100]) {
      const p = heap.malloc(size);
      expect(p % 16, `malloc(${size}) returned ${hex(p)}, which is ${p % 16} byte${p % 16 === 1 ? '' : 's'} past a multiple of 16: round every request up to 16`).toBe(0);
    }
  });

  it('stays aligned when something else left the break unaligned', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    proc.sbrk(8); // another part of the program moved the break
    const p = heap.malloc(16);
    expect(p % 16, `after sbrk(8) by someone else, malloc(16) returned ${hex(p)}: pad up to the next multiple of 16`).toBe(0);
    const brk = proc.currentBreak;
    expect(
      p + 16 <= brk,
      `after sbrk(8) by someone else, malloc(16) returned ${hex(p)}, a block that ends at ${hex(p + 16)}, past the break at ${hex(brk)}: ` +
        `the padded block must still fit below the break, so move the break by the padding too (here 8 bytes), not only by the request:\n${around(proc, p, 16)}`,
    ).toBe(true);
  });

  it('returns NULL when the padding does not fit, not a block that runs past the break', () => {
    const { proc, heap } = setUp({ heapLimit: 252 });
    heap.malloc(16);
    proc.sbrk(8); // the break is now 8 bytes past a multiple of 16: malloc must pad by 8
    proc.errno = 0;
    const p = heap.malloc(224); // 224 bytes fit below the limit, 224 + 8 of padding do not
    expect(
      p === 0 || p + 224 <= proc.currentBreak,
      `malloc(224) returned ${hex(p)}, a block that ends at ${hex(p + 224)}, past the break at ${hex(proc.currentBreak)}: the sbrk for the padding failed (the heap may not grow past ${hex(proc.heapStart + 252)}), so return NULL`,
    ).toBe(true);
    expect(hex(p), 'the heap has room for 224 bytes but not for them and 8 of padding: malloc(224) must return NULL (0)').toBe(hex(0));
    expect(proc.errno, 'and leave errno = ENOMEM, as the failed sbrk set it').toBe(ENOMEM);
  });

  it('gives blocks that do not overlap: writing one leaves the others intact', () => {
    const { proc, heap } = setUp();
    const sizes = [24, 1, 100, 16, 7, 64];
    const blocks = sizes.map((size) => heap.malloc(size));
    blocks.forEach((p, i) => fillPattern(proc, p, sizes[i], i));
    blocks.forEach((p, i) => {
      const damage = findPatternDamage(proc, p, sizes[i], i);
      expect(damage, `block ${i} (malloc(${sizes[i]}) = ${hex(p)}) was overwritten at ${hex(damage ?? 0)} by a later block:\n${around(proc, p, sizes[i])}`).toBeUndefined();
    });
  });

  it('moves the break by exactly the rounded size: no more, no less', () => {
    const { proc, heap } = setUp();
    heap.malloc(1);
    heap.malloc(16);
    heap.malloc(17);
    expect(proc.stats().heapBytes, 'malloc(1), malloc(16) and malloc(17) need 16 + 16 + 32 = 64 bytes of heap').toBe(64);
    heap.malloc(0);
    expect(proc.stats().heapBytes - 64, `malloc(0) must take one aligned unit, 16 bytes, and leave the break aligned; the break is now at ${hex(proc.currentBreak)}`).toBe(16);
  });

  it('returns a unique pointer for malloc(0)', () => {
    const { heap } = setUp();
    const a = heap.malloc(0);
    const b = heap.malloc(0);
    expect(a, 'malloc(0) returned NULL; like glibc, return a unique pointer that free accepts').not.toBe(0);
    expect(hex(b), `two calls of malloc(0) both returned ${hex(a)}`).not.toBe(hex(a));
  });

  it('returns NULL and sets errno = ENOMEM when the break cannot move', () => {
    const { proc, heap } = setUp({ heapLimit: PAGE_SIZE });
    expect(heap.malloc(PAGE_SIZE - 16), `malloc(${PAGE_SIZE - 16}) fits in the ${PAGE_SIZE} bytes the heap may have`).not.toBe(0);
    proc.errno = 0;
    const p = heap.malloc(32);
    expect(hex(p), `malloc(32) with 16 bytes of heap left must return NULL (0), not ${p === -1 ? "-1 (that is sbrk's way to fail, not malloc's)" : hex(p)}`).toBe(hex(0));
    expect(proc.errno, 'errno must say why: ENOMEM (12)').toBe(ENOMEM);
    const limit = proc.heapStart + PAGE_SIZE;
    const brk = proc.currentBreak;
    const left = limit - brk;
    const q = heap.malloc(16);
    const why =
      left >= 16
        ? `malloc(16) with ${left} bytes left below the limit at ${hex(limit)} (the break is at ${hex(brk)}) returned NULL, errno = ${proc.errno}: ` +
          'a request that still fits must succeed after a failure; a failed sbrk changes nothing, so nothing in malloc should remember it'
        : `the failed malloc(32) moved the break to ${hex(brk)}, leaving ${left} bytes below the limit at ${hex(limit)}, too few for malloc(16): ` +
          'a malloc that returns NULL must leave the break where it was';
    expect(q, why).not.toBe(0);
  });

  it('returns NULL, not an exception, for a size no heap can hold', () => {
    const { proc, heap } = setUp();
    const size = 2 ** 53 - 1;
    const before = proc.currentBreak;
    const p = heap.malloc(size);
    // A pointer for this size comes from a request cut short: a break moved by a few bytes only.
    const cut = p !== 0 && proc.currentBreak - before <= 64;
    expect(
      hex(p),
      `malloc(2^53 - 1), that is malloc(${size}), is a valid size that simply cannot be served: it must return NULL (0), not ${hex(p)}; ` +
        (cut
          ? `the break moved by ${proc.currentBreak - before} bytes only: JavaScript's bitwise operators work on 32-bit integers, so the C idiom (size + 15) & ~15 cuts this size to ${(size + 15) & ~15} bytes: round with alignUp`
          : 'sbrk must be asked for the whole rounded size, and its failure (-1, errno ENOMEM) passed on as NULL'),
    ).toBe(hex(0));
    expect(proc.errno, 'errno must say why: ENOMEM (12)').toBe(ENOMEM);
  });

  it('throws a TypeError for a size that is not a non-negative integer', () => {
    const { heap } = setUp();
    expect(() => heap.malloc(-1), 'malloc(-1): use requireSize from the machine').toThrow(TypeError);
    expect(() => heap.malloc(2.5), 'malloc(2.5)').toThrow(TypeError);
    expect(() => heap.malloc(Number.NaN), 'malloc(NaN)').toThrow(TypeError);
  });
});

describe('free', () => {
  it('does nothing for NULL, and leaves live blocks intact', () => {
    const { proc, heap } = setUp();
    const a = heap.malloc(32);
    const b = heap.malloc(32);
    fillPattern(proc, b, 32, 7);
    heap.free(0);
    heap.free(a);
    expect(findPatternDamage(proc, b, 32, 7), `freeing ${hex(a)} changed the block after it:\n${around(proc, b, 32)}`).toBeUndefined();
  });

  it('refuses a pointer malloc never returned: outside the heap, or not aligned', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(32);
    expect(() => heap.free(0x0060_0000), `free(0x00600000): an address below the heap, which starts at ${hex(proc.heapStart)}`).toThrow(HeapCorruption);
    expect(() => heap.free(p + 8), `free(${hex(p + 8)}): a pointer 8 bytes into the block at ${hex(p)}, not a multiple of 16`).toThrow(/free\(\): invalid pointer/);
  });

  it('refuses aligned pointers at or past the break: no block starts there yet', () => {
    const { proc, heap } = setUp();
    heap.malloc(32);
    const brk = proc.currentBreak;
    expect(() => heap.free(brk), `free(${hex(brk)}): that is the break itself, where the next block would start (ptr >= the break, not ptr > the break)`).toThrow(HeapCorruption);
    expect(() => heap.free(brk + 64), `free(${hex(brk + 64)}): 64 bytes past the break at ${hex(brk)}; check the pointer against both ends of the heap`).toThrow(HeapCorruption);
  });
});

describe('realloc', () => {
  it('is malloc when the pointer is NULL, and free when the size is 0', () => {
    const { heap } = setUp();
    const p = heap.realloc(0, 40);
    expect(p, 'realloc(NULL, 40) must do what malloc(40) does: it returned NULL').not.toBe(0);
    expect(p % 16, `realloc(NULL, 40) = ${hex(p)} is not 16-byte aligned`).toBe(0);
    expect(hex(heap.realloc(p, 0)), `realloc(${hex(p)}, 0) frees the block and returns NULL (glibc's choice)`).toBe(hex(0));
    const q = heap.realloc(0, 0);
    expect(q, 'realloc(NULL, 0) is malloc(0), which returns a unique pointer: check for NULL before the size 0 case').not.toBe(0);
  });

  it('refuses a pointer malloc never returned, as free does', () => {
    const { heap } = setUp();
    const p = heap.malloc(32);
    expect(() => heap.realloc(p + 8, 64), `realloc(${hex(p + 8)}, 64): a pointer into the middle of a block must be refused (check it as free does), not copied from`).toThrow(HeapCorruption);
    expect(() => heap.realloc(p + 8, 0), `realloc(${hex(p + 8)}, 0) frees the pointer, so it must refuse it as free(${hex(p + 8)}) does`).toThrow(HeapCorruption);
  });

  it('copies no more than the new size when the block shrinks', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(200);
    fillPattern(proc, p, 200, 4);
    proc.sbrk(256);
    proc.memset(proc.currentBreak - 256, 0xee, 256);
    proc.sbrk(-256); // bytes past the break, marked: the new block must not spill into them
    const brk = proc.currentBreak;
    const q = heap.realloc(p, 16);
    const end = Math.max(q + 16, brk); // the block may also stay where it is: 16 bytes fit in it
    const spilled = [...proc.bytes(end, brk + 208 - end)].findIndex((b) => b !== 0xee);
    expect(findPatternDamage(proc, q, 16, 4), `realloc(${hex(p)}, 16) = ${hex(q)} lost the first 16 bytes:\n${around(proc, q, 16)}`).toBeUndefined();
    expect(
      spilled,
      `realloc(${hex(p)}, 16) = ${hex(q)} wrote past the end of its 16-byte block, at ${hex(end + spilled)} (marked): copy at most size bytes, min(size, new - old), not everything up to the new block:\n${around(proc, end + spilled, 1)}`,
    ).toBe(-1);
  });

  it('moves the block to a bigger one, keeping its bytes', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(20);
    fillPattern(proc, p, 20, 3);
    heap.malloc(16); // a neighbour, so the block cannot simply grow
    const q = heap.realloc(p, 200);
    expect(q, 'realloc to a larger size returned NULL').not.toBe(0);
    const damage = findPatternDamage(proc, q, 20, 3);
    expect(damage, `realloc(${hex(p)}, 200) = ${hex(q)} lost the old bytes at ${hex(damage ?? 0)}:\n${around(proc, q, 20)}`).toBeUndefined();
  });

  it('gives a grown block bytes of its own, not those of the blocks after it', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(16);
    const neighbour = heap.malloc(256);
    fillPattern(proc, neighbour, 256, 6);
    const q = heap.realloc(p, 64);
    fillPattern(proc, q, 64, 7);
    const damage = findPatternDamage(proc, neighbour, 256, 6);
    expect(
      damage,
      `realloc(${hex(p)}, 64) = ${hex(q)}, and writing its 64 bytes overwrote the block at ${hex(neighbour)}, at ${hex(damage ?? 0)}: ` +
        `the block had 16 bytes, and the bytes after it below the break belong to other blocks; a bump allocator cannot know the old size, so it moves the block:\n${around(proc, neighbour, 16)}`,
    ).toBeUndefined();
  });

  it('leaves the old block alone when it cannot get memory', () => {
    const { proc, heap } = setUp({ heapLimit: 256 });
    const p = heap.malloc(64);
    fillPattern(proc, p, 64, 5);
    expect(hex(heap.realloc(p, 4096)), `the heap may grow to 256 bytes: realloc(${hex(p)}, 4096) must return NULL (0)`).toBe(hex(0));
    expect(proc.errno, 'and leave errno = ENOMEM').toBe(ENOMEM);
    expect(findPatternDamage(proc, p, 64, 5), `a failed realloc must leave the old block as it was:\n${around(proc, p, 64)}`).toBeUndefined();
  });
});

describe('calloc', () => {
  it('returns zeroed memory, even where the heap held old bytes', () => {
    const { proc, heap } = setUp();
    heap.malloc(16); // keeps the page mapped when the break moves back down
    const dirty = heap.malloc(64);
    proc.memset(dirty, 0xff, 64);
    proc.sbrk(-64); // give the bytes back, dirty: calloc must not count on fresh memory
    const p = heap.calloc(4, 16);
    const bytes = proc.bytes(p, 64);
    expect(bytes.every((b) => b === 0), `calloc(4, 16) = ${hex(p)} is not all zeros:\n${around(proc, p, 64)}`).toBe(true);
  });

  it('returns a unique pointer when count or size is 0, as malloc(0) does', () => {
    const { heap } = setUp();
    const a = heap.calloc(0, 16);
    const b = heap.calloc(16, 0);
    expect(a, 'calloc(0, 16) returned NULL; like glibc, calloc of 0 bytes is malloc(0): a unique pointer').not.toBe(0);
    expect(b, 'calloc(16, 0) returned NULL; like glibc, calloc of 0 bytes is malloc(0): a unique pointer').not.toBe(0);
    expect(hex(b), `calloc(0, 16) and calloc(16, 0) both returned ${hex(a)}`).not.toBe(hex(a));
  });

  it('returns NULL with ENOMEM when the heap is full, and writes nothing', () => {
    const { proc, heap } = setUp({ heapLimit: 256 });
    heap.malloc(64);
    proc.errno = 0;
    let p = -1;
    expect(() => (p = heap.calloc(16, 16)), 'calloc(16, 16) needs 256 bytes and 192 are left: malloc returns NULL, and calloc must not zero the NULL block').not.toThrow();
    expect(hex(p), 'calloc(16, 16) with 192 bytes of heap left must return NULL (0)').toBe(hex(0));
    expect(proc.errno, 'and leave errno = ENOMEM, as malloc set it').toBe(ENOMEM);
  });

  it('returns NULL with ENOMEM when count * size overflows, without moving the break', () => {
    const { proc, heap } = setUp();
    const before = proc.currentBreak;
    expect(hex(heap.calloc(2 ** 30, 2 ** 30)), 'calloc(2^30, 2^30): 2^60 bytes cannot be served, return NULL (0)').toBe(hex(0));
    expect(proc.errno, 'and set errno = ENOMEM').toBe(ENOMEM);
    expect(hex(heap.calloc(2 ** 40, 2 ** 20)), 'calloc(2^40, 2^20): 2^40 * 2^20 overflows 2^53: check before multiplying, and return NULL (0)').toBe(hex(0));
    expect(hex(proc.currentBreak), `a calloc that overflows must not move the break: it was at ${hex(before)}`).toBe(hex(before));
  });
});
