// Chapter 7, steps 6 and 7: a malloc logger that prints (nomalloc.ts). It is installed on the
// reference debug zone, which calls it after every malloc and free with libmalloc's record types.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { createAllocator, setMallocLogger } from '../../solutions/07-debug/debug.ts';
import { MALLOC_LOG_TYPE_ALLOCATE } from '../../solutions/07-debug/logger.ts';
import { NOMALLOC_BUFFER_BYTES } from '../../solutions/07-debug/nomalloc.ts';
import { loadExercise } from '../../workbook/target.ts';

const { nomallocPrintf, printingLogger } = await loadExercise<typeof import('./nomalloc.ts')>('07-debug/nomalloc.ts');

describe('nomallocPrintf', () => {
  it('formats %s, %u, %d, %lu, %x, %p and %%, with widths', () => {
    const proc = new Process();
    const out: string[] = [];
    const write = (text: string) => out.push(text);
    expect(nomallocPrintf(proc, write, '%8s|%-4u|%x|%%', 'tiny', 7, 255), 'the bytes written').toBe(18);
    nomallocPrintf(proc, write, '%p %d %lu %16lu|', 0x10000040, -3, 4096, 12);
    expect(out, "what write received for '%8s|%-4u|%x|%%' and '%p %d %lu %16lu|': a width pads with spaces on the left, or on the right after '-'; %x has no 0x, %p is hex() with 8 digits").toEqual(['    tiny|7   |ff|%', '0x10000040 -3 4096               12|']);
    nomallocPrintf(proc, write, '%u|%x|%p|%d', -3, -1, -1, -3);
    expect(out[2], "what write received for '%u|%x|%p|%d' with -3, -1, -1, -3: only %d is signed; %u, %x and %p read the same 32 bits unsigned, as C's printf does").toBe('4294967293|ffffffff|0xffffffff|-3');
  });

  it('formats in the static buffer of the data segment, never in the heap', () => {
    const proc = new Process();
    const before = proc.stats();
    let text = '';
    nomallocPrintf(proc, (t) => (text = t), 'free(%p)', 0xdeadbeef);
    const buffer = proc.static('nomalloc_buffer', NOMALLOC_BUFFER_BYTES);
    expect(new TextDecoder().decode(proc.bytes(buffer, text.length)), 'the bytes in nomalloc_buffer').toBe('free(0xdeadbeef)');
    expect(proc.stats().mappedBytes, 'no memory mapped while printing').toBe(before.mappedBytes);
  });
});

describe('printingLogger', () => {
  it("prints a line for each record of the zone's calls", () => {
    const proc = new Process();
    const zone = createAllocator(proc);
    const lines: string[] = [];
    const buffer = proc.static('nomalloc_buffer', NOMALLOC_BUFFER_BYTES);
    setMallocLogger(
      proc,
      printingLogger(proc, (text) => {
        const held = new TextDecoder().decode(proc.bytes(buffer, text.length));
        expect(held, `the bytes in nomalloc_buffer (${hex(buffer)}) when the logger wrote ${JSON.stringify(text)}: each line is formatted there by nomallocPrintf, as C's logger formats into a fixed buffer; a template string skips the buffer (in C, printf may call malloc)`).toBe(text);
        lines.push(text);
      }),
    );
    const m = zone.malloc(1024);
    const r = zone.realloc(m, 8192);
    const c = zone.calloc(4, 100);
    zone.free(c);
    zone.free(r);
    setMallocLogger(proc, undefined);
    const z = hex(zone.base);
    expect(lines, "the logger's lines for malloc, realloc, calloc and two frees (logger.ts says which argument is which)").toEqual([
      `malloc : zone=${z}, size=1024, pointer=${hex(m)}\n`,
      `realloc: zone=${z}, size=8192, old pointer=${hex(m)}, new pointer=${hex(r)}\n`,
      `calloc : zone=${z}, size=400, pointer=${hex(c)}\n`,
      `free   : zone=${z}, pointer=${hex(c)}\n`,
      `free   : zone=${z}, pointer=${hex(r)}\n`,
    ]);
  });

  it('allocates nothing while it prints, and prints any other record type as numbers', () => {
    const proc = new Process();
    const zone = createAllocator(proc);
    const lines: string[] = [];
    setMallocLogger(proc, printingLogger(proc, (text) => lines.push(text)));
    zone.free(zone.malloc(64));
    expect(zone.statistics().blocksInUse, 'a logger that called malloc would leave blocks behind').toBe(0);
    printingLogger(proc, (text) => lines.push(text))(MALLOC_LOG_TYPE_ALLOCATE, zone.base, 16, 0, 0x1000, 1);
    expect(lines.at(-1), "a record of type 2, which is none of the four operations: 'type %u: %p %u %u -> %p\\n'").toBe(`type 2: ${hex(zone.base)} 16 0 -> 0x00001000\n`);
  });
});
