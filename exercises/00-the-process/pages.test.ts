// Chapter 0, warm-up 3: pages, and how memory becomes resident.
import { describe, expect, it, vi } from 'vitest';
import { PAGE_SIZE, PROT_READ, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';

const { pagesSpanned, touchPages } = await loadExercise<typeof import('./pages.ts')>('00-the-process/pages.ts');

describe('pagesSpanned', () => {
  it('is 1 for a whole page, and for a single byte', () => {
    expect(pagesSpanned(0x1000, PAGE_SIZE), `pagesSpanned(0x1000, ${PAGE_SIZE}): the bytes 0x1000..0x1fff are exactly one page, the page at 0x1000`).toBe(1);
    expect(pagesSpanned(0x1234, 1), 'pagesSpanned(0x1234, 1): the one byte at 0x1234 lies in one page, the page at 0x1000').toBe(1);
  });

  it('counts a page for each boundary crossed', () => {
    expect(pagesSpanned(0x1000, PAGE_SIZE + 1), `pagesSpanned(0x1000, ${PAGE_SIZE + 1}): the bytes 0x1000..0x2000 fill the page at 0x1000 and reach one byte, 0x2000, into the next page`).toBe(2);
    expect(
      pagesSpanned(0x1fff, 2),
      'pagesSpanned(0x1fff, 2): two bytes can straddle a boundary; 0x1fff is the last byte of the page at 0x1000 and 0x2000 the first of the page at 0x2000 (count from the page of addr to the page of addr + length - 1, not length / PAGE_SIZE)',
    ).toBe(2);
    expect(pagesSpanned(0x1800, 3 * PAGE_SIZE), `pagesSpanned(0x1800, ${3 * PAGE_SIZE}): the bytes 0x1800..0x47ff start and end mid-page: pages 0x1000, 0x2000, 0x3000 and 0x4000`).toBe(4);
  });

  it('is 0 for an empty range', () => {
    expect(pagesSpanned(0x1fff, 0), 'pagesSpanned(0x1fff, 0): no bytes touch no page (with length 0, addr + length - 1 is the byte before the range)').toBe(0);
  });
});

describe('touchPages', () => {
  it('makes every page of the range resident', () => {
    const proc = new Process();
    const m = proc.mmap(10 * PAGE_SIZE);
    touchPages(proc, m + 2 * PAGE_SIZE + 100, 3 * PAGE_SIZE);
    const resident = proc.stats().residentBytes / PAGE_SIZE;
    expect(resident, `3 pages' worth of bytes starting 100 bytes into a page touch 4 pages; ${resident} became resident`).toBe(4);
  });

  it('makes resident a last page the range reaches by one byte', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    touchPages(proc, m, PAGE_SIZE + 1);
    const missing = proc.mincore(m, 2 * PAGE_SIZE).findIndex((resident) => !resident);
    expect(missing, `touchPages(proc, ${hex(m)}, ${PAGE_SIZE + 1}) reaches the byte ${hex(m + PAGE_SIZE)}, the first of the page at ${hex(m + PAGE_SIZE)}, which is not resident: loop while the page starts before addr + length`).toBe(-1);
  });

  it('returns how many pages it touched', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    expect(touchPages(proc, m, 4 * PAGE_SIZE), `the range ${hex(m)}..${hex(m + 4 * PAGE_SIZE - 1)} is 4 whole pages`).toBe(4);
    expect(touchPages(proc, m, 0), 'an empty range touches no page').toBe(0);
    const partial = touchPages(proc, m + 100, 2 * PAGE_SIZE);
    expect(partial, `the range ${hex(m + 100)}..${hex(m + 2 * PAGE_SIZE + 99)} starts 100 bytes into a page and touches 3 pages; touchPages returned ${partial} (is the first, partial page counted twice?)`).toBe(3);
  });

  it('touches nothing for an empty range, even one that starts inside a page', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    const touched = touchPages(proc, m + 100, 0);
    expect(touched, `touchPages(proc, ${hex(m + 100)}, 0) covers no byte, so no page: it returned ${touched} (a loop from the start of the page runs once unless length 0 returns first)`).toBe(0);
    expect(proc.stats().residentBytes, `touchPages(proc, ${hex(m + 100)}, 0) made the page at ${hex(m)} resident`).toBe(0);
  });

  it('writes only bytes inside the range: the rest of its first and last pages belong to others', () => {
    const proc = new Process();
    const m = proc.mmap(4 * PAGE_SIZE);
    const addr = m + PAGE_SIZE + 100;
    const length = 2 * PAGE_SIZE - 50; // from 100 bytes into page 1 to 50 bytes into page 3
    const store8 = vi.spyOn(proc, 'store8');
    touchPages(proc, addr, length);
    const outside = store8.mock.calls.map(([at]) => at).filter((at) => at < addr || at >= addr + length);
    expect(
      outside.map((at) => hex(at)),
      `touchPages(proc, ${hex(addr)}, ${length}) covers ${hex(addr)}..${hex(addr + length - 1)}, but stored outside it: ` +
        `another thread may be writing those bytes, and storing back an old value undoes its write. touch addr itself in the first page, and the first byte of each page after it (those all lie inside the range)`,
    ).toEqual([]);
  });

  it('leaves the bytes as they were', () => {
    const proc = new Process();
    const m = proc.mmap(2 * PAGE_SIZE);
    proc.memset(m, 0x33, 2 * PAGE_SIZE);
    touchPages(proc, m, 2 * PAGE_SIZE);
    const changed = [...proc.bytes(m, 2 * PAGE_SIZE)].findIndex((b) => b !== 0x33);
    expect(
      changed === -1 ? 'unchanged' : hex(m + changed),
      `touchPages(proc, ${hex(m)}, ${2 * PAGE_SIZE}) must not change the bytes it touches: the byte at ${hex(m + changed)} (marked) was 0x33:\n${around(proc, m + changed, 1)}`,
    ).toBe('unchanged');
  });

  it('needs a write, not only a read (a read maps the shared zero page)', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE);
    touchPages(proc, m, PAGE_SIZE);
    expect(proc.stats().residentBytes, 'after touchPages the page must be resident: a load alone only maps the shared zero page, so store the byte back').toBe(PAGE_SIZE);
  });

  it('costs a few memory operations per page, not one per byte', () => {
    const proc = new Process();
    const m = proc.mmap(64 * PAGE_SIZE);
    const before = proc.stats().memoryOps;
    touchPages(proc, m, 64 * PAGE_SIZE);
    const ops = proc.stats().memoryOps - before;
    expect(proc.stats().residentBytes, 'touchPages must make all 64 pages resident (a store in each)').toBe(64 * PAGE_SIZE);
    expect(ops, `64 pages took ${ops} loads and stores; one byte per page is enough`).toBeLessThanOrEqual(2 * 64);
  });

  it('faults on a read-only mapping, as writing to it would', () => {
    const proc = new Process();
    const m = proc.mmap(PAGE_SIZE, PROT_READ);
    expect(() => touchPages(proc, m, 1), `touchPages(proc, ${hex(m)}, 1) on a read-only page must fault, as its store would: it returned without storing to the range's one byte`).toThrow(SegmentationFault);
  });
});
