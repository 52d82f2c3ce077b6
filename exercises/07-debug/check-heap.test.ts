// Chapter 7, step 4: MallocCheckHeapStart and MallocCheckHeapEach (check-heap.ts). The heap is
// chapter 5's reference zone; your countOperation runs its check() when the options say so.
import { describe, expect, it } from 'vitest';
import { HeapCorruption, Process, hex } from '../../machine/index.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { DEBUG, DEBUG_BYTES } from '../../solutions/07-debug/options.ts';
import { loadExercise } from '../../workbook/target.ts';
import { caught } from './caught.ts';

const { countOperation, checkFailedMessage } = await loadExercise<typeof import('./check-heap.ts')>('07-debug/check-heap.ts');

function record(proc: Process, start: number, each: number): number {
  const base = proc.static('test_debug_record', DEBUG_BYTES);
  proc.store32(base + DEBUG.checkStart, start);
  proc.store32(base + DEBUG.checkEach, each);
  return base;
}

describe('MallocCheckHeapStart and MallocCheckHeapEach', () => {
  it('check after operation #start, then every #each: and never with start 0', () => {
    const proc = new Process();
    const base = record(proc, 10, 3);
    const checked: number[] = [];
    const countSeen: number[] = [];
    const numbers: number[] = [];
    for (let i = 1; i <= 16; i++) {
      numbers.push(
        countOperation(proc, base, () => {
          checked.push(i);
          countSeen.push(proc.load32(base + DEBUG.operations));
          return '';
        }),
      );
    }
    expect(numbers, 'countOperation returns the number of the operation it counted').toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(checked, 'MallocCheckHeapStart=10 MallocCheckHeapEach=3: the operations after which check() ran, counted from #10, not multiples of 3').toEqual([10, 13, 16]);
    expect(countSeen, `DEBUG.operations as check() ran after operations #10, #13 and #16: the count includes the operation just made, so store it before you check (a check that throws would leave it behind)\n${proc.hexdump(base, DEBUG_BYTES)}`).toEqual([10, 13, 16]);
    const quiet = new Process();
    const off = record(quiet, 0, 0);
    for (let i = 0; i < 5; i++) expect(() => countOperation(quiet, off, () => 'broken'), 'checkStart 0: no check at all').not.toThrow();
    expect(quiet.load32(off + DEBUG.operations), 'but every operation is counted').toBe(5);
  });

  it('an overrun into the next (free) block is reported at the next check, with the block', () => {
    const proc = new Process();
    const zone = createZone(proc);
    const base = record(proc, 1, 1);
    const [a, b, , d] = [zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32)];
    zone.free(b);
    zone.free(d); // b is filed on the list of 2-quantum blocks
    proc.store32(base + DEBUG.operations, 7); // seven operations so far
    proc.memset(a, 0x41, 48); // the bug: 16 bytes too many, over b's links and size
    const error = caught(() => countOperation(proc, base, () => zone.check()));
    expect(error, 'the check after operation #8 finds the damage').toBeInstanceOf(HeapCorruption);
    expect(error.message.split('\n')[0], "the report's first line").toBe('MallocCheckHeap: FAILED check at operation #8');
    expect(error.message, "the rest of the report: what check() said").toContain(`tiny block ${hex(b)} (quantum 2) has size 16705 quanta, which runs past the region's tail`);
    expect(hex((error as HeapCorruption).address), 'the address: the first one in what check() said').toBe(hex(b));
  });

  it('name the operation in the first line, as macOS does', () => {
    expect(checkFailedMessage(5), 'checkFailedMessage(5)').toBe('MallocCheckHeap: FAILED check at operation #5');
    const proc = new Process();
    const base = record(proc, 2, 4); // checks after 2, 6, 10, …
    const broken = () => 'something broke, no address';
    countOperation(proc, base, broken); // #1: no check
    let error: Error;
    try {
      countOperation(proc, base, broken);
      throw new Error('MallocCheckHeapStart=2 MallocCheckHeapEach=4: operation #2 should run check(), and throw the HeapCorruption for what it said; countOperation returned');
    } catch (thrown) {
      error = thrown as Error;
    }
    expect(error.message.split('\n')[0], "the report's first line").toBe('MallocCheckHeap: FAILED check at operation #2');
    expect((error as HeapCorruption).address, 'no address in what check() said: 0').toBe(0);
  });
});
