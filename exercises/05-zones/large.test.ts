// Chapter 5, step 6: large blocks, whole pages from mmap, remembered in a hash table that
// lives in memory of its own. The reference check reads the table after every step.
import { describe, expect, it } from 'vitest';
import { ENOMEM, PAGE_SIZE, Process, SegmentationFault, hex, type ProcessOptions } from '../../machine/index.ts';
import { mulberry32 as seededRandom } from '../../workbook/trace/prng.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';
import { expectSound } from './zone-testing.ts';

const { createLargeBlocks, LARGE, ENTRY, ENTRY_SIZE, FIRST_CAPACITY } = await loadExercise<typeof import('./large.ts')>('05-zones/large.ts');

function setUp(processOptions: ProcessOptions = {}) {
  const proc = new Process(processOptions);
  const large = createLargeBlocks(proc);
  const read = (field: keyof typeof LARGE) => proc.load32(large.base + LARGE[field]);
  const sound = (after: string) => expectSound(proc, after, { large });
  /** The slot of the table that holds `address`, found by reading every slot. */
  function slotHolding(address: number): number {
    for (let i = 0; i < read('capacity'); i++) if (proc.load32(read('table') + i * ENTRY_SIZE + ENTRY.address) === address) return i;
    return -1;
  }
  /** Where the table holds `address`, and where a search for it starts, for a message. */
  function whereIs(address: number): string {
    const capacity = read('capacity');
    const slot = slotHolding(address);
    if (slot === -1) return `${hex(address)} is in no slot of the table (${capacity} slots at ${hex(read('table'))})`;
    const at = read('table') + slot * ENTRY_SIZE;
    const home = Math.imul(address >>> 12, 0x9e3779b1) >>> (32 - Math.log2(capacity)); // as home() computes it
    const probe = home === slot ? 'its home slot' : `a search starts at its home slot ${home} and goes on slot by slot to the first empty one`;
    return `${hex(address)} is in slot ${slot} of the table (${probe}), at ${hex(at)}:\n${around(proc, at, ENTRY_SIZE)}`;
  }
  function malloc(pages: number): number {
    const ptr = large.malloc(pages);
    expect(ptr, `malloc(${pages} pages) returned NULL`).not.toBe(0);
    sound(`malloc(${pages} pages) = ${hex(ptr)}`);
    return ptr;
  }
  return { proc, large, read, sound, slotHolding, whereIs, malloc };
}

describe('a large block', () => {
  it('is whole pages of its own from mmap, page-aligned, filed in the table', () => {
    const { proc, large, read, slotHolding, malloc } = setUp();
    const p = malloc(3);
    expect(p % PAGE_SIZE, `malloc(3 pages) = ${hex(p)} is not on a page boundary`).toBe(0);
    const mapping = proc.mappingList().find((m) => m.start <= p && p < m.end);
    expect(mapping && [hex(mapping.start), mapping.end - mapping.start], `the mapping holding ${hex(p)}: a mapping of its own, 3 pages\n${proc.maps()}`).toEqual([hex(p), 3 * PAGE_SIZE]);
    expect([read('count'), read('capacity')], `LARGE.count and LARGE.capacity: one block, a first table of ${FIRST_CAPACITY} slots`).toEqual([1, FIRST_CAPACITY]);
    const slot = slotHolding(p);
    expect(slot, `no slot of the table at ${hex(read('table'))} holds ${hex(p)}`).not.toBe(-1);
    const entry = read('table') + slot * ENTRY_SIZE;
    expect(proc.load32(entry + ENTRY.bytes), `the entry in slot ${slot} (${hex(entry)}) holds the block's size in bytes:\n${around(proc, entry, ENTRY_SIZE)}`).toBe(3 * PAGE_SIZE);
    expect(large.sizeOf(p), `sizeOf(${hex(p)})`).toBe(3 * PAGE_SIZE);
  });

  it('goes back to the kernel on free, and out of the table', () => {
    const { proc, large, read, sound, malloc } = setUp();
    const p = malloc(5);
    const q = malloc(1);
    const before = proc.stats().mappedBytes;
    expect(large.free(p), `free(${hex(p)}) of a live large block returns true`).toBe(true);
    sound(`free(${hex(p)})`);
    expect(before - proc.stats().mappedBytes, `free(${hex(p)}) unmaps its 5 pages\n${proc.maps()}`).toBe(5 * PAGE_SIZE);
    expect(() => proc.load8(p), `${hex(p)} is still mapped after free`).toThrow(SegmentationFault);
    expect([large.sizeOf(p), large.sizeOf(q)], `sizeOf: ${hex(p)} is gone, ${hex(q)} is still there`).toEqual([0, PAGE_SIZE]);
    expect(read('count'), 'LARGE.count').toBe(1);
    expect(large.free(p), `free(${hex(p)}) a second time: no longer in the table`).toBe(false);
  });

  it('is found by its first byte only: anything else is not a large block', () => {
    const { large, malloc } = setUp();
    expect(large.free(0x40000000), 'free before there is any table').toBe(false);
    expect(large.sizeOf(0x40000000), 'sizeOf before there is any table').toBe(0);
    const p = malloc(4);
    for (const [ptr, what] of [
      [p + PAGE_SIZE, 'the second page of a block'],
      [p + 16, 'inside the first page'],
      [0x40000000, 'a page no one mapped'],
      [2 ** 32, 'past a 32-bit address space'],
    ] as const) {
      expect(large.sizeOf(ptr), `sizeOf(${hex(ptr)}), ${what}`).toBe(0);
      expect(large.free(ptr), `free(${hex(ptr)}), ${what}`).toBe(false);
    }
    expect(large.sizeOf(p), 'the block itself is still there').toBe(4 * PAGE_SIZE);
  });
});

describe('the table', () => {
  it('grows past 384 entries (¾ of its first 512 slots), and deletes without losing a block', () => {
    const { large, read, sound, whereIs } = setUp();
    const blocks: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = large.malloc(1 + (i % 3));
      expect(p, `malloc number ${i + 1} returned NULL`).not.toBe(0);
      blocks.push(p);
      if (i === 383 || i === 384) sound(`malloc number ${i + 1}: the table holds ${i + 1} entries`);
    }
    sound('1,000 mallocs');
    expect([read('count'), read('capacity')], 'LARGE.count and LARGE.capacity: 1,000 entries need 2,048 slots, at most ¾ full').toEqual([1000, 2048]);
    // The messages scan the whole table: make them only for a block that is not found.
    const found = (p: number, i: number) => {
      const size = large.sizeOf(p);
      if (size !== (1 + (i % 3)) * PAGE_SIZE) expect(size, `sizeOf(${hex(p)}), block ${i}: ${whereIs(p)}`).toBe((1 + (i % 3)) * PAGE_SIZE);
    };
    blocks.forEach(found);
    // Free 700 of them in a random order: each deletion may shift later entries back.
    const random = seededRandom(9);
    const order = blocks.map((p, i) => ({ p, i, key: random() }));
    order.sort((a, b) => a.key - b.key);
    for (const [n, { p, i }] of order.slice(0, 700).entries()) {
      const where = whereIs(p);
      if (!large.free(p)) expect.fail(`free number ${n + 1}: free(${hex(p)}) of block ${i} returned false, but ${where}`);
      if (n % 50 === 0) sound(`free number ${n + 1}, of ${hex(p)}`);
    }
    sound('700 frees');
    for (const { p, i } of order.slice(700)) found(p, i);
    for (const { p } of order.slice(0, 700)) if (large.sizeOf(p) !== 0) expect.fail(`sizeOf(${hex(p)}) after its free is ${large.sizeOf(p)}: ${whereIs(p)}`);
  });

  it('refuses a block when mmap fails (NULL, ENOMEM), and keeps the table as it was', () => {
    const { proc, large, read, sound, malloc } = setUp({ mmapLimit: 64 * 1024 });
    const p = malloc(2);
    expect(large.malloc(100), 'malloc(100 pages) under a 64 KiB mmap limit').toBe(0);
    expect(proc.errno, 'errno after a malloc that failed').toBe(ENOMEM);
    expect(large.malloc(2 ** 20), 'malloc(2^20 pages): 4 GiB, past what a 32-bit process can address').toBe(0);
    expect(proc.errno).toBe(ENOMEM);
    sound('two mallocs that failed');
    expect([read('count'), large.sizeOf(p)], 'the one block is still there, alone').toEqual([1, 2 * PAGE_SIZE]);
  });

  it('probes on from the last slot to slot 0', () => {
    const { proc, large, read, whereIs } = setUp();
    large.free(large.malloc(1)); // a table of FIRST_CAPACITY slots, empty again
    const [capacity, table] = [read('capacity'), read('table')];
    const homeOf = (address: number) => Math.imul(address >>> 12, 0x9e3779b1) >>> (32 - Math.log2(capacity)); // as home() computes it
    const lastHome: number[] = [];
    for (let page = 0x40000; lastHome.length < 2; page++) if (homeOf(page * PAGE_SIZE) === capacity - 1) lastHome.push(page * PAGE_SIZE);
    // Two entries written by hand, both at home in the last slot: the second has wrapped to slot 0.
    const [a, b] = lastHome;
    proc.store32(table + (capacity - 1) * ENTRY_SIZE + ENTRY.address, a);
    proc.store32(table + (capacity - 1) * ENTRY_SIZE + ENTRY.bytes, PAGE_SIZE);
    proc.store32(table + ENTRY.address, b);
    proc.store32(table + ENTRY.bytes, 2 * PAGE_SIZE);
    let size: unknown;
    try {
      size = large.sizeOf(b);
    } catch (error) {
      size = `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
    }
    expect(size, `sizeOf(${hex(b)}): its home is the last slot (${capacity - 1}), taken by ${hex(a)}, so the search goes on at slot 0, (i + 1) & (capacity - 1), not at slot ${capacity}, past the table. ${whereIs(b)}`).toBe(2 * PAGE_SIZE);
  });

  it('files entries on from the last slot to slot 0 when the table grows', () => {
    const { proc, large, read, whereIs } = setUp();
    large.free(large.malloc(1)); // a table of FIRST_CAPACITY slots, empty again
    const [capacity, table] = [read('capacity'), read('table')];
    const homeIn = (address: number, slots: number) => Math.imul(address >>> 12, 0x9e3779b1) >>> (32 - Math.log2(slots)); // as home() computes it
    // Two addresses whose home is the last slot of the doubled table, then others up to ¾ of this one.
    const lastHome: number[] = [];
    for (let page = 0x40000; lastHome.length < 2; page++) if (homeIn(page * PAGE_SIZE, 2 * capacity) === 2 * capacity - 1) lastHome.push(page * PAGE_SIZE);
    const entries = [...lastHome];
    for (let page = 0x50000; entries.length < (capacity * 3) / 4; page++) if (!lastHome.includes(page * PAGE_SIZE)) entries.push(page * PAGE_SIZE);
    // Entries written by hand where find looks for them, as if malloc had filed them.
    for (const address of entries) {
      let i = homeIn(address, capacity);
      while (proc.load32(table + i * ENTRY_SIZE + ENTRY.address) !== 0) i = (i + 1) & (capacity - 1);
      proc.store32(table + i * ENTRY_SIZE + ENTRY.address, address);
      proc.store32(table + i * ENTRY_SIZE + ENTRY.bytes, PAGE_SIZE);
    }
    proc.store32(large.base + LARGE.count, entries.length);
    const [a, b] = lastHome;
    const grown = `malloc(1 page) with the table ¾ full (${entries.length} entries): the table doubles to ${2 * capacity} slots and place() files each entry again`;
    let p = 0;
    try {
      p = large.malloc(1);
    } catch (error) {
      expect.fail(
        `${grown}, and threw ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}\n${hex(a)} and ${hex(b)} both have the last slot (${2 * capacity - 1}) as their home there: the second goes on at slot 0, (i + 1) & (capacity - 1), not at slot ${2 * capacity}, past the table.`,
      );
    }
    expect(p, `${grown}; it returned NULL`).not.toBe(0);
    expect(read('capacity'), 'LARGE.capacity after the table grew').toBe(2 * capacity);
    expect(
      large.sizeOf(b),
      `sizeOf(${hex(b)}): in the ${2 * capacity}-slot table its home is the last slot (${2 * capacity - 1}), filed first by ${hex(a)}, so place() goes on at slot 0, (i + 1) & (capacity - 1), not at slot ${2 * capacity}, past the table. ${whereIs(b)}`,
    ).toBe(PAGE_SIZE);
    for (const address of entries) if (large.sizeOf(address) !== PAGE_SIZE) expect.fail(`sizeOf(${hex(address)}) after the table grew: ${whereIs(address)}`);
  });
});

describe('shrink, for realloc', () => {
  it('gives back the pages beyond the new size', () => {
    const { proc, large, sound, malloc } = setUp();
    const p = malloc(10);
    const before = proc.stats().mappedBytes;
    large.shrink(p, 4);
    sound(`shrink(${hex(p)}, 4 pages)`);
    expect(before - proc.stats().mappedBytes, `shrink from 10 pages to 4 unmaps 6\n${proc.maps()}`).toBe(6 * PAGE_SIZE);
    expect(large.sizeOf(p), 'sizeOf after the shrink').toBe(4 * PAGE_SIZE);
    expect(() => proc.load8(p + 4 * PAGE_SIZE), `${hex(p + 4 * PAGE_SIZE)}, the fifth page, is still mapped`).toThrow(SegmentationFault);
    large.shrink(p, 6);
    sound(`shrink(${hex(p)}, 6 pages) of a 4-page block`);
    expect(large.sizeOf(p), 'shrink never grows a block').toBe(4 * PAGE_SIZE);
    expect(large.free(p), 'and the block frees as a 4-page block').toBe(true);
    sound(`free(${hex(p)})`);
  });
});
