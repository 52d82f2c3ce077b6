// Chapter 7, the debug zone (debug.ts): your chapter 5 zone with every layer of this chapter
// in front of it. Each test plants one bug and expects the option that catches it to name it,
// with the address.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapCorruption, PAGE_SIZE, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { MALLOC_OP_CALLOC, MALLOC_OP_FREE, MALLOC_OP_MALLOC, MALLOC_OP_REALLOC } from '../../solutions/07-debug/logger.ts';
import { nomallocPrintf, printingLogger } from '../../solutions/07-debug/nomalloc.ts';
import type { DebugOptions } from '../../solutions/07-debug/options.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { ROOT } from '../../workbook/paths.ts';
import { loadExercise } from '../../workbook/target.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { caught } from './caught.ts';

// setMallocLogger comes from your debug.ts: the logger it calls is the one of its own logger.ts.
const { createAllocator, interpose, setMallocLogger } = await loadExercise<typeof import('./debug.ts')>('07-debug/debug.ts');

type Zone = ReturnType<typeof createAllocator>;

function setUp(options: DebugOptions = {}, env: Record<string, string> = {}) {
  const proc = new Process({ env });
  return { proc, zone: createAllocator(proc, options) };
}

describe('options', () => {
  it('the registry serves the debug zone as `debug`, and it reads the environment there too', async () => {
    const { createAllocator: create } = await loadAllocator('debug');
    const proc = new Process({ env: { MallocScribble: 'YES' } });
    const ptr = create(proc).malloc(24);
    expect(hex(proc.load32(ptr)), 'MallocScribble=YES: a new block should read 0xaaaaaaaa').toBe(hex(0xaaaaaaaa));
  });

  it('live in the data segment, so a second allocator object sees them', () => {
    const proc = new Process({ env: { MallocScribble: '1' } });
    const first = createAllocator(proc);
    first.malloc(32); // keeps the region mapped
    const ptr = first.malloc(32);
    const again = createAllocator(proc);
    again.free(ptr);
    expect(hex(proc.load32(ptr + 16)), 'freed by a second allocator object of the same process: its options come from the debug record').toBe(hex(0x55555555));
  });
});

describe('MallocScribble', () => {
  it('fills a new block with 0xAA: memory the program never wrote is easy to spot', () => {
    const { proc, zone } = setUp({}, { MallocScribble: '1' });
    const ptr = zone.malloc(40);
    expect(proc.load32(ptr)).toBe(0xaaaaaaaa);
    expect(proc.load32(ptr + 44)).toBe(0xaaaaaaaa); // the whole block, up to its usable size
  });

  it('fills a freed block with 0x55: a use after free reads 0x55555555', () => {
    const { proc, zone } = setUp({ scribble: true });
    const keep = zone.malloc(32);
    const node = zone.malloc(32);
    proc.store32(node + 16, 1234);
    zone.free(node);
    expect(hex(proc.load32(node + 16))).toBe(hex(0x55555555)); // the stale read
    zone.free(keep);
  });

  it('leaves calloc blocks zeroed', () => {
    const { proc, zone } = setUp({ scribble: true });
    const ptr = zone.calloc(4, 10);
    expect([...proc.bytes(ptr, 40)].every((b) => b === 0)).toBe(true);
  });
});

describe('MallocGuardEdges', () => {
  it('puts a PROT_NONE page on each side of a large block', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    expect(zone.usableSize(ptr)).toBe(10 * PAGE_SIZE);
    expect(proc.maps()).toContain(`${(ptr - PAGE_SIZE).toString(16).padStart(8, '0')}-${ptr.toString(16).padStart(8, '0')} ---p`);
    expect(zone.check()).toBe('');
  });

  it('an overrun past the end faults on the first byte past the block, with its address', () => {
    const { proc, zone } = setUp({}, { MallocGuardEdges: '1' });
    const ptr = zone.malloc(40_000);
    const end = ptr + zone.usableSize(ptr);
    for (let i = 0; i < zone.usableSize(ptr); i += 4) proc.store32(ptr + i, i); // fine up to the end
    const fault = caught(() => proc.store32(end, 0));
    expect(fault).toBeInstanceOf(SegmentationFault);
    expect((fault as SegmentationFault).address).toBe(end);
    expect(fault.message).toContain(`Segmentation fault: write of 4 bytes at ${hex(end)}, which lies in a mapping that does not allow writing.`);
  });

  it('an underrun faults on the guard page before the block', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    const fault = caught(() => proc.load8(ptr - 1));
    expect(fault.message).toContain(`read of 1 byte at ${hex(ptr - 1)}, which lies in a mapping that does not allow reading`);
  });

  it('MallocDoNotProtectPrelude and MallocDoNotProtectPostlude leave one guard out', () => {
    const { proc, zone } = setUp({ guardEdges: true }, { MallocDoNotProtectPrelude: '1' });
    const ptr = zone.malloc(40_000);
    const guards = proc.maps().split('\n').filter((line) => line.includes('---p'));
    expect(guards).toHaveLength(1);
    expect(guards[0]!.startsWith((ptr + zone.usableSize(ptr)).toString(16).padStart(8, '0'))).toBe(true);
    expect(zone.check()).toBe('');
    zone.free(ptr);
    expect(proc.maps()).not.toContain('guarded)');
    const other = setUp({ guardEdges: true, doNotProtectPostlude: true });
    const block = other.zone.malloc(40_000);
    expect(caught(() => other.proc.load8(block - 1)).message).toContain('does not allow reading');
    expect(other.proc.maps().split('\n').filter((line) => line.includes('---p'))).toHaveLength(1);
  });

  it('free unmaps the block and both guards; realloc moves between guarded mappings', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    proc.store32(ptr, 77);
    const moved = zone.realloc(ptr, 80_000);
    expect(proc.load32(moved)).toBe(77);
    expect(caught(() => proc.load32(ptr)).message).toContain('which is not mapped');
    zone.free(moved);
    expect(zone.statistics()).toMatchObject({ blocksInUse: 0, sizeInUse: 0 });
    expect(proc.stats().mappedBytes).toBeLessThan(PAGE_SIZE * 4); // only the guarded-entries table
  });
});

describe('MallocCheckHeapStart and MallocCheckHeapEach', () => {
  /** Five tiny blocks of 32 bytes; the second is freed and filed on a free list. */
  function plant(options: DebugOptions) {
    const { proc, zone } = setUp(options);
    const [a, b, , d] = [zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32)] as number[];
    zone.free(b!); // operation #6: b waits on death row
    zone.free(d!); // operation #7: d takes its place, b is filed on the list of 2-quantum blocks
    return { proc, zone, a: a!, b: b! };
  }

  it('an overrun into the next (free) block is reported at the next check, with the block', () => {
    const { proc, zone, a, b } = plant({ checkHeapStart: 1, checkHeapEach: 1 });
    proc.memset(a, 0x41, 48); // 16 bytes too many: over b's links and size
    const error = caught(() => zone.malloc(200)); // operation #8
    expect(error).toBeInstanceOf(HeapCorruption);
    expect(error.message.split('\n')[0]).toBe('MallocCheckHeap: FAILED check at operation #8');
    expect(error.message).toContain(`tiny block ${hex(b)} (quantum 2) has size 16705 quanta, which runs past the region's tail`);
    expect((error as HeapCorruption).address).toBe(b);
  });

  it('checks only after operation #start and then every #each', () => {
    const { proc, zone, a } = plant({ checkHeapStart: 9, checkHeapEach: 3 });
    proc.memset(a, 0x41, 48);
    zone.malloc(200); // #8: no check yet
    expect(caught(() => zone.malloc(200)).message).toMatch(/^MallocCheckHeap: FAILED check at operation #9\n/);
    const later = plant({ checkHeapStart: 2, checkHeapEach: 4 }); // checks at 2, 6, 10, …
    later.proc.memset(later.a, 0x41, 48);
    later.zone.malloc(200); // #8
    later.zone.malloc(200); // #9
    expect(caught(() => later.zone.malloc(200)).message).toMatch(/^MallocCheckHeap: FAILED check at operation #10\n/);
  });

  it('a sound heap passes every check, and a guard page made writable is found', () => {
    const { proc, zone } = setUp({ checkHeapEach: 1, guardEdges: true });
    const ptr = zone.malloc(50_000);
    zone.free(zone.malloc(100));
    proc.mprotect(ptr + zone.usableSize(ptr), PAGE_SIZE, 3);
    expect(caught(() => zone.malloc(8)).message).toContain(`guarded large block ${hex(ptr)}: the guard page after it (${hex(ptr + zone.usableSize(ptr))}) is not PROT_NONE`);
  });
});

describe('MallocStackLogging', () => {
  function allocateNode(zone: Zone): number {
    return zone.malloc(48);
  }
  function releaseNode(zone: Zone, node: number): void {
    zone.free(node);
  }

  it('records where each block was allocated and freed: malloc_history by address', () => {
    const { zone } = setUp({}, { MallocStackLogging: '1' });
    const node = allocateNode(zone);
    const [alloc] = zone.history(node + 20); // any address inside the block
    expect(alloc).toMatchObject({ type: 'alloc', address: node, size: 48 });
    expect(alloc!.stack.split('\n')[0]).toMatch(/^allocateNode \(exercises\/07-debug\/debug\.test\.ts:\d+:\d+\)$/);
    releaseNode(zone, node);
    const report = zone.mallocHistory(node);
    expect(report).toMatch(new RegExp(`^ALLOC ${hex(node)}-${hex(node + 47)} \\[size=48\\]:\\n    allocateNode \\(exercises/07-debug/debug\\.test\\.ts`));
    expect(report).toMatch(new RegExp(`\\nFREE  ${hex(node)}-${hex(node + 47)} \\[size=48\\]:\\n    releaseNode \\(exercises/07-debug/debug\\.test\\.ts`));
  });

  it('stores each stack once, as an interned string in simulated memory', () => {
    const { proc, zone } = setUp({ stackLogging: true });
    const nodes = Array.from({ length: 50 }, () => allocateNode(zone));
    const base = proc.static('stack_logging', 28);
    expect(proc.load32(base + 24)).toBe(50); // events
    expect(proc.load32(base + 12)).toBe(1); // one stack for all of them: one call site
    expect(new Set(nodes.map((n) => zone.history(n)[0]!.stack)).size).toBe(1);
  });

  it('says so when nothing was recorded', () => {
    const { zone } = setUp();
    expect(zone.mallocHistory(zone.malloc(16))).toMatch(/^malloc_history: no allocation or free recorded at 0x[0-9a-f]{8} \(is MallocStackLogging on\?\)$/);
  });
});

describe('the malloc logger', () => {
  it('is called with libmalloc\'s record types and arguments', () => {
    const { proc, zone } = setUp();
    const records: number[][] = [];
    setMallocLogger(proc, (...record) => records.push(record));
    const m = zone.malloc(1024);
    const r = zone.realloc(m, 8192);
    const c = zone.calloc(4, 1024);
    zone.free(c);
    setMallocLogger(proc, undefined);
    zone.free(r);
    expect(records).toEqual([
      [MALLOC_OP_MALLOC, zone.base, 1024, 0, m, 1],
      [MALLOC_OP_REALLOC, zone.base, m, 8192, r, 1],
      [MALLOC_OP_CALLOC, zone.base, 4, 1024, c, 1],
      [MALLOC_OP_FREE, zone.base, c, 0, 0, 1],
    ]);
    expect([MALLOC_OP_MALLOC, MALLOC_OP_REALLOC, MALLOC_OP_CALLOC, MALLOC_OP_FREE]).toEqual([10, 14, 74, 12]);
  });

  it('prints with nomallocPrintf, which never allocates in the simulated heap', () => {
    const { proc, zone } = setUp();
    const lines: string[] = [];
    setMallocLogger(proc, printingLogger(proc, (text) => lines.push(text)));
    const m = zone.malloc(1024);
    const before = zone.statistics();
    zone.free(m);
    expect(lines).toEqual([`malloc : zone=${hex(zone.base)}, size=1024, pointer=${hex(m)}\n`, `free   : zone=${hex(zone.base)}, pointer=${hex(m)}\n`]);
    expect(nomallocPrintf(proc, () => {}, '%8s|%-4u|%x|%%', 'tiny', 7, 255)).toBe(18);
    expect(zone.statistics().blocksInUse).toBe(before.blocksInUse - 1);
  });
});

describe('interposition: the zone is a table of functions', () => {
  it('a wrapper swapped into the table sees every call of a live zone, and can be taken out', () => {
    const { proc, zone } = setUp();
    const seen: string[] = [];
    const restore = interpose(zone.functions, 'free', (free) => (ptr) => {
      nomallocPrintf(proc, (text) => seen.push(text), 'free(%p) of %u bytes', ptr, zone.functions.size(ptr));
      free(ptr);
    });
    const ptr = zone.malloc(100);
    zone.free(ptr);
    restore();
    zone.free(zone.malloc(100));
    expect(seen).toEqual([`free(${hex(ptr)}) of 112 bytes`]);
  });
});

describe('misuse caught at the call', () => {
  it('a double free names the pointer', () => {
    const { zone } = setUp({ scribble: true });
    const keep = zone.malloc(64);
    const ptr = zone.malloc(64);
    zone.free(ptr);
    const error = caught(() => zone.free(ptr));
    expect(error).toBeInstanceOf(HeapCorruption);
    expect(error.message).toMatch(new RegExp(`^free\\(\\): double free detected: ${hex(ptr)} \\(tiny region 0x[0-9a-f]{8}, quantum 4\\) was the last block freed$`));
    zone.free(keep);
  });

  it('a pointer that was never allocated, or a guarded block freed twice', () => {
    const { zone } = setUp({ guardEdges: true });
    const big = zone.malloc(100_000);
    zone.free(big);
    expect(caught(() => zone.free(big)).message).toMatch(new RegExp(`^free\\(\\): invalid pointer ${hex(big)}: pointer being freed was not allocated`));
  });
});

describe('leaks', () => {
  function makeLeak(zone: Zone): void {
    zone.malloc(64); // the pointer is dropped
  }

  it('finds the block nothing points to, with its size and where it was allocated', () => {
    const { proc, zone } = setUp({ stackLogging: true });
    const globals = proc.static('program_globals', 16);
    const list = zone.malloc(48);
    proc.store32(globals, list); // a global holds the list
    const next = zone.malloc(32);
    proc.store32(list + 8, next + 16); // an interior pointer keeps a block alive too
    makeLeak(zone);
    const big = zone.malloc(100_000);
    proc.store32(next, big); // found by scanning a reachable block
    const leaks = zone.leaks();
    expect(leaks).toHaveLength(1);
    const [leak] = leaks;
    expect(leak!.size).toBe(64);
    const report = zone.leaksReport();
    expect(report.split('\n').slice(0, 5)).toEqual([
      'Process: 1 leak for 64 total leaked bytes.',
      '',
      `Leak: ${hex(leak!.address)}  size=64  zone: debug_${hex(zone.base)}`,
      '  Call stack:',
      expect.stringMatching(/^    makeLeak \(exercises\/07-debug\/debug\.test\.ts:\d+:\d+\)$/),
    ]);
    proc.store32(globals, 0); // drop the list: all three go
    expect(zone.leaks().map((l) => l.size).sort((x, y) => x - y)).toEqual([32, 48, 64, 25 * PAGE_SIZE]);
  });

  it('counts extra roots (registers, the stack) and reports no leaks when all is reachable', () => {
    const { zone } = setUp();
    const ptr = zone.malloc(16);
    expect(zone.leaks({ roots: [ptr] })).toEqual([]);
    expect(zone.leaksReport({ roots: [ptr] })).toBe('Process: 0 leaks for 0 total leaked bytes.');
  });
});

describe('the shipped traces', () => {
  it('pass every check of the trace driver with every option on', () => {
    for (const name of ['mixed.rep', 'realloc.rep', 'coalescing-small.rep']) {
      const trace = readRep(resolve(ROOT, 'traces', name), name);
      const result = replayChecked(trace, createAllocator, { allocatorOptions: { scribble: true, guardEdges: true, stackLogging: true, checkHeapStart: 1, checkHeapEach: 250 } });
      expect(result.failure?.message, name).toBeUndefined();
    }
  });
});
