// Chapter 2: the heap walker, which reads the heap from its bytes alone.
import { describe, expect, it } from 'vitest';
import { HeapCorruption, Process, hex } from '../../machine/index.ts';
import { BlockMeta, META_SIZE, createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { loadExercise } from '../../workbook/target.ts';

const { walkHeap, formatHeap } = await loadExercise<typeof import('./walk.ts')>('02-free-list/walk.ts');

// The heaps here are built by the reference allocator: only the walker is under test.
function heapWith(sizes: number[], freed: number[] = []) {
  const proc = new Process();
  const heap = createAllocator(proc);
  const pointers = sizes.map((s) => heap.malloc(s));
  for (const i of freed) heap.free(pointers[i]);
  return { proc, pointers };
}

describe('walkHeap', () => {
  it('finds nothing in an empty heap', () => {
    expect(walkHeap(new Process()), 'global_base is 0 (NULL) before the first malloc: there is nothing to walk').toEqual([]);
  });

  it('lists every block from global_base: header, payload, size, free', () => {
    const { proc, pointers } = heapWith([16, 100, 40], [1]);
    const walked = walkHeap(proc);
    expect(walked, 'walkHeap follows next from global_base and reports each header: its address, the payload META_SIZE (32) bytes above, size and free').toEqual([
      { header: pointers[0] - META_SIZE, payload: pointers[0], size: 16, free: false },
      { header: pointers[1] - META_SIZE, payload: pointers[1], size: 112, free: true },
      { header: pointers[2] - META_SIZE, payload: pointers[2], size: 48, free: false },
    ]);
  });

  it('stops with a HeapCorruption at a header whose magic was overwritten', () => {
    const { proc, pointers } = heapWith([16, 32, 48]);
    proc.store32(pointers[1] - META_SIZE + BlockMeta.offsetof('magic'), 0xdeadbeef); // an overrun from block 0
    expect(() => walkHeap(proc), `the header at ${hex(pointers[1] - META_SIZE)} is smashed`).toThrow(HeapCorruption);
  });

  it('stops with a HeapCorruption when a next pointer leaves the heap, below it or above the break', () => {
    for (const outside of [0x0060_0000, 0x0200_0000]) {
      const { proc, pointers } = heapWith([16, 32]);
      BlockMeta.write(proc, pointers[0] - META_SIZE, 'next', outside);
      const where = outside < proc.heapStart ? 'below the heap' : 'above the break';
      expect(() => walkHeap(proc), `the first header's next is ${hex(outside)}, ${where} (the heap runs from ${hex(proc.heapStart)} to the break at ${hex(proc.currentBreak)}): throw a HeapCorruption there instead of reading it`).toThrow(HeapCorruption);
    }
  });

  it('stops with a HeapCorruption at a header whose size or free field no block could have', () => {
    for (const [field, value, why] of [
      ['size', 24, 'size 24 is not a multiple of 16'],
      ['size', 0, 'size 0: a block holds something'],
      ['free', 2, 'free is 0 or 1'],
    ] as const) {
      const { proc, pointers } = heapWith([16, 32, 48]);
      BlockMeta.write(proc, pointers[1] - META_SIZE, field, value);
      expect(() => walkHeap(proc), `the header at ${hex(pointers[1] - META_SIZE)} has ${field} = ${value} (${why}): throw a HeapCorruption there`).toThrow(HeapCorruption);
    }
  });

  it('stops with a HeapCorruption at a header that starts inside the block before it', () => {
    const { proc, pointers } = heapWith([16, 32, 48]);
    // The second block's header moved 16 bytes down, into the first block's payload, links and magic intact.
    const moved = pointers[1] - META_SIZE - 16;
    proc.memmove(moved, pointers[1] - META_SIZE, META_SIZE);
    BlockMeta.write(proc, pointers[0] - META_SIZE, 'next', moved);
    expect(() => walkHeap(proc), `the header at ${hex(moved)} lies inside the payload of the block before it (${hex(pointers[0])}, 16 bytes): blocks cannot overlap`).toThrow(HeapCorruption);
  });

  it('does not loop forever on a cycle', () => {
    const { proc, pointers } = heapWith([16, 32]);
    BlockMeta.write(proc, pointers[1] - META_SIZE, 'next', pointers[0] - META_SIZE);
    expect(() => walkHeap(proc), 'the second header links back to the first: next must always point higher, or the walk goes round forever').toThrow(HeapCorruption);
  });
});

describe('formatHeap', () => {
  it('prints one line per block: payload address, size and state', () => {
    const { proc, pointers } = heapWith([16, 100], [0]);
    expect(formatHeap(proc).split('\n')).toEqual([`${hex(pointers[0])}      16 bytes  free`, `${hex(pointers[1])}     112 bytes  used`]);
  });
});
