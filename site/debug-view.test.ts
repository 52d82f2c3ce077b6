// The debug views' model and drawing: the bytes they draw must be the bytes the debug zone left
// in the process (0xaa after malloc, 0x55 after free), and the guard page they draw must be the
// PROT_NONE page that faults, right after the block's last byte as the zone rounds it.

import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, Process, SegmentationFault } from '../machine/index.ts';
import { quantaFor } from '../solutions/05-zones/size-classes.ts';
import { createAllocator } from '../solutions/07-debug/debug.ts';
import { SCRIBBLE_FREED, SCRIBBLE_NEW } from '../solutions/07-debug/scribble.ts';
import { guardEdgesRun, scribbleRun } from './debug-view/model.ts';
import { describeBytes, renderGuardEdges, renderScribble } from './debug-view/render.ts';

const all = (bytes: number[], value: number) => bytes.every((b) => b === value);
const le32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];

describe('the MallocScribble picture', () => {
  const run = scribbleRun();
  const [malloced, written, freed, filed] = run.steps;

  it('draws the whole block, as the zone rounds it: 40 bytes asked for, 48 usable', () => {
    expect(run.asked).toBe(40);
    expect(run.usable).toBe(48);
    for (const step of run.steps) expect(step.bytes).toHaveLength(run.usable);
  });

  it('reads 0xaa in every byte after malloc, the 8 past the 40 asked for too', () => {
    expect(malloced.call).toBe('node = malloc(40)');
    expect(all(malloced.bytes, SCRIBBLE_NEW)).toBe(true);
  });

  it("reads the program's int where it stored it, and 0xaa everywhere else", () => {
    expect(written.bytes.slice(16, 20)).toEqual(le32(1234));
    expect(written.changed.map((c, i) => (c ? i : -1)).filter((i) => i >= 0)).toEqual([16, 17, 18, 19]);
    expect(all([...written.bytes.slice(0, 16), ...written.bytes.slice(20)], SCRIBBLE_NEW)).toBe(true);
  });

  it('reads 0x55 in every byte after free, the int the program stored gone', () => {
    expect(freed.call).toBe('free(node)');
    expect(all(freed.bytes, SCRIBBLE_FREED)).toBe(true);
    expect(freed.changed.every(Boolean)).toBe(true);
  });

  it("reads the zone's links over the first 0x55s once node is filed on a free list, and 0x55 between them", () => {
    expect(filed.call).toBe('free(next)');
    const kept = filed.bytes.filter((b) => b === SCRIBBLE_FREED).length;
    expect(kept).toBeGreaterThan(run.usable / 2);
    expect(kept).toBeLessThan(run.usable);
    expect(filed.bytes[0]).not.toBe(SCRIBBLE_FREED); // a link
    expect(filed.changed.filter(Boolean).length).toBe(run.usable - kept);
  });

  it('draws what the same program leaves in a process of its own, byte for byte', () => {
    const proc = new Process();
    const zone = createAllocator(proc, { scribble: true });
    zone.malloc(32);
    const node = zone.malloc(40);
    const next = zone.malloc(32);
    expect(node).toBe(run.block);
    const seen = [[...proc.bytes(node, 48)]];
    proc.store32(node + 16, 1234);
    seen.push([...proc.bytes(node, 48)]);
    zone.free(node);
    expect(proc.load32(node + 16)).toBe(0x55555555);
    seen.push([...proc.bytes(node, 48)]);
    zone.free(next);
    seen.push([...proc.bytes(node, 48)]);
    expect(run.steps.map((s) => s.bytes)).toEqual(seen);
  });

  it('labels every byte with its value, and says each step in words too', () => {
    const html = renderScribble(run);
    const steps = html.split('<li class="dv-step"').slice(1);
    expect(steps).toHaveLength(4);
    expect(steps[0].match(/<span class="dv-byte dv-new[^"]*">aa<\/span>/g)).toHaveLength(48);
    expect(steps[0].match(/dv-slack/g)).toHaveLength(8);
    expect(steps[1].match(/<span class="dv-byte dv-other dv-changed">(d2|04|00)<\/span>/g)).toHaveLength(4);
    expect(steps[2].match(/<span class="dv-byte dv-freed dv-changed[^"]*">55<\/span>/g)).toHaveLength(48);
    expect(steps[1]).toContain(`aria-label="node's 48 bytes after node-&gt;value = 1234: bytes 0–15: 16 × 0xaa; bytes 16–19: d2 04 00 00; bytes 20–47: 28 × 0xaa (bytes 40–47 lie past the 40 asked for)"`);
    expect(describeBytes([0x55, 0x55, undefined])).toBe('bytes 0–1: 2 × 0x55; byte 2: unreadable');
  });
});

describe('the MallocGuardEdges picture', () => {
  const run = guardEdgesRun();
  const rounded = quantaFor(run.asked, PAGE_SIZE) * PAGE_SIZE;

  it('draws the block as the zone rounds it: whole pages', () => {
    expect(run.asked).toBe(40_000);
    expect(run.usable).toBe(rounded);
    expect(rounded).toBe(10 * PAGE_SIZE);
  });

  it('puts a PROT_NONE page right before the block and right after its last byte, and the block read-write between', () => {
    const guards = run.pages.filter((p) => p.guard);
    expect(guards.map((p) => [p.address, p.prot])).toEqual([
      [run.block - PAGE_SIZE, '---p'],
      [run.block + rounded, '---p'],
    ]);
    const block = run.pages.filter((p) => !p.guard);
    expect(block.map((p) => p.index)).toEqual([...Array(10).keys()]);
    expect(block.every((p) => p.prot === 'rw-p' && p.address === run.block + p.index * PAGE_SIZE)).toBe(true);
    expect(run.pages.map((p) => p.address)).toEqual(run.pages.map((_, i) => run.block - PAGE_SIZE + i * PAGE_SIZE));
  });

  it('says which pages the loop wrote: every page of the block, never a guard', () => {
    expect(run.pages.map((p) => p.resident)).toEqual(run.pages.map((p) => !p.guard));
  });

  it("draws the fault where a process of its own faults: at the guard page's first byte, after 240 ints of slack", () => {
    const proc = new Process({ env: { MallocGuardEdges: '1' } });
    const table = createAllocator(proc).malloc(40_000);
    expect(table).toBe(run.block);
    expect(() => proc.store8(table + rounded - 1, 1)).not.toThrow();
    expect(() => proc.store8(table + rounded, 1)).toThrow(SegmentationFault);
    expect(() => proc.load8(table - 1)).toThrow(SegmentationFault);
    expect(run.fault?.address).toBe(table + rounded);
    expect(run.fault?.message).toMatch(/^Segmentation fault: write of 4 bytes at 0x[0-9a-f]+, which lies in a mapping that does not allow writing\.$/);
    expect(run.slackInts).toBe((rounded - 40_000) / 4);
  });

  it("reads the loop's last two ints before the block's end, and nothing in the guard page", () => {
    expect(run.edge.address).toBe(run.block + rounded - 8);
    expect(run.edge.values).toEqual([...le32(10_238), ...le32(10_239), ...Array(8).fill(undefined)]);
  });

  it('draws the last page of the block right before the guard, with its slack and the fault in words', () => {
    const html = renderGuardEdges(run);
    const rows = [...html.matchAll(/<li class="dv-page([^"]*)" data-address="(0x[0-9a-f]+)" data-prot="([^"]+)"/g)].map((m) => ({ guard: m[1].includes('dv-guard'), address: Number(m[2]), prot: m[3] }));
    expect(rows.map((r) => r.address)).toEqual([run.block - PAGE_SIZE, run.block, run.block + 9 * PAGE_SIZE, run.block + rounded]);
    expect(rows.map((r) => r.prot)).toEqual(['---p', 'rw-p', 'rw-p', '---p']);
    expect(html).toContain('pages 1 to 8 of the block, all written');
    expect(html).toContain('its first 3,136 bytes asked for, then 960 bytes of slack, which the loop fills with 240 ints, no fault');
    const postlude = html.slice(html.indexOf(`data-address="0x${(run.block + rounded).toString(16)}"`));
    expect(postlude).toMatch(/^[^\n]*<span class="dv-fault" style="left:0\.000%">fault<\/span>/);
    expect(postlude).toMatch(/^[^\n]*faults at the guard page's first byte/);
    const edge = /<div class="dv-bytes dv-edge"[^>]*>.*?<\/div><\/div>/.exec(html)?.[0] ?? '';
    expect(edge.match(/<span class="dv-byte dv-other">[0-9a-f]{2}<\/span>/g)).toHaveLength(8);
    expect(edge.match(/<span class="dv-byte dv-none">--<\/span>/g)).toHaveLength(8);
    expect(edge, 'the text alternative counts the bytes from the block, and says where the guard begins').toMatch(
      new RegExp(`aria-label="the block's bytes 40,952–40,959: [0-9a-f ]{23}; the guard page's first 8 bytes, from 0x${(run.block + rounded).toString(16)}: unreadable"`),
    );
  });
});
