// Chapter 5, step 5: the small region's metadata, one u16 entry per quantum, byte by byte.
// The last test runs the reference rack over your SMALL, with the reference check after
// every step.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { createRack } from '../../solutions/05-zones/rack.ts';
import { mapAligned, regionIn } from '../../solutions/05-zones/region.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';
import { SMALL_READER, randomRun } from './zone-testing.ts';

const { SMALL, SMALL_REGION_SIZE, metaEntry } = await loadExercise<typeof import('./small-region.ts')>('05-zones/small-region.ts');

function setUp() {
  const proc = new Process();
  const region = regionIn(SMALL, mapAligned(proc, SMALL_REGION_SIZE, 'test small region'));
  /** The entries of quanta from…to-1 as u16 values, for a comparison that shows them all. */
  /** The entries of quanta from…to-1, each labelled with its quantum, so a diff says whose entry is wrong. */
  const entries = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `quantum ${from + i}: ${hex(proc.load16(metaEntry(region, from + i)), 4)}`);
  const dump = (q: number, count: number) =>
    `the entries of quanta ${q}…${q + count - 1}, 2 bytes each, downwards from ${hex(metaEntry(region, q))}:\n${around(proc, metaEntry(region, q + count - 1), count * 2)}`;
  return { proc, region, entries, dump };
}

/** The entries expected from quantum `from` on, labelled as `entries` labels them. */
const h = (from: number, values: number[]) => values.map((v, i) => `quantum ${from + i}: ${hex(v, 4)}`);

describe('reading an entry', () => {
  it('isBlockStart, isFree and msizeOf read the entry of the quantum: not 0, top bit, 15 bits', () => {
    const { proc, region, dump } = setUp();
    proc.store16(metaEntry(region, 5), 0x8003);
    proc.store16(metaEntry(region, 10), 7);
    proc.store16(metaEntry(region, 20), 0x7fff);
    const cases: Array<[number, boolean, boolean, number]> = [
      [5, true, true, 3],
      [10, true, false, 7],
      [11, false, false, 0],
      [20, true, false, 0x7fff],
    ];
    for (const [q, start, free, msize] of cases) {
      expect([SMALL.isBlockStart(proc, region, q), SMALL.isFree(proc, region, q), SMALL.msizeOf(proc, region, q)], `[isBlockStart, isFree, msizeOf] of quantum ${q}: ${dump(q, 1)}`).toEqual([start, free, msize]);
    }
  });
});

describe('writing entries', () => {
  it('setBlock of a free block: its first and last entries hold the size with the top bit, the ones inside stay 0', () => {
    const { proc, region, entries, dump } = setUp();
    SMALL.setBlock(proc, region, 5, 4, true);
    // Quanta 0 to 11: a last entry written on the wrong side (entries run downwards) lands among quanta 0 to 4.
    expect(entries(0, 12), `setBlock(5, 4 quanta, free): the last entry is metaEntry(region, 5 + 4 - 1), 6 bytes below the first; ${dump(0, 12)}`).toEqual(
      h(0, [0, 0, 0, 0, 0, 0x8004, 0, 0, 0x8004, 0, 0, 0]),
    );
    expect([...proc.bytes(metaEntry(region, 8), 8)], "the same, byte by byte in memory order (little-endian): quantum 8's entry, then 7's, 6's and 5's").toEqual([0x04, 0x80, 0, 0, 0, 0, 0x04, 0x80]);
  });

  it('setBlock of a block in use: the first entry holds the size, the last is 0', () => {
    const { proc, region, entries, dump } = setUp();
    SMALL.setBlock(proc, region, 5, 4, true);
    SMALL.setBlock(proc, region, 5, 4, false);
    expect(entries(4, 10), `setBlock(5, 4 quanta, free), then setBlock(5, 4 quanta, in use): ${dump(4, 6)}`).toEqual(h(4, [0, 4, 0, 0, 0, 0]));
  });

  it('a one-quantum block has one entry: setBlock writes nothing after it', () => {
    const { proc, region, entries, dump } = setUp();
    proc.store16(metaEntry(region, 21), 3); // a block in use starts right after
    SMALL.setBlock(proc, region, 20, 1, true);
    expect(entries(20, 22), `setBlock(20, 1 quantum, free), with a block at 21: ${dump(20, 2)}`).toEqual(h(20, [0x8001, 3]));
    SMALL.setBlock(proc, region, 20, 1, false);
    expect(entries(20, 22), `setBlock(20, 1 quantum, in use): ${dump(20, 2)}`).toEqual(h(20, [1, 3]));
  });

  it('forget zeroes the first and last entries, and nothing else', () => {
    const { proc, region, entries, dump } = setUp();
    SMALL.setBlock(proc, region, 5, 4, true);
    proc.store16(metaEntry(region, 9), 2);
    SMALL.forget(proc, region, 5, 4);
    expect(entries(4, 10), `forget(5, 4 quanta): ${dump(4, 6)}`).toEqual(h(4, [0, 0, 0, 0, 0, 2]));
    SMALL.setBlock(proc, region, 8, 1, true);
    SMALL.forget(proc, region, 8, 1);
    expect(entries(8, 10), `forget(8, 1 quantum), with a block at 9: ${dump(8, 2)}`).toEqual(h(8, [0, 2]));
  });
});

describe('freeBefore', () => {
  it('finds the free block before q through the last entry, and checks its first entry', () => {
    const { proc, region, dump } = setUp();
    expect(SMALL.freeBefore(proc, region, 0), 'freeBefore(0): no block before the first').toBe(-1);
    proc.store16(metaEntry(region, 0), 0x8002);
    proc.store16(metaEntry(region, 1), 0x8002);
    proc.store16(metaEntry(region, 2), 1);
    expect(SMALL.freeBefore(proc, region, 2), `freeBefore(2), a free block of 2 quanta at quantum 0, the first: its start, q - 2, is 0, which is a quantum like any other: ${dump(0, 3)}`).toBe(0);
    proc.store16(metaEntry(region, 10), 0x8003);
    proc.store16(metaEntry(region, 12), 0x8003);
    proc.store16(metaEntry(region, 13), 2);
    expect(SMALL.freeBefore(proc, region, 13), `freeBefore(13), a free block of 3 quanta at 10: ${dump(10, 3)}`).toBe(10);
    expect(SMALL.freeBefore(proc, region, 15), `freeBefore(15): the block at 13 is in use, its last entry is 0: ${dump(13, 2)}`).toBe(-1);
    proc.store16(metaEntry(region, 20), 0x8001);
    expect(SMALL.freeBefore(proc, region, 21), `freeBefore(21), a free block of 1 quantum at 20: ${dump(20, 1)}`).toBe(20);
    proc.store16(metaEntry(region, 32), 0x8002);
    proc.store16(metaEntry(region, 31), 0x8005);
    expect(SMALL.freeBefore(proc, region, 33), `freeBefore(33): the entry of 32 says a free block of 2 starts at 31, whose entry says 5 quanta: ${dump(31, 2)}`).toBe(-1);
    proc.store16(metaEntry(region, 3), 0x8009);
    expect(SMALL.freeBefore(proc, region, 4), `freeBefore(4): a size of 9 quanta would start before quantum 0: ${dump(3, 1)}`).toBe(-1);
  });
});

describe('SMALL under the reference rack', () => {
  it('400 random mallocs and frees keep every byte and every invariant the reference check knows', () => {
    const proc = new Process();
    randomRun(proc, createRack(proc, SMALL, 64), SMALL_READER, { ops: 400, seed: 17, maxMsize: 64, checkEvery: 1 });
  });
});
