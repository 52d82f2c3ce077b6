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

describe('MallocScribble', () => {
  it('fills a new block with 0xAA: memory the program never wrote is easy to spot', () => {
    const { proc, zone } = setUp();
    const ptr = zone.malloc(40);
    scribbleNew(proc, ptr, zone.usableSize(ptr));
    expect([SCRIBBLE_NEW, SCRIBBLE_FREED]).toEqual([0xaa, 0x55]);
    expect(hex(proc.load32(ptr)), 'the first word of a new 48-byte block').toBe(hex(0xaaaaaaaa));
    expect(hex(proc.load32(ptr + 44)), 'its last word: the whole usable size is scribbled').toBe(hex(0xaaaaaaaa));
  });

  it('fills a freed block with 0x55: a use after free reads 0x55555555', () => {
    const { proc, zone } = setUp();
    const keep = zone.malloc(32);
    const node = zone.malloc(32);
    proc.store32(node + 16, 1234); // node->value = 1234
    scribbleFreed(proc, node, zone.usableSize(node));
    zone.free(node); // the zone writes its links over the first bytes
    expect(hex(proc.load32(node + 16)), 'node->value read after free(node): a stale 1234 would hide the bug').toBe(hex(0x55555555));
    zone.free(keep);
  });

  it('stays inside the block: the neighbours keep their bytes', () => {
    const { proc, zone } = setUp();
    const [a, b, c] = [zone.malloc(32), zone.malloc(32), zone.malloc(32)];
    proc.memset(a, 0x11, 32);
    proc.memset(c, 0x33, 32);
    scribbleNew(proc, b, 32);
    scribbleFreed(proc, b, 32);
    expect([proc.load8(a + 31), proc.load8(b), proc.load8(b + 31), proc.load8(c)].map((x) => hex(x, 2)), `the last byte of a, the first and last of b, the first of c, after scribbleNew and scribbleFreed of b's 32 bytes: a filled with 0x11, c with 0x33, b between them\n${proc.hexdump(a, c + 32 - a, { from: b, to: b + 32 })}`).toEqual([hex(0x11, 2), hex(0x55, 2), hex(0x55, 2), hex(0x33, 2)]);
  });
});
