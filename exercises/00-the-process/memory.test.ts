// Chapter 0, warm-up 1: fill (memset by hand) and cstringLength (strlen).
import { describe, expect, it, vi } from 'vitest';
import { PAGE_SIZE, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';

const { fill, cstringLength, writeCString } = await loadExercise<typeof import('./memory.ts')>('00-the-process/memory.ts');

/** A byte as the hex dumps show it, `0xee`, for comparisons whose failure prints both sides. */
const byte = (b: number) => hex(b, 2);

function heapWithGuards(bytes: number) {
  const proc = new Process();
  const start = proc.sbrk(bytes + 32);
  proc.memset(start, 0xee, bytes + 32); // guard bytes that must survive
  return { proc, at: start + 16 };
}

describe('fill', () => {
  it('sets every one of the n bytes', () => {
    const { proc, at } = heapWithGuards(10);
    fill(proc, at, 0x41, 10);
    const wrong = [...proc.bytes(at, 10)].findIndex((b) => b !== 0x41);
    expect(wrong, `fill(proc, ${hex(at)}, 0x41, 10): byte ${wrong} of 10, at ${hex(at + wrong)}, was not set to 0x41:\n${around(proc, at, 10)}`).toBe(-1);
  });

  it('touches nothing before or after the n bytes', () => {
    const { proc, at } = heapWithGuards(10);
    fill(proc, at, 0x41, 10);
    expect(byte(proc.load8(at - 1)), `fill(proc, ${hex(at)}, 0x41, 10) wrote before its start, at ${hex(at - 1)} (marked), where the guard byte 0xee was:\n${around(proc, at - 1, 1)}`).toBe(byte(0xee));
    expect(byte(proc.load8(at + 10)), `fill(proc, ${hex(at)}, 0x41, 10) wrote one byte too many, at ${hex(at + 10)} (marked), where the guard byte 0xee was (an off-by-one: i <= n instead of i < n?):\n${around(proc, at + 10, 1)}`).toBe(byte(0xee));
  });

  it('writes nothing when n is 0', () => {
    const { proc, at } = heapWithGuards(4);
    fill(proc, at, 0x41, 0);
    expect(byte(proc.load8(at)), `fill(proc, ${hex(at)}, 0x41, 0) must not write a byte, but wrote the one marked, where the guard byte 0xee was:\n${around(proc, at, 1)}`).toBe(byte(0xee));
  });

  it('sets the bytes itself, one proc.store8 each, as C code without memset would', () => {
    const { proc, at } = heapWithGuards(10);
    const store8 = vi.spyOn(proc, 'store8');
    const moved = proc.stats().bytesMoved;
    fill(proc, at, 0x41, 10);
    const bulk = proc.stats().bytesMoved - moved;
    expect(bulk, `fill(proc, ${hex(at)}, 0x41, 10) handed ${bulk} bytes to a bulk operation (proc.memset?): this warm-up is memset by hand, a loop of proc.store8`).toBe(0);
    expect(store8.mock.calls.length, `fill(proc, ${hex(at)}, 0x41, 10) made ${store8.mock.calls.length} calls of proc.store8: one for each of the 10 bytes`).toBe(10);
  });

  it('works across a page boundary', () => {
    const proc = new Process();
    const start = proc.sbrk(2 * PAGE_SIZE);
    fill(proc, start + PAGE_SIZE - 3, 0x7f, 6);
    expect([...proc.bytes(start + PAGE_SIZE - 3, 6)].map(byte), `fill(proc, ${hex(start + PAGE_SIZE - 3)}, 0x7f, 6) runs 3 bytes into the next page, at ${hex(start + PAGE_SIZE)}:\n${around(proc, start + PAGE_SIZE - 3, 6)}`).toEqual(Array(6).fill('0x7f'));
  });

  it('faults, like C, when the range runs past the end of the heap', () => {
    const proc = new Process();
    const start = proc.sbrk(PAGE_SIZE);
    expect(() => fill(proc, start + PAGE_SIZE - 2, 0, 4), 'writing past the heap must raise the SegmentationFault of proc.store8').toThrow(SegmentationFault);
  });
});

describe('cstringLength', () => {
  it('counts the bytes before the terminating zero', () => {
    const proc = new Process();
    const at = proc.sbrk(32);
    writeCString(proc, at, 'hello');
    expect(cstringLength(proc, at), `the string at ${hex(at)} is "hello":\n${around(proc, at, 6)}`).toBe(5);
  });

  it('is 0 for the empty string', () => {
    const proc = new Process();
    const at = proc.sbrk(32);
    proc.memset(at + 1, 0x41, 8); // bytes after the terminator do not count
    expect(cstringLength(proc, at), `the string at ${hex(at)} starts with its terminator, so it is empty (count the bytes before the zero, not the zero):\n${around(proc, at, 1)}`).toBe(0);
  });

  it('follows a string across a page boundary', () => {
    const proc = new Process();
    const start = proc.sbrk(2 * PAGE_SIZE);
    writeCString(proc, start + PAGE_SIZE - 5, 'page boundary');
    expect(cstringLength(proc, start + PAGE_SIZE - 5), `the string at ${hex(start + PAGE_SIZE - 5)} is "page boundary", 13 bytes, 8 of them on the next page:\n${around(proc, start + PAGE_SIZE - 5, 14)}`).toBe(13);
  });

  it('faults on a string with no terminator before the end of the heap', () => {
    const proc = new Process();
    const start = proc.sbrk(PAGE_SIZE);
    proc.memset(start, 0x41, PAGE_SIZE);
    expect(() => cstringLength(proc, start), 'reading past the heap must raise the SegmentationFault of proc.load8').toThrow(SegmentationFault);
  });
});
