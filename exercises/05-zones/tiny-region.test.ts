// Chapter 5, step 2: the tiny region's two bitmaps, and the TINY kind that records blocks
// in them. The last test runs the reference rack over your TINY, with the reference check
// after every step.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { createRack } from '../../solutions/05-zones/rack.ts';
import { blockAddress, mapAligned, regionIn } from '../../solutions/05-zones/region.ts';
import { mulberry32 as seededRandom } from '../../workbook/trace/prng.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';
import { TINY_READER, randomRun } from './zone-testing.ts';

const tiny = await loadExercise<typeof import('./tiny-region.ts')>('05-zones/tiny-region.ts');
const { TINY, NUM_TINY_QUANTA, FREE_MSIZE_OFFSET, headerWord } = tiny;

function setUp() {
  const proc = new Process();
  const region = regionIn(TINY, mapAligned(proc, tiny.TINY_REGION_SIZE, 'test tiny region'));
  return { proc, region };
}

/** The bitmap words of quanta q, as a hex dump with the pair (header word, in-use word) marked. */
function bitmapAround(proc: Process, region: number, q: number): string {
  return around(proc, headerWord(region, q), 8);
}

function expectWord(proc: Process, region: number, q: number, which: 'header' | 'in-use', expected: number, what: string) {
  const address = headerWord(region, q) + (which === 'header' ? 0 : 4);
  const actual = proc.load32(address);
  expect(
    hex(actual),
    `${what}: the ${which} word of quantum ${q} (at ${hex(address)}, region − (${q >>> 5} + 1) * 8${which === 'header' ? '' : ' + 4'}) should be ${hex(expected)}, it is ${hex(actual)}:\n${bitmapAround(proc, region, q)}`,
  ).toBe(hex(expected));
}

const block = (region: number, q: number) => blockAddress(TINY, region, q);

describe('the bitmaps', () => {
  it('headerBit and inUseBit read bit q & 31 of the header word and of the in-use word after it', () => {
    const { proc, region } = setUp();
    proc.store32(headerWord(region, 0), 0b101);
    proc.store32(headerWord(region, 0) + 4, 0b100);
    proc.store32(headerWord(region, 35), 1 << 3);
    proc.store32(headerWord(region, 63) + 4, 0x80000000);
    const cases: Array<[number, boolean, boolean]> = [
      [0, true, false],
      [1, false, false],
      [2, true, true],
      [35, true, false],
      [3, false, false],
      [63, false, true],
      [31, false, false],
    ];
    for (const [q, start, used] of cases) {
      const dump = `\n${bitmapAround(proc, region, q)}`;
      expect(tiny.headerBit(proc, region, q), `headerBit(quantum ${q}): the header word at ${hex(headerWord(region, q))}, bit ${q & 31}${dump}`).toBe(start);
      expect(tiny.inUseBit(proc, region, q), `inUseBit(quantum ${q}): the in-use word at ${hex(headerWord(region, q) + 4)}, bit ${q & 31}${dump}`).toBe(used);
    }
  });

  it('setHeaderBit and setInUseBit change one bit of the right word, bit 31 too', () => {
    const { proc, region } = setUp();
    for (const q of [0, 1, 31, 32, 63, 64, NUM_TINY_QUANTA - 1]) {
      const bit = 2 ** (q & 31);
      const others = 0x5a5a5a5a & ~bit;
      proc.store32(headerWord(region, q), others >>> 0);
      proc.store32(headerWord(region, q) + 4, others >>> 0);
      tiny.setHeaderBit(proc, region, q, true);
      expectWord(proc, region, q, 'header', others + bit, `setHeaderBit(${q}, true)`);
      expectWord(proc, region, q, 'in-use', others, `setHeaderBit(${q}, true) must leave the in-use word alone`);
      tiny.setInUseBit(proc, region, q, true);
      expectWord(proc, region, q, 'in-use', others + bit, `setInUseBit(${q}, true)`);
      tiny.setHeaderBit(proc, region, q, false);
      expectWord(proc, region, q, 'header', others, `setHeaderBit(${q}, false)`);
      tiny.setInUseBit(proc, region, q, false);
      expectWord(proc, region, q, 'in-use', others, `setInUseBit(${q}, false)`);
    }
  });

  it('read back what was set, over 3,000 random changes', () => {
    const { proc, region } = setUp();
    const random = seededRandom(5);
    const starts = new Set<number>();
    const used = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const q = random() < 0.5 ? Math.floor(random() * 200) : Math.floor(random() * NUM_TINY_QUANTA);
      const on = random() < 0.6;
      if (random() < 0.5) {
        tiny.setHeaderBit(proc, region, q, on);
        if (on) starts.add(q);
        else starts.delete(q);
      } else {
        tiny.setInUseBit(proc, region, q, on);
        if (on) used.add(q);
        else used.delete(q);
      }
      const dump = `\n${bitmapAround(proc, region, q)}`;
      expect(tiny.headerBit(proc, region, q), `change ${i}: headerBit(${q}) after set${on ? '' : ' (off)'}${dump}`).toBe(starts.has(q));
      expect(tiny.inUseBit(proc, region, q), `change ${i}: inUseBit(${q})${dump}`).toBe(used.has(q));
    }
    for (let q = 0; q < 200; q++) expect(tiny.headerBit(proc, region, q), `headerBit(${q}) at the end`).toBe(starts.has(q));
  });
});

describe('nextBlockStart', () => {
  function withStarts(starts: number[]) {
    const { proc, region } = setUp();
    for (const q of starts) proc.store32(headerWord(region, q), (proc.load32(headerWord(region, q)) | (2 ** (q & 31))) >>> 0);
    const next = (q: number) => tiny.nextBlockStart(proc, region, q);
    const because = (q: number) => `nextBlockStart(${q}) with header bits set at ${starts.join(', ')}:\n${bitmapAround(proc, region, q + 1)}`;
    return { proc, region, next, because };
  }

  it('finds the next set bit in the same word, ignoring q itself and the bits below', () => {
    const { next, because } = withStarts([3, 10, 20]);
    expect(next(3), because(3)).toBe(10);
    expect(next(0), because(0)).toBe(3);
    expect(next(10), because(10)).toBe(20);
    expect(next(11), because(11)).toBe(20);
  });

  it('crosses word boundaries, bit 31 included', () => {
    const { next, because } = withStarts([5, 31, 32, 70, 1000]);
    expect(next(5), because(5)).toBe(31);
    expect(next(31), because(31)).toBe(32);
    expect(next(32), because(32)).toBe(70);
    expect(next(70), because(70)).toBe(1000);
  });

  it('returns NUM_TINY_QUANTA when nothing starts up to the end, never more', () => {
    const { proc, region, next, because } = withStarts([100, NUM_TINY_QUANTA - 1]);
    expect(next(100), because(100)).toBe(NUM_TINY_QUANTA - 1);
    expect(next(NUM_TINY_QUANTA - 1), because(NUM_TINY_QUANTA - 1)).toBe(NUM_TINY_QUANTA);
    expect(next(NUM_TINY_QUANTA - 2), because(NUM_TINY_QUANTA - 2)).toBe(NUM_TINY_QUANTA - 1);
    // The last word has bits for quanta past the region's end: a stray one is no block.
    const last = headerWord(region, NUM_TINY_QUANTA - 1);
    proc.store32(last, 0);
    proc.store32(last, 2 ** ((NUM_TINY_QUANTA + 3) & 31));
    const q = NUM_TINY_QUANTA - 5;
    const beyond = `nextBlockStart(${q}) with header bits set at 100 and at ${NUM_TINY_QUANTA + 3}, beyond the last quantum (${NUM_TINY_QUANTA - 1}): no block starts there, so the answer is still NUM_TINY_QUANTA (${NUM_TINY_QUANTA})`;
    expect(next(q), `${beyond}\n${bitmapAround(proc, region, q + 1)}`).toBe(NUM_TINY_QUANTA);
  });

  it('reads a word at a time: an empty bitmap costs about 2,000 loads, not 64,000', () => {
    const { proc, next } = withStarts([]);
    const before = proc.stats().memoryOps;
    expect(next(0)).toBe(NUM_TINY_QUANTA);
    const ops = proc.stats().memoryOps - before;
    expect(ops, `nextBlockStart(0) over an empty bitmap made ${ops} memory operations: skip a word of zeros in one load`).toBeLessThan(5000);
  });
});

describe('TINY: blocks in the bitmaps', () => {
  it('setBlock of a block in use sets both bits and writes nothing into the block', () => {
    const { proc, region } = setUp();
    fillPattern(proc, block(region, 40), 48, 7);
    TINY.setBlock(proc, region, 40, 3, false);
    expectWord(proc, region, 40, 'header', 2 ** 8, 'setBlock(40, 3 quanta, in use)');
    expectWord(proc, region, 40, 'in-use', 2 ** 8, 'setBlock(40, 3 quanta, in use)');
    const damage = findPatternDamage(proc, block(region, 40), 48, 7);
    if (damage !== undefined) expect.fail(`setBlock(40, 3 quanta, in use) wrote into the program's bytes at ${hex(damage)}:\n${around(proc, damage, 2)}`);
    proc.store32(headerWord(region, 43), 2 ** 11); // the next block starts at 43
    expect(TINY.msizeOf(proc, region, 40), `msizeOf(40) of a block in use: the next header bit is at 43\n${bitmapAround(proc, region, 40)}`).toBe(3);
  });

  it('setBlock of a free block clears its in-use bit and writes its size at +8 and in its last two bytes', () => {
    const { proc, region } = setUp();
    proc.store32(headerWord(region, 40) + 4, 2 ** 8); // it was in use
    TINY.setBlock(proc, region, 40, 5, true);
    expectWord(proc, region, 40, 'header', 2 ** 8, 'setBlock(40, 5 quanta, free)');
    expectWord(proc, region, 40, 'in-use', 0, 'setBlock(40, 5 quanta, free)');
    const at = block(region, 40);
    expect(proc.load16(at + FREE_MSIZE_OFFSET), `the size of free block ${hex(at)} at +${FREE_MSIZE_OFFSET}:\n${around(proc, at, 16)}`).toBe(5);
    expect(proc.load16(at + 5 * 16 - 2), `the size of free block ${hex(at)} in its last two bytes (${hex(at + 78)}):\n${around(proc, at + 78, 2)}`).toBe(5);
    expect(TINY.msizeOf(proc, region, 40), `msizeOf(40) of a free block reads +${FREE_MSIZE_OFFSET}`).toBe(5);
    TINY.setBlock(proc, region, 50, 1, true);
    expect([proc.load16(block(region, 50) + 8), proc.load16(block(region, 50) + 14)], `a one-quantum free block at ${hex(block(region, 50))} holds its size at +8 and +14:\n${around(proc, block(region, 50), 16)}`).toEqual([1, 1]);
  });

  it('forget clears both bits of the block and no other', () => {
    const { proc, region } = setUp();
    proc.store32(headerWord(region, 33), 0b1110);
    proc.store32(headerWord(region, 33) + 4, 0b0110);
    TINY.forget(proc, region, 33, 1);
    expectWord(proc, region, 33, 'header', 0b1100, 'forget(33)');
    expectWord(proc, region, 33, 'in-use', 0b0100, 'forget(33)');
  });

  it('freeBefore finds a free neighbour by its last two bytes, and trusts them only when the block agrees', () => {
    const { proc, region } = setUp();
    const mark = (q: number, used: boolean) => {
      tiny.setHeaderBit(proc, region, q, true);
      tiny.setInUseBit(proc, region, q, used);
    };
    expect(TINY.freeBefore(proc, region, 0), 'freeBefore(0): no block before the first').toBe(-1);
    // A free block of 3 quanta at quantum 0, the region's first: its size equals q, and is no less valid.
    mark(0, false);
    proc.store16(block(region, 0) + FREE_MSIZE_OFFSET, 3);
    proc.store16(block(region, 3) - 2, 3);
    mark(3, true);
    expect(TINY.freeBefore(proc, region, 3), `freeBefore(3): a free block of 3 quanta starts at quantum 0, the first; a size equal to q starts there (only a size above q would start before quantum 0)\n${around(proc, block(region, 3) - 16, 16)}`).toBe(0);
    // A free block of 4 quanta at 10, recorded by hand; a block at 14 after it.
    mark(10, false);
    proc.store16(block(region, 10) + FREE_MSIZE_OFFSET, 4);
    proc.store16(block(region, 14) - 2, 4);
    mark(14, true);
    expect(
      TINY.freeBefore(proc, region, 14),
      `freeBefore(14): a free block of 4 quanta at 10 ends just before; the u16 at blockAddress(region, 14) - 2 = ${hex(block(region, 14) - 2)} holds its size, 4\n${around(proc, block(region, 14) - 16, 16)}`,
    ).toBe(10);
    // A block in use at 20 (3 quanta) whose program bytes end in what looks like a size of 3.
    mark(20, true);
    proc.store16(block(region, 20) + FREE_MSIZE_OFFSET, 3);
    proc.store16(block(region, 23) - 2, 3);
    mark(23, true);
    expect(TINY.freeBefore(proc, region, 23), `freeBefore(23): the block at 20 is in use, its last bytes are the program's data\n${around(proc, block(region, 23) - 16, 16)}`).toBe(-1);
    // Bytes that claim a free block where none starts, or one bigger than the region before.
    // The program's bytes even repeat the size where a free block at 28 would keep it: only
    // the header bit, clear at 28, tells them apart.
    proc.store16(block(region, 28) + FREE_MSIZE_OFFSET, 2);
    proc.store16(block(region, 30) - 2, 2);
    mark(30, true);
    expect(
      TINY.freeBefore(proc, region, 30),
      `freeBefore(30): no block starts at quantum 28 (its header bit is clear), though the bytes at +${FREE_MSIZE_OFFSET} and just before 30 both read 2\n${bitmapAround(proc, region, 28)}`,
    ).toBe(-1);
    proc.store16(block(region, 40) - 2, 50);
    expect(TINY.freeBefore(proc, region, 40), 'freeBefore(40): a size of 50 quanta would start before quantum 0').toBe(-1);
    proc.store16(block(region, 45) - 2, 0);
    expect(TINY.freeBefore(proc, region, 45), 'freeBefore(45): a size of 0 is no block').toBe(-1);
    // A free block at 50 whose recorded size (2) disagrees with the bytes before 54 (4).
    mark(50, false);
    proc.store16(block(region, 50) + FREE_MSIZE_OFFSET, 2);
    proc.store16(block(region, 54) - 2, 4);
    expect(TINY.freeBefore(proc, region, 54), 'freeBefore(54): the block at 50 records 2 quanta, not 4').toBe(-1);
  });

  it('markTail sets and clears the header bit of the tail, never past the last quantum', () => {
    const { proc, region } = setUp();
    TINY.markTail(proc, region, 100, true);
    expectWord(proc, region, 100, 'header', 2 ** 4, 'markTail(100, true)');
    TINY.markTail(proc, region, 100, false);
    expectWord(proc, region, 100, 'header', 0, 'markTail(100, false)');
    const last = headerWord(region, NUM_TINY_QUANTA - 1);
    const before = proc.bytes(last, 8);
    TINY.markTail(proc, region, NUM_TINY_QUANTA, true);
    expect(proc.bytes(last, 8), `markTail(NUM_TINY_QUANTA, true): a full region's tail has no bit; the last words changed:\n${around(proc, last, 8)}`).toEqual(before);
  });
});

describe('TINY under the reference rack', () => {
  it('600 random mallocs and frees keep every byte and every invariant the reference check knows', () => {
    const proc = new Process();
    randomRun(proc, createRack(proc, TINY, 63), TINY_READER, { ops: 600, seed: 11, maxMsize: 63, checkEvery: 1 });
  });
});
