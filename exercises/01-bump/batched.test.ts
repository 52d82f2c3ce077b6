// Chapter 1, second step: a bump allocator that moves the break in big steps.
import { describe, expect, it } from 'vitest';
import { ENOMEM, Process, hex } from '../../machine/index.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';

const { createAllocator } = await loadAllocator('bump-batched');
const { BREAK_STEP } = await loadExercise<typeof import('./batched.ts')>('01-bump/batched.ts');

/** The allocator's two globals, next and end, as the data segment holds them (undefined if a global has another size). */
function globalsOf(proc: Process) {
  const read = (name: string) => {
    try {
      const address = proc.static(name, 8);
      return { name, address, value: proc.load64(address) as number | undefined };
    } catch {
      return { name, address: 0, value: undefined };
    }
  };
  return { next: read('bump.next'), end: read('bump.end') };
}

describe('the batched bump allocator', () => {
  it('returns aligned blocks that do not overlap', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    const sizes = Array.from({ length: 50 }, (_, i) => (i * 37) % 300);
    const blocks = sizes.map((size) => heap.malloc(size));
    blocks.forEach((p, i) => {
      expect(p % 16, `malloc(${sizes[i]}) = ${hex(p)} is not 16-byte aligned`).toBe(0);
      fillPattern(proc, p, sizes[i], i);
    });
    blocks.forEach((p, i) => {
      const damage = findPatternDamage(proc, p, sizes[i], i);
      expect(damage, `block ${i} at ${hex(p)} was overwritten at ${hex(damage ?? 0)}:\n${around(proc, p, sizes[i])}`).toBeUndefined();
    });
  });

  it('makes one syscall for many small mallocs', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    for (let i = 0; i < 1000; i++) heap.malloc(24);
    const { syscalls } = proc.stats();
    const calls = syscalls.sbrk + syscalls.brk;
    const { next, end } = globalsOf(proc);
    // end left below next: the step was taken but never stored back, so every malloc sees no room.
    const lostEnd =
      end.value !== undefined && next.value !== undefined && end.value < next.value
        ? `; the end of the batch is not stored back in memory (${end.name} at ${hex(end.address)} still says ${hex(end.value)}, below next at ${hex(next.value)}), ` +
          'so every malloc thinks the batch is used up: proc.store64(endAddr, end) after the sbrk'
        : '';
    expect(calls, `1000 mallocs of 24 bytes need 32,000 bytes, one step of ${BREAK_STEP}; they made ${calls} sbrk calls${lostEnd}`).toBeLessThanOrEqual(2);
  });

  it('moves the break in steps of BREAK_STEP', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    heap.malloc(10);
    expect(proc.stats().heapBytes, `one small malloc should move the break by one BREAK_STEP (${BREAK_STEP})`).toBe(BREAK_STEP);
    heap.malloc(BREAK_STEP - 16); // fills the first step exactly
    expect(proc.stats().heapBytes, `malloc(${BREAK_STEP - 16}) fits in what is left of the first step: no sbrk`).toBe(BREAK_STEP);
    heap.malloc(1);
    expect(proc.stats().heapBytes, 'the first step is full: malloc(1) moves the break by one more BREAK_STEP').toBe(2 * BREAK_STEP);
  });

  it('serves a request larger than a step', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    const p = heap.malloc(3 * BREAK_STEP + 5);
    expect(p, `malloc(${3 * BREAK_STEP + 5}) returned NULL: a request bigger than a step needs a bigger sbrk`).not.toBe(0);
    expect(p + 3 * BREAK_STEP + 5 <= proc.currentBreak, `the block at ${hex(p)} runs past the break at ${hex(proc.currentBreak)}`).toBe(true);
    const { sbrk, brk } = proc.stats().syscalls;
    expect(sbrk + brk, `malloc(${3 * BREAK_STEP + 5}) made ${sbrk + brk} sbrk calls: one sbrk of the request rounded up to a multiple of BREAK_STEP (4 steps) is enough, not one step at a time`).toBeLessThanOrEqual(2);
  });

  it('keeps its state in the data segment: a second allocator object continues the same heap', () => {
    const proc = new Process();
    const first = createAllocator(proc);
    const p = first.malloc(16);
    const second = createAllocator(proc);
    const q = second.malloc(16);
    expect(hex(q), `the second allocator started at ${hex(q)} instead of right after ${hex(p)}: keep next and end in proc.static (not in JavaScript variables), and store both back after every change`).toBe(hex(p + 16));
    const r = first.malloc(16);
    const { next, end } = globalsOf(proc);
    expect(
      hex(r),
      `first.malloc(16), after second.malloc(16) = ${hex(q)}, returned ${hex(r)}${r === q ? ', the same block again' : ''}, not ${hex(q + 16)}: ` +
        `the first object did not see what the second allocated (the data segment says ${next.name} = ${hex(next.value ?? Number.NaN)} at ${hex(next.address)}, ${end.name} = ${hex(end.value ?? Number.NaN)} at ${hex(end.address)}). ` +
        'Allocator state must live in simulated memory, not in JavaScript variables: load next and end with proc.load64 at the start of every malloc, ' +
        'never once in createAllocator' +
        (next.value !== undefined && end.value !== undefined ? `; the globals in the data segment:\n${around(proc, next.address, end.address + 8 - next.address)}` : ''),
    ).toBe(hex(q + 16));
  });

  it('starts afresh, aligned, when something else moved the break', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    const p = heap.malloc(BREAK_STEP); // fills the first step exactly
    proc.sbrk(8); // another part of the program moved the break
    const q = heap.malloc(16);
    expect(q % 16, `malloc(16) after someone else's sbrk(8) returned ${hex(q)}, not 16-byte aligned`).toBe(0);
    expect(q >= p + BREAK_STEP + 8, `malloc(16) returned ${hex(q)}, inside bytes someone else owns (the break had moved to ${hex(p + BREAK_STEP + 8)})`).toBe(true);
  });

  it('asks for just the missing bytes when a whole step does not fit', () => {
    const proc = new Process({ heapLimit: BREAK_STEP + BREAK_STEP / 2 });
    const heap = createAllocator(proc);
    expect(heap.malloc(BREAK_STEP - 32), `malloc(${BREAK_STEP - 32}) returned NULL`).not.toBe(0);
    const p = heap.malloc(BREAK_STEP / 4); // needs a little more heap, not a whole step
    expect(p, `the heap had room for malloc(${BREAK_STEP / 4}) but a whole step did not fit; errno = ${proc.errno}`).not.toBe(0);
  });

  it('asks for exactly the missing bytes, not the whole request', () => {
    const limit = BREAK_STEP + BREAK_STEP / 4 - 32;
    const proc = new Process({ heapLimit: limit });
    const heap = createAllocator(proc);
    heap.malloc(BREAK_STEP - 32); // 32 bytes of the first step are left
    const p = heap.malloc(BREAK_STEP / 4);
    expect(
      p,
      `malloc(${BREAK_STEP / 4}) with 32 bytes left of the step needs ${BREAK_STEP / 4 - 32} more, and the heap may grow by exactly that (to ${hex(proc.heapStart + limit)}); ` +
        `it returned NULL, errno = ${proc.errno}: when a whole step fails, sbrk(request - (end - next)), not sbrk(request)`,
    ).not.toBe(0);
    expect(p + BREAK_STEP / 4 <= proc.currentBreak, `the block at ${hex(p)} runs past the break at ${hex(proc.currentBreak)}`).toBe(true);
  });

  it('grows again when the step after a jump is too short for the request', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    heap.malloc(BREAK_STEP); // fills the first step exactly
    proc.sbrk(8); // another part of the program moved the break
    const theirs = proc.currentBreak - 8;
    const q = heap.malloc(BREAK_STEP); // a step from the new break, minus 8 bytes of alignment, is too short
    expect(q, `malloc(${BREAK_STEP}) returned NULL after someone else's sbrk(8)`).not.toBe(0);
    expect(q >= theirs + 8, `malloc(${BREAK_STEP}) returned ${hex(q)}, inside the 8 bytes at ${hex(theirs)} that someone else's sbrk owns: after a jump, store the new next before growing again`).toBe(true);
    expect(
      q + BREAK_STEP <= proc.currentBreak,
      `malloc(${BREAK_STEP}) returned ${hex(q)}, a block that ends at ${hex(q + BREAK_STEP)}, past the break at ${hex(proc.currentBreak)}: ` +
        'the step taken after the jump lost 8 bytes to alignment, so check again that the request fits, and grow again if not',
    ).toBe(true);
  });

  it('returns NULL when the step after a jump leaves the request short and the heap cannot grow again', () => {
    const limit = 2 * BREAK_STEP + 8;
    const proc = new Process({ heapLimit: limit });
    const heap = createAllocator(proc);
    heap.malloc(BREAK_STEP); // fills the first step exactly
    proc.sbrk(8); // another part of the program moved the break
    proc.errno = 0;
    // A whole step still fits below the limit, but after 8 bytes of alignment it is 8 bytes short, and the heap may not grow by them.
    const q = heap.malloc(BREAK_STEP);
    const brk = proc.currentBreak;
    expect(
      q === 0 || q + BREAK_STEP <= brk,
      `malloc(${BREAK_STEP}) after someone else's sbrk(8) returned ${hex(q)}, a block that ends at ${hex(q + BREAK_STEP)}, past the break at ${hex(brk)} ` +
        `(the heap may not grow past ${hex(proc.heapStart + limit)}; errno = ${proc.errno}): the step after the jump was short, and the sbrk for the missing bytes failed. ` +
        `Check every sbrk for -1 and return NULL, not a block whose end is not yours; its last 16 bytes, up to and past the break:\n${around(proc, q + BREAK_STEP - 16, 16, 0)}`,
    ).toBe(true);
    expect(hex(q), `the heap cannot hold malloc(${BREAK_STEP}) after the jump: it must return NULL (0)`).toBe(hex(0));
    expect(proc.errno, `malloc(${BREAK_STEP}) returned NULL with errno = ${proc.errno}: leave errno = ENOMEM (12), as the failed sbrk set it`).toBe(ENOMEM);
  });

  it('returns a unique pointer for malloc(0), and a TypeError for a size that is not a non-negative integer', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    const a = heap.malloc(0);
    const b = heap.malloc(0);
    expect(a, 'malloc(0) returned NULL; like glibc, return a unique pointer that free accepts').not.toBe(0);
    expect(hex(b), `two calls of malloc(0) both returned ${hex(a)}: round 0 up to one aligned unit`).not.toBe(hex(a));
    expect(() => heap.malloc(-1), 'malloc(-1): use requireSize from the machine').toThrow(TypeError);
    expect(() => heap.malloc(2.5), 'malloc(2.5)').toThrow(TypeError);
  });

  it('returns NULL with ENOMEM when the heap is full', () => {
    const proc = new Process({ heapLimit: BREAK_STEP });
    const heap = createAllocator(proc);
    expect(heap.malloc(BREAK_STEP - 16), `malloc(${BREAK_STEP - 16}) fits in the one step the heap may have`).not.toBe(0);
    expect(hex(heap.malloc(32)), 'the heap is full: malloc(32) must return NULL (0)').toBe(hex(0));
    expect(proc.errno, 'and leave errno = ENOMEM, as sbrk set it').toBe(ENOMEM);
  });

  it('returns NULL, not an exception, for a size no heap can hold', () => {
    for (const size of [2 ** 32, 2 ** 53 - 1]) {
      const proc = new Process();
      const heap = createAllocator(proc);
      let p = -1;
      expect(() => (p = heap.malloc(size)), `malloc(${size}) must return NULL, not throw: round with alignUp, as 32-bit operators such as & and | cut numbers above 2^31`).not.toThrow();
      expect(hex(p), `malloc(${size}) is a valid size that no heap can hold: it must return NULL (0), not ${hex(p)}`).toBe(hex(0));
      expect(proc.errno, `malloc(${size}) returned NULL with errno = ${proc.errno}: it must come from a failed sbrk, which sets ENOMEM (12), not from a size that rounding cut to 0`).toBe(ENOMEM);
    }
  });

  it('still has working free, realloc and calloc', () => {
    const proc = new Process();
    const heap = createAllocator(proc);
    const p = heap.calloc(8, 8);
    expect(proc.bytes(p, 64).every((b) => b === 0), `calloc(8, 8) = ${hex(p)} is not all zeros:\n${around(proc, p, 64)}`).toBe(true);
    fillPattern(proc, p, 64, 1);
    const q = heap.realloc(p, 128);
    const damage = findPatternDamage(proc, q, 64, 1);
    expect(damage, `realloc(${hex(p)}, 128) = ${hex(q)} lost the old bytes at ${hex(damage ?? 0)}:\n${around(proc, q, 64)}`).toBeUndefined();
    heap.free(q);
    heap.free(0);
  });
});
