// Chapter 7, step 9: leaks (leaks.ts). The blocks are the reference debug zone's, with
// MallocStackLogging on so that each leak can say where it was allocated.
import { describe, expect, it, vi } from 'vitest';
import { LAYOUT, PAGE_SIZE, Process, hex } from '../../machine/index.ts';
import { MALLOC_PTR_IN_USE_RANGE_TYPE, type Range } from '../../solutions/05-zones/enumerate.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';
import { loadExercise } from '../../workbook/target.ts';

const { findLeaks, formatLeaks } = await loadExercise<typeof import('./leaks.ts')>('07-debug/leaks.ts');

type Zone = ReturnType<typeof createAllocator>;

function live(zone: Zone): Range[] {
  const ranges: Range[] = [];
  zone.enumerate((_, found) => ranges.push(...found), MALLOC_PTR_IN_USE_RANGE_TYPE);
  return ranges;
}

function site(zone: Zone) {
  return (address: number) => {
    const last = zone.history(address).at(-1);
    return last?.type === 'alloc' && last.address === address ? last.stack : undefined;
  };
}

function makeLeak(zone: Zone): number {
  return zone.malloc(64); // the caller drops the pointer
}

function setUp() {
  const proc = new Process();
  const zone = createAllocator(proc, { stackLogging: true });
  const globals = proc.static('program_globals', 16);
  return { proc, zone, globals };
}

describe('leaks', () => {
  it('finds the block nothing points to, with its size and where it was allocated', () => {
    const { proc, zone, globals } = setUp();
    const list = zone.malloc(48);
    proc.store32(globals, list); // a global holds the list
    const leaked = makeLeak(zone);
    const leaks = findLeaks(proc, live(zone), site(zone));
    expect(leaks.map((l) => [hex(l.address), l.size]), `the leaks: only the block makeLeak dropped (${hex(leaked)}); the list is held by a global`).toEqual([[hex(leaked), 64]]);
    expect(leaks[0]!.stack?.split('\n')[0], "the leak's stack, from siteOf(address): its innermost frame is the function that called malloc").toMatch(/^makeLeak \(.*leaks\.test\.ts:\d+:\d+\)$/);
  });

  it('follows pointers through reachable blocks, interior pointers included, and extra roots', () => {
    const { proc, zone, globals } = setUp();
    const list = zone.malloc(48);
    proc.store32(globals, list);
    const next = zone.malloc(32);
    proc.store32(list + 8, next + 16); // an interior pointer keeps a block alive too
    const big = zone.malloc(100_000);
    proc.store32(next + 28, big); // in next's last word: found only by scanning next to its end, next itself by scanning list
    const held = zone.malloc(16); // held in a register: an extra root
    const found = findLeaks(proc, live(zone), site(zone), { roots: [held] }).map((l) => `${hex(l.address)} (${l.size} bytes)`);
    expect(found, `the leaks while everything is reachable: the global holds list ${hex(list)}, list holds a pointer into next ${hex(next)}, next's last word holds big ${hex(big)}, a root holds ${hex(held)}. Is each reached block scanned to its last word? Are the blocks sorted by address? enumerate gives them in its own order, and blockIndex searches by halves`).toEqual([]);
    proc.store32(globals, 0); // drop the list: all three go
    const dropped = [
      [list, 48],
      [next, 32],
      [big, 25 * PAGE_SIZE],
    ].sort((x, y) => x[0]! - y[0]!);
    expect(findLeaks(proc, live(zone), site(zone), { roots: [held] }).map((l) => [hex(l.address), l.size]), 'the list dropped: its three blocks leak, by address').toEqual(dropped.map(([a, size]) => [hex(a!), size]));
  });

  it('reads every word of the data segment, to its last, and each reached block once, even in a cycle', () => {
    const { proc, zone, globals } = setUp();
    const [a, b, c] = [zone.malloc(32), zone.malloc(32), zone.malloc(32)];
    proc.store32(globals + 4, a); // a global at an offset of 4: every aligned 4-byte word may be a pointer
    const last = LAYOUT.dataStart + LAYOUT.dataSize - 4;
    proc.store32(last, b); // a global in the data segment's last word
    proc.store32(a + 8, c);
    proc.store32(c + 8, a); // a and c point to each other: a cycle, as in a doubly linked list
    const load32 = proc.load32.bind(proc);
    let loads = 0;
    const limit = LAYOUT.dataSize / 4 + 10_000;
    const reads = vi.spyOn(proc, 'load32').mockImplementation((address: number) => {
      if (++loads > limit) throw new Error(`findLeaks read more than ${limit} words, and the data segment has ${LAYOUT.dataSize / 4}: a and c (${hex(a)}, ${hex(c)}) point to each other, so a block already reached must not be marked and scanned again (reached[index])`);
      return load32(address);
    });
    let found: string[];
    try {
      found = findLeaks(proc, live(zone), site(zone)).map((l) => `${hex(l.address)} (${l.size} bytes)`);
    } finally {
      reads.mockRestore();
    }
    expect(found, `the leaks while everything is reachable: the global at ${hex(globals + 4)} (4 bytes into its 16) holds a ${hex(a)}, the data segment's last word ${hex(last)} holds b ${hex(b)}, a and c point to each other. Scan the data segment a word (4 bytes) at a time, from ${hex(LAYOUT.dataStart)} to its end, ${hex(LAYOUT.dataStart + LAYOUT.dataSize)} (LAYOUT.dataSize bytes)\n${proc.hexdump(globals, 16, { from: globals + 4, to: globals + 8 })}`).toEqual([]);
  });

  it("formats the report in the shape of macOS's leaks", () => {
    const zone = 0x00018010;
    expect(formatLeaks([], zone), 'formatLeaks with no leaks').toBe('Process: 0 leaks for 0 total leaked bytes.');
    const report = formatLeaks(
      [
        { address: 0x10000040, size: 64, stack: 'makeLeak (list.c:10:3)\nmain (main.c:5:1)' },
        { address: 0x10000100, size: 32, stack: undefined },
      ],
      zone,
    );
    expect(report, 'formatLeaks of two leaks, one with a stack and one without').toBe(
      [
        'Process: 2 leaks for 96 total leaked bytes.',
        '',
        'Leak: 0x10000040  size=64  zone: debug_0x00018010',
        '  Call stack:',
        '    makeLeak (list.c:10:3)',
        '    main (main.c:5:1)',
        '',
        'Leak: 0x10000100  size=32  zone: debug_0x00018010',
      ].join('\n'),
    );
    expect(formatLeaks([{ address: 0x10000040, size: 16, stack: undefined }], zone).split('\n')[0], "one leak: '1 leak', not '1 leaks'").toBe('Process: 1 leak for 16 total leaked bytes.');
  });
});
