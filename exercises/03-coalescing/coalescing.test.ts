// Chapter 3: splitting, coalescing, fit policies and trimming, first step to last.
// After every call the reference heap checker walks your heap and names any broken invariant,
// with the call that broke it.
import { describe, expect, it } from 'vitest';
import { ENOMEM, HeapCorruption, Process, hex, type Allocator } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { mulberry32 as seededRandom } from '../../workbook/trace/prng.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';

const { createAllocator } = await loadAllocator('coalescing');
const { HEADER_SIZE, MIN_BLOCK } = await loadExercise<typeof import('./coalescing.ts')>('03-coalescing/coalescing.ts');

function setUp(options: object = {}, processOptions = {}) {
  const proc = new Process(processOptions);
  const raw = createAllocator(proc, options);
  // raw: the same heap without the check, for a test that names a mistake more exactly itself.
  return { proc, heap: checked(proc, raw), raw };
}

/**
 * The allocator, with the heap checker run after each of its calls: a broken invariant is
 * reported by the call that broke it, with the calls before it.
 */
function checked(proc: Process, heap: Allocator): Allocator {
  const calls: string[] = [];
  function after<T extends number | void>(call: string, result: T): T {
    calls.push(typeof result === 'number' ? `${call} = ${hex(result)}` : call);
    const { problem } = checkHeap(proc);
    if (problem !== '') {
      const recent = calls.slice(-6).map((line) => `  ${line}`).join('\n');
      throw new Error(`${call} (call ${calls.length} of this test) left the heap broken: ${problem}\nthe last calls:\n${recent}`);
    }
    return result;
  }
  return {
    malloc: (size) => after(`malloc(${size})`, heap.malloc(size)),
    free: (ptr) => after(`free(${hex(ptr)})`, heap.free(ptr)),
    realloc: (ptr, size) => after(`realloc(${hex(ptr)}, ${size})`, heap.realloc(ptr, size)),
    calloc: (count, size) => after(`calloc(${count}, ${size})`, heap.calloc(count, size)),
  };
}

/** The heap as [size, free] pairs, after checking every invariant. */
function layout(proc: Process): Array<[number, boolean]> {
  const report = checkHeap(proc);
  if (report.problem !== '') throw new Error(`The heap is broken: ${report.problem}`);
  return report.blocks.map((b) => [b.size, b.free]);
}

describe('blocks with headers', () => {
  it('malloc returns aligned pointers, each block HEADER_SIZE above its header, in a sound heap', () => {
    const { proc, heap } = setUp();
    const pointers = [1, 24, 100, 0, 5000].map((size) => {
      const p = heap.malloc(size);
      expect(p, `malloc(${size}) returned NULL`).not.toBe(0);
      expect(p % 16, `malloc(${size}) = ${hex(p)} is not aligned`).toBe(0);
      return p;
    });
    const headers = checkHeap(proc).blocks.map((b) => hex(b.header));
    for (const p of pointers) {
      expect(headers, `${hex(p)}, returned by malloc, should be the payload, HEADER_SIZE (${HEADER_SIZE}) bytes above its block's header; the headers are at ${headers.join(', ')}`).toContain(hex(p - HEADER_SIZE));
    }
    expect(layout(proc).map(([size]) => size), `block sizes: the request plus a ${HEADER_SIZE}-byte header, rounded up to 16, at least MIN_BLOCK (${MIN_BLOCK})`).toEqual([48, 48, 128, 48, 5024]);
  });

  it('starts its heap aligned even when the break was left unaligned', () => {
    const proc = new Process();
    proc.sbrk(8); // another part of the program
    const heap = checked(proc, createAllocator(proc));
    const p = heap.malloc(16);
    expect(p % 16, `malloc(16) = ${hex(p)}: start the heap on a 16-byte boundary`).toBe(0);
    layout(proc);
  });

  it('survives a first growth that fails: NULL, and a sound heap after', () => {
    const { proc, heap } = setUp({}, { heapLimit: 64 });
    expect(heap.malloc(39), 'a 48-byte block and the epilogue do not fit in 64 bytes').toBe(0);
    layout(proc);
    expect(heap.malloc(1), 'after a failed first growth, malloc(1) fits in 64 bytes and must succeed: did the failure leave the heap half set up?').not.toBe(0);
    layout(proc);
  });

  it('takes a fit policy and a threshold as options, refusing unknown ones', () => {
    expect(() => setUp({ fit: 'worst' }), "createAllocator(proc, { fit: 'worst' }): only first, next and best are policies").toThrow(TypeError);
    expect(() => setUp({ trimThreshold: -1 }), 'createAllocator(proc, { trimThreshold: -1 }): a threshold is a size, not negative').toThrow(TypeError);
    const { proc, heap } = setUp({ fit: 'best', trimThreshold: 4096 });
    heap.malloc(16);
    heap.free(heap.malloc(8000)); // above this threshold: trimmed
    expect(layout(proc), 'with trimThreshold 4096, a freed 8 KiB block at the top goes back to the kernel: only the 48-byte block stays').toEqual([[48, false]]);
  });

  it('returns NULL with ENOMEM when the heap cannot grow', () => {
    const { proc, heap } = setUp({}, { heapLimit: 4096 });
    expect(heap.malloc(8192), 'the heap may grow by 4096 bytes in all: malloc(8192) must return NULL (0) when sbrk returns -1').toBe(0);
    expect(proc.errno, 'and leave errno = ENOMEM, as sbrk set it').toBe(ENOMEM);
    expect(heap.malloc(100), 'a request that fits must still succeed after one that failed').not.toBe(0);
    layout(proc);
  });
});

describe('splitting', () => {
  it('splits a large free block, leaving the rest free', () => {
    const { proc, heap } = setUp();
    const big = heap.malloc(1000);
    heap.malloc(16); // keeps the freed block away from the top
    heap.free(big);
    const p = heap.malloc(100);
    expect(hex(p), 'malloc(100) should take the front of the free 1024-byte block').toBe(hex(big));
    expect(layout(proc), 'a 128-byte block in use, then the rest of the 1024-byte block, free, then the 48-byte guard').toEqual([[128, false], [1024 - 128, true], [48, false]]);
  });

  /** A free 128-byte block between a block in use and the guard; `request` is taken from it unchecked. */
  function takeFrom128(request: number) {
    const { proc, heap, raw } = setUp();
    const p = heap.malloc(100); // a 128-byte block
    heap.malloc(16);
    heap.free(p);
    const q = raw.malloc(request);
    expect(hex(q), `malloc(${request}) fits the free 128-byte block at ${hex(p - HEADER_SIZE)}`).toBe(hex(p));
    return { proc, size: proc.load64(q - HEADER_SIZE), needed: Math.max(MIN_BLOCK, Math.ceil((request + HEADER_SIZE) / 16) * 16) };
  }

  it('splits off a remainder of exactly MIN_BLOCK', () => {
    const { proc, size, needed } = takeFrom128(64); // needs 80: 48 left
    expect(size, `malloc(64) needs ${needed} bytes of the free 128-byte block: the ${128 - needed} left are exactly MIN_BLOCK (${MIN_BLOCK}), enough for a free block of their own, so malloc must split them off; the header says ${size}`).toBe(needed);
    expect(layout(proc), `after malloc(64): a ${needed}-byte block in use, the ${MIN_BLOCK} bytes after it free, then the 48-byte guard`).toEqual([[needed, false], [MIN_BLOCK, true], [48, false]]);
  });

  it('does not split off a remainder smaller than MIN_BLOCK', () => {
    for (const request of [90, 80]) {
      // needs 112, then 96: 16, then 32 bytes left, too few for a free block's header, links and footer
      const { proc, size, needed } = takeFrom128(request);
      expect(size, `malloc(${request}) needs ${needed} bytes of the free 128-byte block: the ${128 - needed} left are less than MIN_BLOCK (${MIN_BLOCK}), so the whole block is used, not split; the header says ${size}`).toBe(128);
      expect(layout(proc), `after malloc(${request}): the whole 128-byte block in use, then the 48-byte guard`).toEqual([[128, false], [48, false]]);
    }
  });
});

describe('coalescing: the four cases', () => {
  function threeBlocks() {
    const { proc, heap } = setUp();
    const [a, b, c] = [heap.malloc(100), heap.malloc(100), heap.malloc(100)];
    heap.malloc(16); // a guard at the top, so nothing is trimmed
    return { proc, heap, a, b, c };
  }

  it('neither neighbour free: the block stays as it is', () => {
    const { proc, heap, b } = threeBlocks();
    heap.free(b);
    expect(layout(proc), 'free(b) between two blocks in use: b becomes one free 128-byte block, nothing merges').toEqual([[128, false], [128, true], [128, false], [48, false]]);
  });

  it('the next block free: they merge', () => {
    const { proc, heap, b, c } = threeBlocks();
    heap.free(c);
    heap.free(b);
    expect(layout(proc), 'free(c) then free(b): b and the free block after it, c, must become one free block of 256 bytes').toEqual([[128, false], [256, true], [48, false]]);
  });

  it('the previous block free: they merge, through its footer', () => {
    const { proc, heap, a, b } = threeBlocks();
    heap.free(a);
    heap.free(b);
    expect(layout(proc), "free(a) then free(b): b and the free block before it, a (found through a's footer, just below b's header), must become one free block of 256 bytes at a").toEqual([[256, true], [128, false], [48, false]]);
  });

  it('both neighbours free: all three merge into one', () => {
    const { proc, heap, a, b, c } = threeBlocks();
    heap.free(a);
    heap.free(c);
    heap.free(b);
    expect(layout(proc), 'free(a), free(c), then free(b): b merges with both neighbours, one free block of 384 bytes').toEqual([[384, true], [48, false]]);
    expect(hex(heap.malloc(300)), 'the merged block serves a request none of the three could').toBe(hex(a));
  });
});

describe('placement policies', () => {
  // Free blocks of 256, 64 and 128 bytes payload, in that order, separated by live blocks;
  // freed in that order, or the other way round.
  function holes(fit: string, freeOrder: 'forwards' | 'backwards' = 'forwards') {
    const { proc, heap } = setUp({ fit });
    const sizes = [240, 48, 112];
    const holesAt = sizes.map((size) => {
      const p = heap.malloc(size);
      heap.malloc(16);
      return p;
    });
    (freeOrder === 'forwards' ? holesAt : [...holesAt].reverse()).forEach((p) => heap.free(p));
    return { proc, heap, holesAt };
  }

  it('first fit takes the first block on the free list that is big enough', () => {
    const { heap, holesAt } = holes('first');
    const p = heap.malloc(40);
    expect(holesAt, `first fit put malloc(40) at ${hex(p)}`).toContain(p);
  });

  it('best fit takes the smallest block that is big enough', () => {
    // Freed backwards, the 256-byte block was freed last: where first fit would look first, in either list order.
    const { heap, holesAt } = holes('best', 'backwards');
    const holesNamed = `the holes: 256 bytes at ${hex(holesAt[0])}, 64 at ${hex(holesAt[1])}, 128 at ${hex(holesAt[2])}`;
    expect(hex(heap.malloc(100)), `of 256, 64 and 128 bytes, 128 fits 100 best (${holesNamed})`).toBe(hex(holesAt[2]));
    expect(hex(heap.malloc(40)), `and 64 fits 40 best (${holesNamed})`).toBe(hex(holesAt[1]));
  });

  it('next fit resumes where the last search stopped', () => {
    const { heap, holesAt } = holes('next');
    const [h256, h64, h128] = holesAt;
    // The list, newest first: 128, 64, 256. The first search takes the 128-byte hole and puts its split-off rest at the head.
    expect(hex(heap.malloc(40)), 'the first search starts at the head of the list: the 128-byte hole, freed last').toBe(hex(h128));
    const story = `the list was 128 (${hex(h128)}), 64 (${hex(h64)}), 256 (${hex(h256)}), and the split-off rest of the 128-byte hole went to its head`;
    expect(hex(heap.malloc(40)), `the second search resumes after the block the first one took: the 64-byte hole; first fit would take the split-off rest at the head (${story})`).toBe(hex(h64));
    expect(hex(heap.malloc(40)), `and the third after that one: the 256-byte hole (${story})`).toBe(hex(h256));
  });
});

describe('the top of the heap', () => {
  it('grows the heap only by what a free top block lacks', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const top = heap.malloc(1000);
    heap.free(top); // small: stays as a free block at the top
    const before = proc.stats().heapBytes;
    heap.malloc(2000);
    expect(proc.stats().heapBytes - before, 'the free 1024-byte top block is reused and grown by the 992 bytes it lacks (2016 - 1024)').toBe(2016 - 1024);
  });

  it('grows a free top block that lacks only a few bytes', () => {
    const { proc, heap } = setUp();
    heap.malloc(16);
    const top = heap.malloc(32);
    heap.free(top); // a free 48-byte block at the top
    const before = proc.stats().heapBytes;
    const p = heap.malloc(40); // needs 64: 16 more, but new space must hold a free block of its own
    expect(p, 'the free top block should grow to serve malloc(40)').toBe(top);
    expect(proc.stats().heapBytes - before, 'grow by what is missing, rounded up to MIN_BLOCK').toBe(MIN_BLOCK);
    layout(proc);
  });

  it('gives a large free top back to the kernel: the heap shrinks', () => {
    const { proc, heap } = setUp();
    heap.malloc(100);
    const big = heap.malloc(512 * 1024);
    proc.memset(big, 0xff, 512 * 1024); // the page that keeps the new break keeps these bytes
    const grown = proc.stats().heapBytes;
    heap.free(big);
    const after = proc.stats().heapBytes;
    expect(after, `freeing a 512 KiB block at the top left the heap at ${after} bytes (it was ${grown})`).toBeLessThan(grown - 500 * 1024);
    layout(proc);
  });

  it('keeps a small free top block', () => {
    const { proc, heap } = setUp();
    heap.malloc(100);
    const small = heap.malloc(1000);
    const grown = proc.stats().heapBytes;
    heap.free(small);
    expect(proc.stats().heapBytes, 'a free top block of about 1 KiB is under trimThreshold (128 KiB): the heap keeps it, no sbrk').toBe(grown);
  });
});

describe('misuse', () => {
  it('refuses an invalid pointer and a double free, even after coalescing', () => {
    const { heap } = setUp();
    const [a, b] = [heap.malloc(64), heap.malloc(64)];
    heap.malloc(16);
    expect(() => heap.free(a + 16), `free(${hex(a + 16)}), 16 bytes into a block, must throw "free(): invalid pointer"`).toThrow(/free\(\): invalid pointer/);
    heap.free(a);
    heap.free(b); // b merges into a
    expect(() => heap.free(a), `free(${hex(a)}) again, after b merged into it, must throw "double free detected": a's header now says free`).toThrow(/double free detected/);
    expect(() => heap.free(0x0060_0000), 'free(0x00600000), an address in the data segment, outside the heap').toThrow(HeapCorruption);
    heap.free(0);
  });
});

describe('under load', () => {
  function stress(heap: Allocator, proc: Process, seed: number) {
    const random = seededRandom(seed);
    const live: Array<{ p: number; size: number; id: number }> = [];
    for (let op = 0; op < 1500; op++) {
      if (live.length > 0 && random() < 0.45) {
        const [victim] = live.splice(Math.floor(random() * live.length), 1);
        const damage = findPatternDamage(proc, victim.p, victim.size, victim.id);
        if (damage !== undefined) throw new Error(`op ${op}: the block at ${hex(victim.p)} (${victim.size} bytes) was changed at ${hex(damage)}:\n${around(proc, victim.p, victim.size)}`);
        heap.free(victim.p); // checked: a broken invariant is named with this call, not 50 calls later
      } else {
        const size = random() < 0.1 ? Math.floor(random() * 20000) : Math.floor(random() * 300);
        const p = heap.malloc(size);
        fillPattern(proc, p, size, op);
        live.push({ p, size, id: op });
      }
    }
    for (const { p } of live) heap.free(p);
    return checkHeap(proc);
  }

  for (const fit of ['first', 'next', 'best']) {
    it(`${fit} fit: 1,500 random operations keep the heap sound and every block intact`, () => {
      const { proc, heap } = setUp({ fit });
      const report = stress(heap, proc, 42);
      expect(report.problem, 'after freeing every block, the heap checker found').toBe('');
      expect(report.blocks.filter((b) => !b.free), 'everything was freed').toEqual([]);
    });
  }

  it('keeps its state in the heap: a second allocator object continues the first one\'s heap', () => {
    const proc = new Process();
    const first = checked(proc, createAllocator(proc));
    const p = first.malloc(200);
    first.malloc(16);
    first.free(p);
    expect(hex(checked(proc, createAllocator(proc)).malloc(200)), 'a second allocator object must find the freed block: keep the heap\'s globals in proc.static, not in JavaScript variables').toBe(hex(p));
  });
});
