// Chapter 7, step 8: interposition (functions.ts). The reference debug zone calls malloc and
// free through its table of functions: your interpose puts a function of your own in front of
// a live zone, and takes it out again.
import { describe, expect, it } from 'vitest';
import { HeapCorruption, Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';
import { nomallocPrintf } from '../../solutions/07-debug/nomalloc.ts';
import { loadExercise } from '../../workbook/target.ts';
import { caught } from './caught.ts';

const { interpose } = await loadExercise<typeof import('./functions.ts')>('07-debug/functions.ts');

describe('interpose', () => {
  it('a wrapper swapped into the table sees every call of a live zone', () => {
    const proc = new Process();
    const zone = createAllocator(proc);
    const early = zone.malloc(100); // allocated before the wrapper went in
    const seen: string[] = [];
    interpose(zone.functions, 'free', (free) => (ptr) => {
      nomallocPrintf(proc, (text) => seen.push(text), 'free(%p) of %u bytes', ptr, zone.functions.size(ptr));
      free(ptr);
    });
    const ptr = zone.malloc(100);
    zone.free(ptr);
    zone.free(early);
    expect(seen, 'the frees the wrapper printed').toEqual([`free(${hex(ptr)}) of 112 bytes`, `free(${hex(early)}) of 112 bytes`]);
    expect(zone.statistics().blocksInUse, 'and the original free still ran').toBe(0);
  });

  it('returns a function that puts the original back', () => {
    const zone = createAllocator(new Process());
    const original = zone.functions.malloc;
    let calls = 0;
    const restore = interpose(zone.functions, 'malloc', (malloc) => (size) => {
      calls++;
      return malloc(size);
    });
    expect(zone.functions.malloc, 'the table entry after interpose').not.toBe(original);
    zone.malloc(10);
    restore();
    zone.malloc(10);
    expect(calls, 'calls seen: one before restore, none after').toBe(1);
    expect(zone.functions.malloc, 'the table entry after restore').toBe(original);
  });

  it('a checking wrapper catches a double free before the allocator sees it', () => {
    const zone = createAllocator(new Process());
    const freed = new Set<number>();
    interpose(zone.functions, 'free', (free) => (ptr) => {
      if (freed.has(ptr)) throw new HeapCorruption(`free(): ${hex(ptr)} freed twice (seen by the wrapper)`, ptr);
      freed.add(ptr);
      free(ptr);
    });
    interpose(zone.functions, 'malloc', (malloc) => (size) => {
      const ptr = malloc(size);
      freed.delete(ptr);
      return ptr;
    });
    const keep = zone.malloc(64);
    const ptr = zone.malloc(64);
    zone.free(ptr);
    expect(caught(() => zone.free(ptr)).message).toBe(`free(): ${hex(ptr)} freed twice (seen by the wrapper)`);
    expect(hex(zone.malloc(64)), 'a block handed out again may be freed again').toBe(hex(ptr));
    zone.free(ptr);
    zone.free(keep);
  });
});
