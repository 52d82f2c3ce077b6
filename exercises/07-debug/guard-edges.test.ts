// Chapter 7, step 3: MallocGuardEdges (guard-edges.ts). Each large block between PROT_NONE
// pages: an overrun faults at the first byte past the block, with its address.
import { describe, expect, it } from 'vitest';
import { ENOMEM, PAGE_SIZE, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { COUNTERS } from '../../solutions/05-zones/statistics.ts';
import { BOTH_GUARDS, GUARDED, GUARDED_ENTRY_SIZE, POSTLUDE, PRELUDE } from '../../solutions/07-debug/guard-edges.ts';
import { loadExercise } from '../../workbook/target.ts';
import { around } from '../../workbook/testing.ts';
import { caught } from './caught.ts';

const { createGuardedBlocks } = await loadExercise<typeof import('./guard-edges.ts')>('07-debug/guard-edges.ts');

const line = (address: number) => address.toString(16).padStart(8, '0');
const guardLines = (proc: Process) => proc.maps().split('\n').filter((l) => l.includes('---p'));

/**
 * guarded.malloc(pages), with a fault inside it explained: an mprotect past the block's own
 * mapping silently protects whatever mapping lies there, and the fault comes later, elsewhere.
 */
function mallocExplained(proc: Process, guarded: ReturnType<typeof createGuardedBlocks>, pages: number): number {
  try {
    return guarded.malloc(pages);
  } catch (error) {
    if (!(error instanceof SegmentationFault)) throw error;
    throw new Error(
      `malloc(${pages}) faulted inside itself: ${error.message.split('\n')[0]}\nA page it had just made ---p? mprotect changes every page its range covers, ` +
        `whichever mapping holds it: a mapping of prelude and block without the postlude puts the postlude's PROT_NONE on the mapping after it. ` +
        `Map the guard pages and the block in one mmap, the page before, the block's pages and the page after.\nproc.maps():\n${proc.maps()}`,
      { cause: error },
    );
  }
}

describe('guarded large blocks', () => {
  it('put a PROT_NONE page on each side of the block, in one mapping', () => {
    const proc = new Process();
    const guarded = createGuardedBlocks(proc);
    const ptr = mallocExplained(proc, guarded, 10);
    expect(ptr % PAGE_SIZE, 'a guarded block starts on a page').toBe(0);
    expect(guarded.sizeOf(ptr)).toBe(10 * PAGE_SIZE);
    expect(guardLines(proc), `proc.maps(): a ---p page before the block (${hex(ptr - PAGE_SIZE)}) and one after it (${hex(ptr + 10 * PAGE_SIZE)})\n${proc.maps()}`).toEqual([
      expect.stringMatching(new RegExp(`^${line(ptr - PAGE_SIZE)}-${line(ptr)} ---p`)),
      expect.stringMatching(new RegExp(`^${line(ptr + 10 * PAGE_SIZE)}-${line(ptr + 11 * PAGE_SIZE)} ---p`)),
    ]);
    expect(guarded.blocks(), `the table of guarded blocks after malloc(10) = ${hex(ptr)}: one entry, its first payload byte, its size without the guards, its guards`).toEqual([{ address: ptr, size: 10 * PAGE_SIZE, guards: BOTH_GUARDS }]);
    expect(guarded.check(), 'the check of the guards').toBe('');
  });

  it('an overrun past the end faults on the first byte past the block, with its address', () => {
    const proc = new Process();
    const guarded = createGuardedBlocks(proc);
    const ptr = guarded.malloc(3);
    const end = ptr + 3 * PAGE_SIZE;
    for (let i = 0; i < 3 * PAGE_SIZE; i += 4) proc.store32(ptr + i, i); // fine up to the end
    const fault = caught(() => proc.store32(end, 0));
    expect(fault, 'one word past the end: the postlude must be PROT_NONE').toBeInstanceOf(SegmentationFault);
    expect(hex((fault as SegmentationFault).address), 'the address of the fault: the first byte past the block').toBe(hex(end));
    expect(fault.message).toContain(`Segmentation fault: write of 4 bytes at ${hex(end)}, which lies in a mapping that does not allow writing.`);
    const under = caught(() => proc.load8(ptr - 1));
    expect(under.message, 'one byte before the start: the prelude').toContain(`read of 1 byte at ${hex(ptr - 1)}, which lies in a mapping that does not allow reading`);
  });

  it('leave out the prelude or the postlude when asked (MallocDoNotProtectPrelude, …Postlude)', () => {
    const proc = new Process();
    const guarded = createGuardedBlocks(proc);
    const noPrelude = guarded.malloc(2, POSTLUDE);
    expect(guardLines(proc), `guards: POSTLUDE only\n${proc.maps()}`).toEqual([expect.stringMatching(new RegExp(`^${line(noPrelude + 2 * PAGE_SIZE)}-`))]);
    const noPostlude = guarded.malloc(2, PRELUDE);
    expect(caught(() => proc.load8(noPostlude - 1)).message).toContain('does not allow reading');
    expect(guardLines(proc), 'one guard page each').toHaveLength(2);
    expect(guarded.blocks().map((b) => b.guards).sort()).toEqual([PRELUDE, POSTLUDE]);
    expect(guarded.check()).toBe('');
  });

  it('free unmaps the block and its guards, and counts it out', () => {
    const proc = new Process();
    const guarded = createGuardedBlocks(proc);
    const [a, b, c] = [guarded.malloc(1), guarded.malloc(2, PRELUDE), guarded.malloc(3, POSTLUDE)];
    const counters = guarded.base + GUARDED.counters;
    expect(proc.load32(counters + COUNTERS.blocksInUse), 'blocks in use after three mallocs').toBe(3);
    expect(guarded.free(b), `free(${hex(b)}), a guarded block`).toBe(true);
    expect(guarded.check(), `check() after free(${hex(b)}), a block with a prelude only: the other blocks keep their pages and guards. free unmaps the block and only the guard pages it has (GUARDED_ENTRY.guards), never a neighbour's page\n${proc.maps()}`).toBe('');
    const table = guarded.blocks().map((x) => hex(x.address)).join(', ');
    expect(guarded.free(b), `the second free of ${hex(b)}: its entry must be gone (fill the hole with the last entry, then drop the count); after the first free the table held ${table}`).toBe(false);
    expect(guarded.free(a + PAGE_SIZE), 'a pointer that is not the start of a guarded block').toBe(false);
    expect(guarded.blocks().map((x) => hex(x.address)).sort(), 'the table after free(b): a and c, in any order').toEqual([a, c].map((x) => hex(x)).sort());
    expect(guarded.blocks().map((x) => ({ ...x, address: hex(x.address) })), `the entries after free(b), by address: c's entry, moved into b's slot, keeps its size and its guards (the whole ${GUARDED_ENTRY_SIZE}-byte entry: address, bytes, guards), or free(c) would unmap the wrong pages`).toEqual(
      [
        { address: a, size: PAGE_SIZE, guards: BOTH_GUARDS },
        { address: c, size: 3 * PAGE_SIZE, guards: POSTLUDE },
      ]
        .sort((x, y) => x.address - y.address)
        .map((x) => ({ ...x, address: hex(x.address) })),
    );
    guarded.free(a);
    guarded.free(c);
    expect(proc.maps(), 'nothing of the guarded blocks may stay mapped: free unmaps the prelude, the block and the postlude, as far as the block has them').not.toContain('guarded)');
    expect([proc.load32(counters + COUNTERS.blocksInUse), proc.load32(counters + COUNTERS.sizeInUse), proc.load32(counters + COUNTERS.sizeAllocated)], `the counters at ${hex(counters)} (GUARDED.counters: blocksInUse, sizeInUse, maxSizeInUse, sizeAllocated) once all three blocks are freed: free undoes malloc's countBlock and countAllocated\n${around(proc, counters, 16)}`).toEqual([0, 0, 0]);
    expect(guarded.malloc(2 ** 20), 'a block of 4 GiB').toBe(0);
    expect(proc.errno, 'errno after the 4 GiB malloc').toBe(ENOMEM);
  });
});
