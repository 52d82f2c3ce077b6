// Chapter 7, step 2: MallocScribble (scribble.ts). The blocks come from the reference zone of
// chapter 5; your functions fill them as the debug zone does: 0xAA when handed out, 0x55 just
// before they are freed.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { loadExercise } from '../../workbook/target.ts';

const { scribbleNew, scribbleFreed, SCRIBBLE_NEW, SCRIBBLE_FREED } = await loadExercise<typeof import('./scribble.ts')>('07-debug/scribble.ts');

function setUp() {
  const proc = new Process();
  const zone = createZone(proc);
  return { proc, zone };
}

/** The addresses from `start` (for `length` bytes) whose byte is not `expected(address)`. */
function wrongBytes(proc: Process, start: number, length: number, expected: (address: number) => number): number[] {
  const wrong: number[] = [];
  for (let address = start; address < start + length; address++) if (proc.load8(address) !== expected(address)) wrong.push(address);
  return wrong;
}

/** proc.hexdump of the range, with ^^ under each wrong byte and under no other. */
function dumpMarking(proc: Process, start: number, length: number, wrong: number[]): string {
  const marked = new Set(wrong);
  const lines: string[] = [];
  for (const line of proc.hexdump(start, length).split('\n')) {
    lines.push(line);
    const row = Number.parseInt(line.slice(0, 10), 16);
    let marks = '';
    for (let i = 0; i < 16; i++) marks += (marked.has(row + i) ? '^^' : '  ') + (i === 7 ? '  ' : ' ');
    if (marks.trim() !== '') lines.push(`${' '.repeat(12)}${marks.trimEnd()}`);
  }
  return lines.join('\n');
}

/** What a reader of the dump needs: how many bytes are wrong, and the first of them. */
function summary(proc: Process, wrong: number[]): string {
  if (wrong.length === 0) return '';
  const first = proc.load8(wrong[0]!);
  const named = first === 0xaa ? ', the byte of a new block' : first === 0x55 ? ', the byte of a freed block' : '';
  return ` ${wrong.length} byte${wrong.length === 1 ? ' is' : 's are'} not, marked below; the first, at ${hex(wrong[0]!)}, reads ${hex(first, 2)}${named}.`;
}

/** The number of wrong bytes, as a test compares it. */
const count = (wrong: number[]) => `${wrong.length} wrong byte${wrong.length === 1 ? '' : 's'}`;

describe('MallocScribble', () => {
  it('fills a new block with 0xAA: memory the program never wrote is easy to spot', () => {
    const { proc, zone } = setUp();
    const ptr = zone.malloc(40);
    const bytes = zone.usableSize(ptr);
    scribbleNew(proc, ptr, bytes);
    expect([SCRIBBLE_NEW, SCRIBBLE_FREED].map((b) => hex(b, 2)), '[SCRIBBLE_NEW, SCRIBBLE_FREED]').toEqual([hex(0xaa, 2), hex(0x55, 2)]);
    const wrong = wrongBytes(proc, ptr, bytes, () => 0xaa);
    expect(count(wrong), `scribbleNew(proc, ${hex(ptr)}, ${bytes}): every byte of the new ${bytes}-byte block at ${hex(ptr)} should read 0xaa (SCRIBBLE_NEW), all of its usable size.${summary(proc, wrong)}\n${dumpMarking(proc, ptr, bytes, wrong)}`).toBe(count([]));
  });

  it('fills a freed block with 0x55: a use after free reads 0x55555555', () => {
    const { proc, zone } = setUp();
    const keep = zone.malloc(32);
    const node = zone.malloc(32);
    const bytes = zone.usableSize(node);
    proc.store32(node + 16, 1234); // node->value = 1234
    scribbleFreed(proc, node, bytes);
    const wrong = wrongBytes(proc, node, bytes, () => 0x55);
    expect(count(wrong), `scribbleFreed(proc, ${hex(node)}, ${bytes}), before the zone frees it: every byte of the ${bytes}-byte block at ${hex(node)} should read 0x55 (SCRIBBLE_FREED).${summary(proc, wrong)}${proc.load32(node + 16) === 1234 ? ` node->value, at ${hex(node + 16)}, still holds the program's 1234 (d2 04 00 00): a use after free would read it as if nothing had happened.` : ''}\n${dumpMarking(proc, node, bytes, wrong)}`).toBe(count([]));
    zone.free(node); // the zone may write its links over the first bytes
    const stale = wrongBytes(proc, node + 16, 4, () => 0x55);
    expect(hex(proc.load32(node + 16)), `node->value, at ${hex(node + 16)}, read after free(${hex(node)}): a stale 1234 would hide the bug\n${dumpMarking(proc, node, bytes, stale)}`).toBe(hex(0x55555555));
    zone.free(keep);
  });

  it('stays inside the block: the neighbours keep their bytes', () => {
    const { proc, zone } = setUp();
    const [a, b, c] = [zone.malloc(32), zone.malloc(32), zone.malloc(32)] as [number, number, number];
    proc.memset(a, 0x11, 32);
    proc.memset(c, 0x33, 32);
    scribbleNew(proc, b, 32);
    scribbleFreed(proc, b, 32);
    const expected = (address: number) => (address >= a && address < a + 32 ? 0x11 : address >= b && address < b + 32 ? 0x55 : address >= c && address < c + 32 ? 0x33 : proc.load8(address));
    const wrong = wrongBytes(proc, a, c + 32 - a, expected);
    const outside = wrong.filter((address) => address < b || address >= b + 32);
    const where = outside.length === 0 ? '' : outside[0]! < b ? ` A byte before b changed: the scribble starts at ptr, not before it.` : ` A byte after b changed: the scribble wrote past b's 32 bytes (exactly \`bytes\` of them, from ptr).`;
    expect(count(wrong), `scribbleNew and then scribbleFreed of b = ${hex(b)}, 32 bytes, between a = ${hex(a)} filled with 0x11 and c = ${hex(c)} filled with 0x33: a and c keep their bytes, b reads 0x55.${summary(proc, wrong)}${where}\n${dumpMarking(proc, a, c + 32 - a, wrong)}`).toBe(count([]));
  });
});
