// Chapter 2: headers and a free list, first step to last.
import { describe, expect, it } from 'vitest';
import { ENOMEM, HeapCorruption, PAGE_SIZE, Process, hex } from '../../machine/index.ts';
import { walkHeap } from '../../solutions/02-free-list/walk.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';

const { createAllocator } = await loadAllocator('free-list');
const { BlockMeta, META_SIZE, MAGIC_USED, MAGIC_FREE } = await loadExercise<typeof import('./free-list.ts')>('02-free-list/free-list.ts');

function setUp(options = {}) {
  const proc = new Process(options);
  return { proc, heap: createAllocator(proc) };
}

/** The header below `ptr`, with its bytes, for messages. */
function headerOf(proc: Process, ptr: number): string {
  const block = ptr - META_SIZE;
  return `header at ${hex(block)}: ${BlockMeta.describe(proc, block)}\n${proc.hexdump(block, META_SIZE + 16, { from: block, to: block + META_SIZE })}`;
}

/** Why `ptr` is not aligned, when a header sits BlockMeta.sizeof bytes below it: the payload was placed after the bare struct. */
function misaligned(proc: Process, ptr: number): string {
  const block = ptr - BlockMeta.sizeof;
  if (ptr % 16 === 0 || META_SIZE === BlockMeta.sizeof || block < proc.heapStart || ptr > proc.currentBreak) return '';
  try {
    if (BlockMeta.read(proc, block, 'magic') !== MAGIC_USED) return '';
  } catch {
    return ''; // a BlockMeta of the student's own making, without the magic field
  }
  return (
    `; its header is at ${hex(block)}, only BlockMeta.sizeof (${BlockMeta.sizeof}) bytes below it: the payload starts META_SIZE (${META_SIZE}) bytes after the header, ` +
    `BlockMeta.sizeof rounded up to 16, so return block + META_SIZE:\n${proc.hexdump(block, META_SIZE + 16, { from: block, to: block + BlockMeta.sizeof })}`
  );
}

/** When `ptr` is where a header starts (MAGIC_USED sits at its magic field), why: malloc returned the header, not the payload. */
function returnedHeader(proc: Process, ptr: number): string {
  if (ptr < proc.heapStart || ptr + META_SIZE > proc.currentBreak) return '';
  if (BlockMeta.read(proc, ptr, 'magic') !== MAGIC_USED) return '';
  return `; ${hex(ptr)} is a header: MAGIC_USED (${hex(MAGIC_USED)}) sits ${BlockMeta.offsetof('magic')} bytes above it. Return the payload, block + META_SIZE (${META_SIZE} bytes above the header):\n${headerOf(proc, ptr + META_SIZE)}`;
}

/**
 * free(ptr) of a pointer malloc returned, which must not throw: when it does, the message says
 * where the header is, and the likely slip (looking for it BlockMeta.sizeof bytes below).
 */
function freeLive(proc: Process, heap: { free(ptr: number): void }, ptr: number): void {
  try {
    heap.free(ptr);
  } catch (thrown) {
    const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message.split('\n')[0]}` : String(thrown);
    const slip = META_SIZE === BlockMeta.sizeof ? '' : ` Does free look for it at ptr - META_SIZE, and not ptr - BlockMeta.sizeof (${BlockMeta.sizeof}), the size of the struct without its padding to 16?`;
    throw new Error(`free(${hex(ptr)}), of a pointer malloc just returned, threw ${message}. Its header is META_SIZE (${META_SIZE}) bytes below it, at ${hex(ptr - META_SIZE)}.${slip}\n${headerOf(proc, ptr)}`);
  }
}

/** Fails unless `fn` throws a HeapCorruption, naming what it threw instead; a fault means a header was read where there is none. */
function expectHeapCorruption(proc: Process, fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (thrown) {
    if (thrown instanceof HeapCorruption) return;
    if (!(thrown instanceof Error)) throw new Error(`${what} should throw a HeapCorruption; it threw ${String(thrown)}`);
    const [first, ...rest] = thrown.message.split('\n');
    const advice = thrown.name === 'SegmentationFault' ? `; check that the pointer lies in the heap (${hex(proc.heapStart)} to the break at ${hex(proc.currentBreak)}) before reading its header` : '';
    throw new Error(`${what} should throw a HeapCorruption; it threw ${thrown.name}: ${advice ? first.replace(/\.$/, '') : first}${advice}${rest.map((line) => `\n${line}`).join('')}`);
  }
  throw new Error(`${what} should throw a HeapCorruption; it returned without one`);
}

describe('malloc with headers', () => {
  it('returns 16-byte aligned pointers inside the heap', () => {
    const { proc, heap } = setUp();
    for (const size of [1, 24, 100, 7, 4096]) {
      const p = heap.malloc(size);
      expect(p, `malloc(${size}) returned NULL; errno = ${proc.errno}`).not.toBe(0);
      expect(p % 16, `malloc(${size}) = ${hex(p)} is not 16-byte aligned${misaligned(proc, p)}`).toBe(0);
      expect(p - META_SIZE >= proc.heapStart && p + size <= proc.currentBreak, `malloc(${size}) = ${hex(p)}: the block and its header must lie in the heap, ${hex(proc.heapStart)}..${hex(proc.currentBreak)}${returnedHeader(proc, p)}`).toBe(true);
    }
  });

  it('writes a block_meta header just below the pointer: size, free = 0, magic', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(40);
    const header = BlockMeta.at(proc, p - META_SIZE);
    expect(header.magic, `no MAGIC_USED (${hex(MAGIC_USED)}) below ${hex(p)}:\n${headerOf(proc, p)}`).toBe(MAGIC_USED);
    expect(header.size, `the header's size should be 40 rounded up to 48:\n${headerOf(proc, p)}`).toBe(48);
    expect(header.free).toBe(0);
  });

  it('links every block from global_base, in address order', () => {
    const { proc, heap } = setUp();
    const pointers = [heap.malloc(16), heap.malloc(100), heap.malloc(1)];
    const walked = walkHeap(proc).map((b) => b.payload);
    expect(walked.map((p) => hex(p)), `walking from global_base (read with proc.static('global_base', 8)) should find the three blocks, each header's next pointing at the one after it; the first header:\n${headerOf(proc, pointers[0])}`).toEqual(pointers.map((p) => hex(p)));
  });

  it('stays aligned when something else left the break unaligned', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    proc.sbrk(8);
    const p = heap.malloc(16);
    expect(p % 16, `after someone else's sbrk(8), malloc(16) returned ${hex(p)}: pad the new block to 16${misaligned(proc, p)}`).toBe(0);
    expect(walkHeap(proc).map((b) => b.payload)).toContain(p);
  });

  it('returns NULL with errno = ENOMEM when the heap cannot grow', () => {
    const { proc, heap } = setUp({ heapLimit: PAGE_SIZE });
    const failing = `the heap may grow by ${PAGE_SIZE} bytes in all, and malloc(${PAGE_SIZE}) needs a header too: it must return NULL (0) when sbrk returns -1`;
    let p: number;
    try {
      p = heap.malloc(PAGE_SIZE);
    } catch (thrown) {
      // sbrk's -1 taken for the start of a block: its header written at -1, or at 0 once padded.
      if (!(thrown instanceof Error) || thrown.name !== 'SegmentationFault') throw thrown;
      throw new Error(`${failing}. It faulted instead: sbrk returned -1, its failure value (with errno = ENOMEM), and the code used it as an address.\n${thrown.message}`);
    }
    expect(p, failing).toBe(0);
    expect(proc.errno, 'and leave errno = ENOMEM, as sbrk set it').toBe(ENOMEM);
    expect(heap.malloc(64), 'a smaller request that fits must still succeed').not.toBe(0);
  });

  it('returns NULL when the sbrk for the padding fails, not a block that runs past the break', () => {
    const { proc, heap } = setUp({ heapLimit: 220 });
    heap.malloc(16); // a block of META_SIZE + 16 bytes
    proc.sbrk(8); // the break is now 8 bytes past a multiple of 16: the next block must be padded by 8
    proc.errno = 0;
    const p = heap.malloc(128); // its header and 128 bytes fit below the limit; with 8 of padding they do not
    expect(
      p === 0 || p + 128 <= proc.currentBreak,
      `malloc(128) returned ${hex(p)}, a block that ends at ${hex(p + 128)}, past the break at ${hex(proc.currentBreak)}: the sbrk for the padding failed (the heap may not grow past ${hex(proc.heapStart + 220)}), so return NULL`,
    ).toBe(true);
    expect(p, 'the heap has room for the block but not for it and 8 bytes of padding: malloc(128) must return NULL (0)').toBe(0);
    expect(proc.errno, 'and leave errno = ENOMEM, as the failed sbrk set it').toBe(ENOMEM);
  });

  it('gives malloc(0) a block of its own, the smallest there is (16 bytes), as glibc does', () => {
    const { proc, heap } = setUp();
    const [p, q] = [heap.malloc(0), heap.malloc(0)];
    expect(hex(q), `malloc(0) twice gave ${hex(p)} both times: each call needs a block of its own`).not.toBe(hex(p));
    expect(BlockMeta.read(proc, p - META_SIZE, 'size'), `malloc(0) = ${hex(p)}: a block of size 0 would put the next header on its payload; round 0 up to 16, as Math.max(size, 1) does:\n${headerOf(proc, p)}`).toBe(16);
    expect(hex(q - p), 'the second block starts after the first one and its 16 bytes').toBe(hex(META_SIZE + 16));
  });

  it('throws a TypeError for a size that is not a non-negative integer', () => {
    const { heap } = setUp();
    expect(() => heap.malloc(-1), 'malloc(-1): requireSize(size, …) throws the TypeError for you').toThrow(TypeError);
    expect(() => heap.malloc(0.5), 'malloc(0.5)').toThrow(TypeError);
  });
});

describe('free and reuse', () => {
  it('free marks the block free in its header: free = 1, magic = MAGIC_FREE', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(32);
    freeLive(proc, heap, p);
    expect(BlockMeta.read(proc, p - META_SIZE, 'free'), `after free(${hex(p)}), free should be 1:\n${headerOf(proc, p)}`).toBe(1);
    expect(BlockMeta.read(proc, p - META_SIZE, 'magic'), `after free(${hex(p)}), magic should be MAGIC_FREE (${hex(MAGIC_FREE)}): that is how a second free() knows:\n${headerOf(proc, p)}`).toBe(MAGIC_FREE);
  });

  it('reuses a freed block for a request that fits, without growing the heap', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(64);
    heap.malloc(16);
    heap.free(p);
    const heapBytes = proc.stats().heapBytes;
    const q = heap.malloc(50);
    expect(hex(q), `malloc(50) after free(${hex(p)}) (64 bytes) should reuse it`).toBe(hex(p));
    expect(proc.stats().heapBytes, `malloc(50) reused ${hex(p)}: the heap should not have grown`).toBe(heapBytes);
    // In use again, all of it: free = 0 and MAGIC_USED, or the next free() takes it for a double free.
    expect(BlockMeta.read(proc, q - META_SIZE, 'free'), `the reused block's header still says free:\n${headerOf(proc, q)}`).toBe(0);
    expect(BlockMeta.read(proc, q - META_SIZE, 'magic'), `the reused block's magic should be MAGIC_USED (${hex(MAGIC_USED)}) again:\n${headerOf(proc, q)}`).toBe(MAGIC_USED);
    expect(() => heap.free(q), `free(${hex(q)}) of the reused block`).not.toThrow();
  });

  it('takes the first free block that is big enough (first fit)', () => {
    const { heap } = setUp();
    const small = heap.malloc(32);
    heap.malloc(16);
    const large = heap.malloc(128);
    heap.malloc(16);
    heap.free(small);
    heap.free(large);
    expect(hex(heap.malloc(100)), 'the 32-byte block is too small, the 128-byte one fits').toBe(hex(large));
    expect(hex(heap.malloc(20)), 'the first free block, 32 bytes, fits 20').toBe(hex(small));
    // Two free blocks that both fit: the first, by address, not the last one seen.
    const [a, b] = [heap.malloc(64), heap.malloc(64)];
    heap.malloc(16);
    heap.free(a);
    heap.free(b);
    expect(hex(heap.malloc(48)), `${hex(a)} and ${hex(b)} are both free and both fit 48 bytes: first fit takes the first one met from global_base, ${hex(a)}, and stops looking`).toBe(hex(a));
  });

  it('reuses the last block of the list when it is the one that fits', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const last = heap.malloc(64);
    heap.free(last);
    const heapBytes = proc.stats().heapBytes;
    expect(hex(heap.malloc(64)), `the last block, ${hex(last)}, is free and fits: the search must look at it too (a loop that stops when next is 0 before looking at the block stops one short)`).toBe(hex(last));
    expect(proc.stats().heapBytes, 'the heap should not have grown').toBe(heapBytes);
  });

  it('grows the heap when no free block is big enough', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(32);
    heap.free(p);
    const q = heap.malloc(64);
    expect(hex(q), `malloc(64) returned the free 32-byte block ${hex(p)}, too small for it:\n${headerOf(proc, p)}`).not.toBe(hex(p));
    expect(walkHeap(proc).map((b) => [b.size, b.free]), 'the heap: the free 32-byte block, then a new 64-byte one at the end').toEqual([[32, true], [64, false]]);
  });

  it('keeps other blocks intact through malloc and free', () => {
    const { proc, heap } = setUp();
    const blocks = [24, 200, 8, 64].map((size, i) => {
      const p = heap.malloc(size);
      fillPattern(proc, p, size, i);
      return { p, size, i };
    });
    heap.free(blocks[1].p);
    heap.malloc(150);
    for (const { p, size, i } of [blocks[0], blocks[2], blocks[3]]) {
      const damage = findPatternDamage(proc, p, size, i);
      expect(damage, `the block at ${hex(p)} was changed at ${hex(damage ?? 0)}:\n${around(proc, p, size)}`).toBeUndefined();
    }
  });

  it('state lives in the heap: a second allocator object on the process reuses the first one\'s blocks', () => {
    const proc = new Process();
    const first = createAllocator(proc);
    const p = first.malloc(64);
    first.malloc(16);
    first.free(p);
    const second = createAllocator(proc);
    expect(hex(second.malloc(64)), 'keep global_base in proc.static, not in a JavaScript variable').toBe(hex(p));
  });
});

describe('catching misuse', () => {
  it('free(NULL) does nothing', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    heap.free(0);
    expect(walkHeap(proc).map((b) => b.free)).toEqual([false]);
  });

  it('refuses a pointer malloc never returned: free(): invalid pointer', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(64);
    expect(() => heap.free(p + 16), `free(${hex(p + 16)}) points into the middle of a block`).toThrow(/free\(\): invalid pointer 0x/);
    expectHeapCorruption(proc, () => heap.free(0x0060_0000), 'free(0x00600000), an address in the data segment,');
  });

  it('refuses in realloc the pointers free refuses: one malloc never returned, and one already freed', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(64);
    heap.malloc(16);
    expectHeapCorruption(proc, () => heap.realloc(p + 16, 8), `realloc(${hex(p + 16)}, 8), a pointer into the middle of a block,`);
    heap.free(p);
    expectHeapCorruption(proc, () => heap.realloc(p, 16), `realloc(${hex(p)}, 16), of a block already freed (handed back, it would be live and free at once),`);
  });

  it('refuses a double free: free(): double free detected', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(64);
    heap.free(p);
    expect(() => heap.free(p), `free(${hex(p)}) a second time must throw a HeapCorruption saying "free(): double free detected"; the header it can read that from:\n${headerOf(proc, p)}`).toThrow(/free\(\): double free detected/);
  });
});

describe('realloc, calloc and usableSize', () => {
  it('realloc keeps the block when it already fits, and moves it (with its bytes) when not', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(64);
    fillPattern(proc, p, 64, 9);
    expect(hex(heap.realloc(p, 30)), `realloc(${hex(p)}, 30): the 64-byte block already holds 30 bytes, so it stays where it is`).toBe(hex(p));
    const movedBefore = proc.stats().bytesMoved;
    const q = heap.realloc(p, 300);
    expect(hex(q), `realloc(${hex(p)}, 300): the 64-byte block cannot hold 300 bytes, so it moves to a new one`).not.toBe(hex(p));
    // The old block holds 64 bytes: copying 300 reads past its end, into whatever follows.
    expect(proc.stats().bytesMoved - movedBefore, `realloc(${hex(p)}, 300) copied more than the old block's 64 bytes: copy what the old block holds, not the new size`).toBe(64);
    expect(findPatternDamage(proc, q, 64, 9), `realloc lost bytes:\n${around(proc, q, 64)}`).toBeUndefined();
    expect(walkHeap(proc).find((b) => b.payload === p)?.free, 'the old block is freed').toBe(true);
  });

  it('calloc zeroes a reused block, and refuses an overflowing product', () => {
    const { proc, heap } = setUp();
    const dirty = heap.malloc(64);
    proc.memset(dirty, 0xff, 64);
    heap.free(dirty);
    const p = heap.calloc(8, 8);
    expect(hex(p), `calloc(8, 8) after free(${hex(dirty)}), a free 64-byte block: calloc is malloc(8 * 8), so first fit gives it that block`).toBe(hex(dirty));
    expect(proc.bytes(p, 64).every((b) => b === 0), `calloc(8, 8) reused ${hex(p)} without zeroing it:\n${around(proc, p, 64)}`).toBe(true);
    expect(heap.calloc(2 ** 27, 2 ** 27), 'calloc(2^27, 2^27): the product, 2^54, is past Number.MAX_SAFE_INTEGER; return NULL before multiplying it out').toBe(0);
    expect(proc.errno, 'and set errno = ENOMEM').toBe(ENOMEM);
  });

  it('usableSize is the size in the header, and 0 for NULL', () => {
    const { heap } = setUp();
    expect(heap.usableSize?.(heap.malloc(20)), "usableSize(malloc(20)) is the header's size field, 32: the header itself is not part of it").toBe(32);
    expect(heap.usableSize?.(0), 'usableSize(NULL)').toBe(0);
  });
});
