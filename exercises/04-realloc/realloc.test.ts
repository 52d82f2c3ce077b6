// Chapter 4: every rule of realloc, calloc's overflow check and its zeroing, usableSize.
import { describe, expect, it } from 'vitest';
import { ENOMEM, HeapCorruption, Process, hex } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { mulberry32 as seededRandom } from '../../workbook/trace/prng.ts';
import { around, fillPattern, findPatternDamage, patternByte } from '../../workbook/testing.ts';

const { createAllocator } = await loadAllocator('realloc');

function setUp(processOptions = {}, allocatorOptions = {}) {
  const proc = new Process(processOptions);
  return { proc, heap: createAllocator(proc, allocatorOptions) };
}

/** Chapter 3's placement: the heap grows by exactly what malloc lacks, so a layout is just the blocks asked for. */
const EXACT = { placement: 'low' } as const;
const HEADER = 16;

function layout(proc: Process): Array<[number, boolean]> {
  const report = checkHeap(proc);
  if (report.problem !== '') throw new Error(`The heap is broken: ${report.problem}`);
  return report.blocks.map((b) => [b.size, b.free]);
}

/** The `size` bytes at `ptr` still hold the pattern written with `seed`; else names the first byte that changed. */
function expectIntact(proc: Process, ptr: number, size: number, seed: number, what: string) {
  const damage = findPatternDamage(proc, ptr, size, seed);
  if (damage === undefined) return;
  const [should, is] = [patternByte(seed, damage - ptr), proc.load8(damage)];
  expect(hex(is, 2), `${what}: byte ${damage - ptr} of the ${size} bytes kept, at ${hex(damage)}, should still be ${hex(should, 2)} but is ${hex(is, 2)}:\n${around(proc, damage, 1)}`).toBe(hex(should, 2));
}

/**
 * After `call` returned `ptr`: the heap is sound, and `ptr` is the payload of a block in use
 * that holds `size` bytes. A block too small is found here, at the call, not later as bytes
 * another block overwrote.
 */
function expectHolds(proc: Process, ptr: number, size: number, call: string) {
  const { blocks, problem } = checkHeap(proc);
  const traceIt = "npm run trace -- realloc replays the book's traces and shrinks a failure to its few calls";
  if (problem !== '') throw new Error(`${call} left the heap broken: ${problem}\n(${traceIt})`);
  const block = blocks.find((b) => b.header === ptr - HEADER);
  expect(block !== undefined && !block.free, `${call} returned ${hex(ptr)}, which is not the payload of a block in use (its header would be at ${hex(ptr - HEADER)})`).toBe(true);
  expect(block!.size - HEADER, `${call} returned ${hex(ptr)}, whose ${block!.size}-byte block holds ${block!.size - HEADER} bytes, fewer than the ${size} asked for (${traceIt})`).toBeGreaterThanOrEqual(size);
}

/** The `size` bytes at `ptr`, returned by `call`, are all zero; else names the first that is not, marking only the block's bytes. */
function expectZeroed(proc: Process, ptr: number, size: number, call: string, why: string) {
  const dirty = proc.bytes(ptr, size).findIndex((b) => b !== 0);
  if (dirty === -1) return;
  const at = ptr + dirty;
  const byte = proc.load8(at);
  const marked = Math.min(16, size - dirty);
  expect(hex(byte, 2), `${call} returned ${hex(ptr)}, but byte ${dirty} of the ${size}, at ${hex(at)}, should be 0x00 and is ${hex(byte, 2)} (${why}):\n${around(proc, at, marked)}`).toBe('0x00');
}

describe('realloc: the edges', () => {
  it('realloc(NULL, n) is malloc(n)', () => {
    const { proc, heap } = setUp();
    const p = heap.realloc(0, 100);
    expect(p, 'realloc(NULL, 100) must do what malloc(100) does: it returned NULL').not.toBe(0);
    expect(layout(proc), 'one 128-byte block in use, as malloc(100) makes').toEqual([[128, false]]);
  });

  it('realloc(p, 0) frees p and returns NULL', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const p = heap.malloc(100);
    heap.malloc(16);
    expect(heap.realloc(p, 0), `realloc(${hex(p)}, 0) frees the block and returns NULL (0)`).toBe(0);
    expect(layout(proc)[1], 'the block is free afterwards').toEqual([128, true]);
  });

  it('refuses a size that is no size, as malloc does', () => {
    const { heap } = setUp();
    const p = heap.malloc(16);
    for (const size of [-1, 1.5, Number.NaN]) {
      expect(() => heap.realloc(p, size), `realloc(${hex(p)}, ${size}): a size is a non-negative integer; throw a TypeError, as chapter 1's malloc does (requireSize)`).toThrow(TypeError);
    }
  });

  it('refuses a pointer that is not a live block', () => {
    const { heap } = setUp();
    const p = heap.malloc(64);
    heap.malloc(16);
    heap.free(p);
    expect(() => heap.realloc(p, 200), `realloc(${hex(p)}, 200) of a block already freed must throw a HeapCorruption, as free() would`).toThrow(HeapCorruption);
    expect(() => heap.realloc(p + 8, 10), `realloc(${hex(p + 8)}, 10), 8 bytes into a block, must throw "realloc(): invalid pointer"`).toThrow(/invalid pointer/);
  });
});

describe('realloc in place', () => {
  it('shrinks in place, freeing the tail when it can be a block', () => {
    const { proc, heap } = setUp({}, EXACT);
    const p = heap.malloc(1000);
    heap.malloc(16);
    fillPattern(proc, p, 100, 1);
    expect(hex(heap.realloc(p, 100)), 'shrinking never needs to move').toBe(hex(p));
    // The heap's shape first: a broken header explains damaged bytes better than the bytes do.
    expect(layout(proc), 'the 1024-byte block shrinks to 128 bytes, and the 896 after it become a free block').toEqual([[128, false], [1024 - 128, true], [48, false]]);
    expectIntact(proc, p, 100, 1, 'shrinking');
  });

  it('keeps a tail too small to be a block', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(100);
    heap.malloc(16);
    expect(hex(heap.realloc(p, 90)), 'shrinking never needs to move').toBe(hex(p));
    expect(layout(proc)[0], `realloc to 90 bytes needs 112 of the 128: the 16 left are too few for a block, so the block keeps all 128`).toEqual([128, false]);
  });

  it('grows into the next block when it is free and big enough', () => {
    const { proc, heap } = setUp({}, EXACT);
    const p = heap.malloc(100);
    const q = heap.malloc(500);
    heap.malloc(16);
    fillPattern(proc, p, 100, 2);
    heap.free(q);
    expect(hex(heap.realloc(p, 300)), `the free neighbour has room: no need to move, and realloc returns the payload it was given, ${hex(p)}, not its header`).toBe(hex(p));
    expectIntact(proc, p, 100, 2, 'growing in place');
    expect(layout(proc), 'blocks of 128 and 528 bytes make room for one of 320').toEqual([[320, false], [128 + 528 - 320, true], [48, false]]);
  });

  it('grows at the top of the heap by moving the break', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const p = heap.malloc(100);
    fillPattern(proc, p, 100, 3);
    const before = proc.stats().heapBytes;
    expect(hex(heap.realloc(p, 5000)), 'the last block grows where it is').toBe(hex(p));
    expectIntact(proc, p, 100, 3, 'growing at the top');
    expect(proc.stats().heapBytes - before, 'the heap grows by what the block lacks').toBe(5024 - 128);
    layout(proc);
  });

  it('grows at the top through a free last block, moving the break only by what both lack', () => {
    const { proc, heap } = setUp({}, EXACT);
    const p = heap.malloc(100); // a 128-byte block
    heap.free(heap.malloc(200)); // a free 224-byte block at the top: too small to trim
    fillPattern(proc, p, 100, 3);
    const before = proc.stats().heapBytes;
    expect(hex(heap.realloc(p, 1000)), 'the block and the free block after it are at the top: it grows where it is').toBe(hex(p));
    expectIntact(proc, p, 100, 3, 'growing through the free top block');
    expect(proc.stats().heapBytes - before, 'the 1024-byte block takes the 128 it had and the 224 of the free block: the break moves by the other 672').toBe(1024 - 128 - 224);
    expect(layout(proc), 'one block in use, of 1024 bytes').toEqual([[1024, false]]);
  });

  it('moves the block when it cannot grow, keeping min(old, new) bytes and freeing the old one', () => {
    const { proc, heap } = setUp();
    const p = heap.malloc(100);
    heap.malloc(16); // a live neighbour
    fillPattern(proc, p, 100, 4);
    const movedBefore = proc.stats().bytesMoved;
    const q = heap.realloc(p, 400);
    expect(hex(q), `realloc(${hex(p)}, 400): a live block sits right after it, so it cannot grow in place and must move`).not.toBe(hex(p));
    expectIntact(proc, q, 100, 4, `moving from ${hex(p)} to ${hex(q)}`);
    // The old payload is 112 bytes (a 128-byte block less its header): more would read the next block's header.
    expect(proc.stats().bytesMoved - movedBefore, `realloc(${hex(p)}, 400) should copy the old payload, 112 bytes: the block's size less its 16-byte header`).toBe(112);
    expect(layout(proc)[0], 'the old block is free').toEqual([128, true]);
  });

  it('keeps the bytes at every size boundary, up and down', () => {
    const { proc, heap } = setUp();
    const sizes = [1, 15, 16, 17, 31, 32, 33, 47, 48, 64, 100, 127, 128, 129, 4095, 4096, 4097, 20000];
    let p = heap.malloc(sizes[0]);
    fillPattern(proc, p, sizes[0], 0);
    let previous = sizes[0];
    for (const size of [...sizes.slice(1), ...sizes.slice().reverse()]) {
      const q = heap.realloc(p, size);
      const kept = Math.min(previous, size);
      expectIntact(proc, q, kept, 0, `realloc(${hex(p)}, ${size}) from ${previous} bytes`);
      fillPattern(proc, q, size, 0);
      p = q;
      previous = size;
      layout(proc);
    }
  });

  it('leaves the old block untouched and returns NULL when there is no memory', () => {
    const { proc, heap } = setUp({ heapLimit: 64 * 1024 });
    const p = heap.malloc(1000);
    heap.malloc(16);
    fillPattern(proc, p, 1000, 5);
    expect(heap.realloc(p, 200 * 1024), 'the heap may grow to 64 KiB: realloc to 200 KiB must return NULL (0)').toBe(0);
    expect(proc.errno, 'and leave errno = ENOMEM').toBe(ENOMEM);
    expectIntact(proc, p, 1000, 5, 'a failed realloc');
    expect(layout(proc)[0], 'and the block is still live').toEqual([1024, false]);
  });
});

describe('malloc: placement by size', () => {
  /** The free blocks, by header address. */
  const freeBlocks = (proc: Process) => checkHeap(proc).blocks.filter((b) => b.free);
  /** The free block, of those in `blocks`, that holds the payload `p`. */
  const holding = (blocks: ReturnType<typeof freeBlocks>, p: number) => blocks.find((b) => p > b.header && p < b.header + b.size);

  it('puts a block larger than the typical one at the high end of the free block it takes, a smaller one at the low end', () => {
    const { proc, heap } = setUp();
    for (let i = 0; i < 40; i++) heap.malloc(100); // the typical block: 128 bytes
    const hole = heap.malloc(3000);
    heap.malloc(100);
    heap.free(hole);
    let free = freeBlocks(proc);
    const large = heap.malloc(2000);
    const from = holding(free, large);
    expect(from, `malloc(2000) at ${hex(large)} should come from a free block`).toBeDefined();
    expect(large - HEADER + 2016, 'a block of 2,016 bytes is larger than the typical one: it should end where its free block ended').toBe(from!.header + from!.size);
    free = freeBlocks(proc);
    const small = heap.malloc(100);
    const to = holding(free, small);
    expect(to, `malloc(100) at ${hex(small)} should come from a free block`).toBeDefined();
    expect(small - HEADER, 'a block of the typical size goes at the start of its free block').toBe(to!.header);
  });

  it('alternating small and large blocks: the large ones end up side by side, so their holes merge', () => {
    for (const [options, holes, grows] of [[{}, 50, false], [EXACT, 100, true]] as const) {
      const { proc, heap } = setUp({}, options);
      const large: number[] = [];
      for (let i = 0; i < 100; i++) {
        heap.malloc(48);
        large.push(heap.malloc(400));
      }
      for (const p of large) heap.free(p);
      const how = `with placement '${'placement' in options ? options.placement : 'by-size'}'`;
      expect(freeBlocks(proc).length, `${how}, the 100 large blocks freed should leave ${grows ? 'as many holes' : 'fewer than half as many holes'}`).toBeLessThanOrEqual(holes);
      const before = proc.stats().heapBytes;
      for (let i = 0; i < 50; i++) heap.malloc(460);
      expect(proc.stats().heapBytes > before, `${how}, 50 blocks a little larger ${grows ? 'fit no hole: the heap grows' : 'fit in the merged holes: the heap should not grow'}`).toBe(grows);
    }
  });

  it('grows the heap with room to spare: an eighth of its size, at most a page', () => {
    const { proc, heap } = setUp();
    heap.malloc(8000); // the first block: the heap is exactly its size
    let before = proc.stats().heapBytes;
    heap.malloc(16);
    expect(proc.stats().heapBytes - before, 'an eighth of the 8,016 bytes of blocks, rounded up to 16').toBe(1008);
    expect(layout(proc).at(-1), 'what the 48-byte block did not take stays free at the top').toEqual([1008 - 48, true]);
    heap.malloc(100_000);
    before = proc.stats().heapBytes;
    heap.malloc(16);
    expect(proc.stats().heapBytes - before, 'past 32 KiB of heap, a page').toBe(4096);
  });

  it("placement: 'low' is chapter 3's malloc, and an unknown placement is refused", () => {
    const { proc, heap } = setUp({}, EXACT);
    heap.malloc(8000);
    const before = proc.stats().heapBytes;
    heap.malloc(16);
    expect(proc.stats().heapBytes - before, 'exactly the 48-byte block').toBe(48);
    expect(() => createAllocator(new Process(), { placement: 'middle' } as object), "createAllocator(proc, { placement: 'middle' }): only 'low' and 'by-size' are placements").toThrow(TypeError);
  });
});

describe('calloc', () => {
  it('returns zeroed memory even when it reuses a dirty block', () => {
    const { proc, heap } = setUp();
    const dirty = heap.malloc(256);
    heap.malloc(16);
    proc.memset(dirty, 0xff, 256);
    heap.free(dirty);
    const p = heap.calloc(16, 16);
    expect(hex(p), `calloc(16, 16) should reuse the free 256-byte block at ${hex(dirty)}`).toBe(hex(dirty));
    expectZeroed(proc, p, 256, 'calloc(16, 16)', 'the block was freed full of 0xff: a reused block must be cleared');
  });

  it('returns NULL with ENOMEM when count * size overflows, near 2^53 too', () => {
    const { proc, heap } = setUp();
    expect(heap.calloc(2 ** 26, 2 ** 27), '2^26 * 2^27 = 2^53 is past Number.MAX_SAFE_INTEGER').toBe(0);
    expect(proc.errno, 'an overflowing calloc sets errno = ENOMEM').toBe(ENOMEM);
    expect(heap.calloc(3, 2 ** 51), '3 * 2^51 is past Number.MAX_SAFE_INTEGER too').toBe(0);
    expect(heap.calloc(2 ** 53 - 1, 1), 'fits as a number, but not in the heap').toBe(0);
    expect(heap.calloc(0, 1), 'calloc(0, n) is a valid, empty request').not.toBe(0);
  });

  it('does not memset memory fresh from sbrk: it is already zero', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const before = proc.stats().bytesMoved;
    const p = heap.calloc(1000, 100);
    const moved = proc.stats().bytesMoved - before;
    expect(p, 'calloc(1000, 100) returned NULL').not.toBe(0);
    expectZeroed(proc, p, 100_000, 'calloc(1000, 100)', 'calloc may skip only the bytes at or above zero_from as it was before its malloc, less the links and footer the allocator wrote there');
    // Only what the allocator itself wrote there (the links and a footer: 24 bytes) needs zeroing.
    expect(moved, `calloc of 100,000 fresh bytes zeroed ${moved} bytes (bytesMoved): fresh pages read as zero, and zero_from says where they start. Read it before malloc, which raises it when it grows the heap`).toBeLessThan(1000);
  });

  it('zeroes the list links and footer it wrote into a free block, above where the heap was clean', () => {
    const { proc, heap } = setUp();
    const a = heap.malloc(200);
    heap.malloc(16);
    heap.free(a); // a free block: links in its first 16 bytes, a footer in its last 8
    const p = heap.calloc(1, 5000);
    expectZeroed(proc, p, 5000, 'calloc(1, 5000)', "left by the allocator itself: zero_from promises zeros except in what the allocator wrote above it, a free block's links and footer, which calloc must clear");
  });

  it('zeroes all of its first block: before the heap exists, zero_from (0) promises nothing', () => {
    const proc = new Process();
    proc.sbrk(16); // another part of the program keeps 16 bytes of the heap
    const used = proc.sbrk(2000);
    proc.memset(used, 0xee, 2000);
    proc.sbrk(-2000); // and gives the rest back: the page that holds the break keeps its bytes
    const heap = createAllocator(proc);
    const p = heap.calloc(1, 200);
    expectZeroed(proc, p, 200, 'calloc(1, 200), the first call, on a page another part of the program filled with 0xee,', 'zero_from is 0 until the heap exists: no byte is known to be clean, so the whole block must be cleared');
  });

  it('zeroes the old bytes a trimmed heap leaves on the page that holds the break', () => {
    const { proc, heap } = setUp();
    heap.malloc(100);
    const big = heap.malloc(300 * 1024);
    proc.memset(big, 0xff, 300 * 1024);
    heap.free(big); // trimmed: the heap shrinks, but the page holding the new break keeps its bytes
    const p = heap.calloc(1, 300 * 1024);
    expectZeroed(proc, p, 300 * 1024, 'calloc(1, 300 KiB), after the 300 KiB block full of 0xff was freed and trimmed,', 'the page that held the break after the trim kept those bytes, so they lie below zero_from as it was before the malloc: clear them');
  });
});

describe('usableSize and a long run', () => {
  it('usableSize is at least what was asked, and what the block holds', () => {
    const { heap } = setUp();
    for (const size of [1, 16, 100, 1000]) {
      const usable = heap.usableSize?.(heap.malloc(size)) ?? 0;
      expect(usable, `usableSize(malloc(${size})) must be at least the ${size} bytes asked for`).toBeGreaterThanOrEqual(size);
      expect(usable, `usableSize(malloc(${size})) is the block's size less its 16-byte header, under ${size + 48}`).toBeLessThan(size + 48);
    }
    expect(heap.usableSize?.(heap.malloc(100)), 'malloc(100) takes a 128-byte block (116 with the header, rounded up): 112 bytes are usable').toBe(112);
    expect(heap.usableSize?.(0), 'malloc_usable_size(NULL) is 0').toBe(0);
  });

  it('2,000 random mallocs, reallocs and frees keep every byte and a sound heap', () => {
    const { proc, heap } = setUp();
    const random = seededRandom(7);
    const live = new Map<number, { p: number; size: number }>();
    for (let op = 0; op < 2000; op++) {
      const roll = random();
      const ids = [...live.keys()];
      if (ids.length > 0 && roll < 0.3) {
        const id = ids[Math.floor(random() * ids.length)];
        const { p, size } = live.get(id)!;
        expectIntact(proc, p, size, id, `before free at op ${op}`);
        heap.free(p);
        live.delete(id);
      } else if (ids.length > 0 && roll < 0.65) {
        const id = ids[Math.floor(random() * ids.length)];
        const { p, size } = live.get(id)!;
        const newSize = Math.floor(random() * (random() < 0.1 ? 30000 : 600));
        const q = heap.realloc(p, newSize);
        if (newSize === 0) live.delete(id);
        else {
          expectHolds(proc, q, newSize, `realloc(${hex(p)}, ${newSize}) at op ${op}, of a block of ${size} bytes,`);
          expectIntact(proc, q, Math.min(size, newSize), id, `realloc(${hex(p)}, ${newSize}) at op ${op}`);
          fillPattern(proc, q, newSize, id);
          live.set(id, { p: q, size: newSize });
        }
      } else {
        const size = Math.floor(random() * 400);
        const p = heap.malloc(size);
        fillPattern(proc, p, size, op);
        live.set(op, { p, size });
      }
      if (op % 100 === 0) layout(proc);
    }
    layout(proc);
  });
});
