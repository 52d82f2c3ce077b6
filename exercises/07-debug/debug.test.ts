// Chapter 7, the debug zone (debug.ts): your chapter 5 zone with every layer of this chapter
// in front of it. Each test plants one bug and expects the option that catches it to name it,
// with the address.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapCorruption, PAGE_SIZE, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { MALLOC_OP_CALLOC, MALLOC_OP_FREE, MALLOC_OP_MALLOC, MALLOC_OP_REALLOC } from '../../solutions/07-debug/logger.ts';
import { nomallocPrintf, printingLogger } from '../../solutions/07-debug/nomalloc.ts';
import { DEBUG, DEBUG_BYTES, type DebugOptions } from '../../solutions/07-debug/options.ts';
import { loadAllocator } from '../../workbook/allocators.ts';
import { ROOT } from '../../workbook/paths.ts';
import { TARGET_VARIABLE, loadExercise } from '../../workbook/target.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { formatFailure, replayCommand } from '../../workbook/trace/report.ts';
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
    const bytes = `\n${proc.hexdump(ptr, 48)}`;
    expect(hex(proc.load32(ptr)), `the first word of malloc(40) with MallocScribble=1${bytes}`).toBe(hex(0xaaaaaaaa));
    expect(hex(proc.load32(ptr + 44)), `its last word, at offset 44: allocate scribbles the whole block, its usable size (blockBytes), not only the 40 bytes asked for${bytes}`).toBe(hex(0xaaaaaaaa));
  });

  it('fills a freed block with 0x55: a use after free reads 0x55555555', () => {
    const { proc, zone } = setUp({ scribble: true });
    const keep = zone.malloc(32);
    const node = zone.malloc(32);
    proc.store32(node + 16, 1234);
    zone.free(node);
    expect(hex(proc.load32(node + 16)), `node->value read after free(node) with scribble on: release scribbles 0x55 over the block, then frees it\n${proc.hexdump(node, 32)}`).toBe(hex(0x55555555)); // the stale read
    zone.free(keep);
  });

  it('scribbles a freed block before the zone frees it: the last block of a region goes back to the kernel with it', () => {
    const { proc, zone } = setUp({ scribble: true });
    zone.malloc(32); // blocks of up to 64 bytes carve from regions of their own (chapter 5's bands)
    const node = zone.malloc(80); // so this one is alone in a new tiny region
    proc.store32(node + 16, 1234);
    const bytes = zone.usableSize(node);
    const before = proc.hexdump(node, bytes);
    let error: unknown;
    try {
      zone.free(node);
    } catch (thrown) {
      error = thrown;
    }
    const fault = error instanceof SegmentationFault && error.address >= node && error.address < node + bytes ? error : undefined;
    const found =
      fault === undefined
        ? error === undefined
          ? ''
          : String(error)
        : `${fault.message}\nrelease scribbled the block after the zone's free: ${hex(node)} was the last block of its region, so zone.free gave the region back to the kernel (munmap), and the 0x55s then fell on memory that is no longer mapped. Scribble 0x55 over the block first, while it is still ours, then give it to the zone.\n${hex(node)} (${bytes} bytes) before free(${hex(node)}):\n${before}`;
    expect(found, `free(${hex(node)}) with scribble on, the only block of its region`).toBe('');
  });

  it('leaves calloc blocks zeroed', () => {
    const { proc, zone } = setUp({ scribble: true });
    const ptr = zone.calloc(4, 10);
    expect([...proc.bytes(ptr, 40)].every((b) => b === 0), `calloc(4, 10) with scribble on: 40 zero bytes, not 0xAA\n${proc.hexdump(ptr, 48)}`).toBe(true);
  });

  it('scribbles nothing when it is off', () => {
    const { proc, zone } = setUp();
    const keep = zone.malloc(32);
    const node = zone.malloc(32);
    expect(hex(proc.load32(node)), `the first word of malloc(32) with MallocScribble off: what the fresh region held, not 0xAA (allocate scribbles only with FLAG_SCRIBBLE)\n${proc.hexdump(node, 32)}`).not.toBe(hex(0xaaaaaaaa));
    proc.store32(node + 16, 1234);
    zone.free(node);
    expect(proc.load32(node + 16), `node->value read after free(node) with MallocScribble off: the program's 1234, left as it was (release scribbles 0x55 only with FLAG_SCRIBBLE)\n${proc.hexdump(node, 32)}`).toBe(1234);
    zone.free(keep);
  });
});

describe('MallocGuardEdges', () => {
  it('puts a PROT_NONE page on each side of a large block', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    expect(zone.usableSize(ptr), 'usableSize(malloc(40000)) with guard edges: ten whole pages').toBe(10 * PAGE_SIZE);
    expect(proc.maps(), `a large malloc with guard edges on goes to guardedMalloc: a ---p page just before ${hex(ptr)}`).toContain(`${(ptr - PAGE_SIZE).toString(16).padStart(8, '0')}-${ptr.toString(16).padStart(8, '0')} ---p`);
    expect(zone.check(), 'check() of the zone and its guarded blocks').toBe('');
  });

  it('guards only large blocks: one of exactly the small limit stays in the zone', () => {
    const { zone } = setUp({ guardEdges: true });
    const limit = zone.zone.classes.smallLimit;
    zone.malloc(limit);
    expect(zone.guarded.blocks().map((b) => hex(b.address)), `the guarded blocks after malloc(${limit}), the largest small block: none, a small block stays in the zone (guardedMalloc only for a size above smallLimit)`).toEqual([]);
    const large = zone.malloc(limit + 1);
    expect(zone.guarded.blocks().map((b) => hex(b.address)), `the guarded blocks after malloc(${limit + 1}), a large block`).toEqual([hex(large)]);
  });

  it('an overrun past the end faults on the first byte past the block, with its address', () => {
    const { proc, zone } = setUp({}, { MallocGuardEdges: '1' });
    const ptr = zone.malloc(40_000);
    const end = ptr + zone.usableSize(ptr);
    for (let i = 0; i < zone.usableSize(ptr); i += 4) proc.store32(ptr + i, i); // fine up to the end
    const fault = caught(() => proc.store32(end, 0));
    expect(fault, `a write one word past the guarded block ${hex(ptr)}: the postlude must fault`).toBeInstanceOf(SegmentationFault);
    expect(hex((fault as SegmentationFault).address), 'the address of the fault: the first byte past the block').toBe(hex(end));
    expect(fault.message).toContain(`Segmentation fault: write of 4 bytes at ${hex(end)}, which lies in a mapping that does not allow writing.`);
  });

  it('an underrun faults on the guard page before the block', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    const fault = caught(() => proc.load8(ptr - 1));
    expect(fault.message, `a read of the byte before the guarded block ${hex(ptr)}: the prelude must fault`).toContain(`read of 1 byte at ${hex(ptr - 1)}, which lies in a mapping that does not allow reading`);
  });

  it('MallocDoNotProtectPrelude and MallocDoNotProtectPostlude leave one guard out', () => {
    const { proc, zone } = setUp({ guardEdges: true }, { MallocDoNotProtectPrelude: '1' });
    const ptr = zone.malloc(40_000);
    const guards = proc.maps().split('\n').filter((line) => line.includes('---p'));
    expect(guards, `the ---p pages with MallocDoNotProtectPrelude: the postlude only (guardedMalloc reads FLAG_NO_PRELUDE)\n${proc.maps()}`).toHaveLength(1);
    expect(guards[0]!.startsWith((ptr + zone.usableSize(ptr)).toString(16).padStart(8, '0')), `the one guard page, after the block: ${guards[0]}`).toBe(true);
    expect(zone.check(), 'check() of the zone and its guarded blocks').toBe('');
    zone.free(ptr);
    expect(proc.maps(), 'after free: nothing of the guarded block stays mapped (release gives it to guarded.free)').not.toContain('guarded)');
    const other = setUp({ guardEdges: true, doNotProtectPostlude: true });
    const block = other.zone.malloc(40_000);
    expect(caught(() => other.proc.load8(block - 1)).message, 'the byte before a block with doNotProtectPostlude: the prelude is there').toContain('does not allow reading');
    expect(other.proc.maps().split('\n').filter((line) => line.includes('---p')), 'the ---p pages with doNotProtectPostlude: the prelude only').toHaveLength(1);
  });

  it('a guarded block is scribbled and logged like any other', () => {
    const { proc, zone } = setUp({ guardEdges: true, scribble: true, stackLogging: true });
    const ptr = zone.malloc(40_000);
    const size = zone.usableSize(ptr);
    expect([proc.load32(ptr), proc.load32(ptr + size - 4)].map((word) => hex(word)), `the first and last words of malloc(40000) = ${hex(ptr)}, a guarded block of ${size} bytes, with scribble on: allocate scribbles whichever block it got, guarded or not`).toEqual([hex(0xaaaaaaaa), hex(0xaaaaaaaa)]);
    zone.free(ptr);
    expect(zone.history(ptr).map((e) => `${e.type} ${hex(e.address)} [size=${e.size}]`), `the events of the guarded block ${hex(ptr)} after its free: release records the DEALLOCATE event before it gives the block to guarded.free and returns`).toEqual([`alloc ${hex(ptr)} [size=${size}]`, `free ${hex(ptr)} [size=${size}]`]);
  });

  it('free unmaps the block and both guards; realloc moves between guarded mappings', () => {
    const { proc, zone } = setUp({ guardEdges: true });
    const ptr = zone.malloc(40_000);
    proc.store32(ptr, 77);
    const moved = zone.realloc(ptr, 80_000);
    expect(proc.load32(moved), `the first word of realloc(${hex(ptr)}, 80000) = ${hex(moved)}: copied from the old block`).toBe(77);
    expect(caught(() => proc.load32(ptr)).message, `a read of the old block ${hex(ptr)} after realloc moved it: its mapping is gone`).toContain('which is not mapped');
    zone.free(moved);
    expect(zone.statistics(), 'statistics after every block was freed').toMatchObject({ blocksInUse: 0, sizeInUse: 0 });
    expect(proc.stats().mappedBytes, `bytes still mapped: only the guarded-entries table\n${proc.maps()}`).toBeLessThan(PAGE_SIZE * 4);
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
    expect(error, 'malloc(200) after the overrun, with a check after every operation').toBeInstanceOf(HeapCorruption);
    expect(error.message.split('\n')[0], "the report's first line: five mallocs and two frees came before, so this malloc is operation #8 (malloc, free, realloc and calloc each count, with countOperation)").toBe('MallocCheckHeap: FAILED check at operation #8');
    expect(error.message, 'the rest of the report: what check() said').toContain(`tiny block ${hex(b)} (quantum 2) has size 16705 quanta, which runs past the region's tail`);
    expect(hex((error as HeapCorruption).address), 'the address of the HeapCorruption: the damaged block').toBe(hex(b));
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
    expect(alloc, `the first event of the block holding ${hex(node + 20)}: allocate records an ALLOCATE event with the block's bytes`).toMatchObject({ type: 'alloc', address: node, size: 48 });
    expect(alloc!.stack.split('\n')[0], 'the innermost frame of its stack: the function that called malloc').toMatch(/^allocateNode \(exercises\/07-debug\/debug\.test\.ts:\d+:\d+\)$/);
    releaseNode(zone, node);
    const report = zone.mallocHistory(node);
    expect(report).toMatch(new RegExp(`^ALLOC ${hex(node)}-${hex(node + 47)} \\[size=48\\]:\\n    allocateNode \\(exercises/07-debug/debug\\.test\\.ts`));
    expect(report, 'malloc_history after the free: release records a DEALLOCATE event').toMatch(new RegExp(`\\nFREE  ${hex(node)}-${hex(node + 47)} \\[size=48\\]:\\n    releaseNode \\(exercises/07-debug/debug\\.test\\.ts`));
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

  it("records the block's size, as the free does: malloc(40) is a block of 48 bytes", () => {
    const { zone } = setUp({ stackLogging: true });
    const ptr = zone.malloc(40);
    zone.free(ptr);
    expect(zone.history(ptr + 44).map((e) => `${e.type} ${hex(e.address)} [size=${e.size}]`), `the events of the block holding ${hex(ptr + 44)}, in its last word: allocate records the ALLOCATE event with the block's bytes (blockBytes, 48), as release records the DEALLOCATE event, not the 40 asked for`).toEqual([`alloc ${hex(ptr)} [size=48]`, `free ${hex(ptr)} [size=48]`]);
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
    expect(records, "the logger's records, (type, zone, arg2, arg3, result, 1) for each call: malloc logs (size, 0, the block), free (the pointer, 0, 0)").toEqual([
      [MALLOC_OP_MALLOC, zone.base, 1024, 0, m, 1],
      [MALLOC_OP_REALLOC, zone.base, m, 8192, r, 1],
      [MALLOC_OP_CALLOC, zone.base, 4, 1024, c, 1],
      [MALLOC_OP_FREE, zone.base, c, 0, 0, 1],
    ]);
    expect([MALLOC_OP_MALLOC, MALLOC_OP_REALLOC, MALLOC_OP_CALLOC, MALLOC_OP_FREE]).toEqual([10, 14, 74, 12]);
  });

  it('hears of a free before the block is freed, as libmalloc calls it: the block is still there to look at', () => {
    const { proc, zone } = setUp();
    const keep = zone.malloc(64);
    const ptr = zone.malloc(64);
    const sizes: number[] = [];
    setMallocLogger(proc, (type, _zone, arg2) => {
      if (type === MALLOC_OP_FREE) sizes.push(zone.functions.size(arg2));
    });
    zone.free(ptr);
    setMallocLogger(proc, undefined);
    expect(sizes, `the size of ${hex(ptr)} (functions.size) as a logger reads it when it hears free(${hex(ptr)}): 64, the block still allocated (0: it was freed already). free logs, then releases`).toEqual([64]);
    zone.free(keep);
  });

  it('prints with nomallocPrintf, which never allocates in the simulated heap', () => {
    const { proc, zone } = setUp();
    const lines: string[] = [];
    setMallocLogger(proc, printingLogger(proc, (text) => lines.push(text)));
    const m = zone.malloc(1024);
    const before = zone.statistics();
    zone.free(m);
    expect(lines, 'the lines of a printing logger for a malloc and a free').toEqual([`malloc : zone=${hex(zone.base)}, size=1024, pointer=${hex(m)}\n`, `free   : zone=${hex(zone.base)}, pointer=${hex(m)}\n`]);
    expect(nomallocPrintf(proc, () => {}, '%8s|%-4u|%x|%%', 'tiny', 7, 255)).toBe(18);
    expect(zone.statistics().blocksInUse, 'blocks in use after the free: one fewer, and none taken by the logger').toBe(before.blocksInUse - 1);
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
    expect(seen, 'the frees the wrapper saw: one, before restore').toEqual([`free(${hex(ptr)}) of 112 bytes`]);
  });
});

describe('misuse caught at the call', () => {
  it('a double free names the pointer', () => {
    const { proc, zone } = setUp({ scribble: true });
    const keep = zone.malloc(64);
    const ptr = zone.malloc(64);
    zone.free(ptr);
    const heard: string[] = [];
    setMallocLogger(proc, (type, _zone, arg2) => heard.push(`type ${type}, ${hex(arg2)}`));
    const error = caught(() => zone.free(ptr));
    setMallocLogger(proc, undefined);
    expect(error, `free(${hex(ptr)}) twice`).toBeInstanceOf(HeapCorruption);
    expect(heard, `what the malloc logger heard of the second free(${hex(ptr)}): nothing, since free validates the pointer (blockBytes) before it logs`).toEqual([]);
    expect(proc.load32(zone.base + DEBUG.operations), `the operations counted (DEBUG.operations) after two mallocs, a free and a second free(${hex(ptr)}) that was refused: 3. A refused free did nothing: it is validated first and counted last\n${proc.hexdump(zone.base, DEBUG_BYTES)}`).toBe(3);
    // Your chapter 5 rack words the message (quantumOf): it must say what chapter 5's tests asked for.
    for (const part of ['free()', 'double free', hex(ptr), 'quantum 4']) {
      expect(error.message.includes(part), `free(${hex(ptr)}) twice threw "${error.message}": the message of your chapter 5 zone (quantumOf), through blockBytes, should say ${part}`).toBe(true);
    }
    zone.free(keep);
  });

  it('a pointer that was never allocated, or a guarded block freed twice', () => {
    const { zone } = setUp({ guardEdges: true });
    const big = zone.malloc(100_000);
    zone.free(big);
    expect(caught(() => zone.free(big)).message, `free(${hex(big)}) twice, a guarded block: blockBytes finds it in no table`).toMatch(new RegExp(`^free\\(\\): invalid pointer ${hex(big)}: pointer being freed was not allocated`));
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
      const allocatorOptions = { scribble: true, guardEdges: true, stackLogging: true, checkHeapStart: 1, checkHeapEach: 250 };
      const result = replayChecked(trace, createAllocator, { allocatorOptions });
      if (result.failure !== undefined) {
        const target = process.env[TARGET_VARIABLE] ?? 'exercises';
        throw new Error(`With every option on (scribble, guard edges, stack logging, a heap check every 250 operations):\n${formatFailure({ result, shrunk: undefined }, { allocator: 'debug', target })}\n\n${replayCommand({ allocator: 'debug', target: 'exercises', allocatorOptions }, `traces/${name}`)}\nreplays it with the same options, and shrinks it to the fewest operations that fail the same way.`);
      }
    }
  });
});
