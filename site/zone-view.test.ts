// The zone view's model and drawing: what it reads from memory must be what the zone did, and
// the pages it calls written must be the ones the kernel counts (proc.stats()), step by step.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, Process } from '../machine/index.ts';
import { MALLOC_PTR_IN_USE_RANGE_TYPE, type Range } from '../solutions/05-zones/enumerate.ts';
import { TINY_HEADER_BYTES } from '../solutions/05-zones/tiny-region.ts';
import { createAllocator } from '../solutions/05-zones/zone.ts';
import { parseRep } from '../workbook/trace/rep.ts';
import { ROOT } from './generator.ts';
import type { HeapOp } from './heap-view/model.ts';
import { ZoneReplay, busiestZoneStep, describeZone } from './zone-view/model.ts';
import { renderZone } from './zone-view/render.ts';

const ops = (text: string): HeapOp[] => parseRep(`0\n9\n${text.trim().split('\n').length}\n1\n${text.trim()}\n`, 'test').ops;

/** The same trace through a zone of its own, written as the view's program writes: what the kernel and the zone say. */
function independently(trace: HeapOp[], steps: number) {
  const proc = new Process();
  const zone = createAllocator(proc);
  const pointers = new Map<number, number>();
  for (const op of trace.slice(0, steps)) {
    if (op.kind === 'f') zone.free(pointers.get(op.id)!);
    else {
      const ptr = op.kind === 'a' ? zone.malloc(op.bytes) : zone.realloc(pointers.get(op.id) ?? 0, op.bytes);
      proc.memset(ptr, 1, op.bytes);
      pointers.set(op.id, ptr);
    }
  }
  const inUse: Range[] = [];
  zone.enumerate((_, ranges) => inUse.push(...ranges), MALLOC_PTR_IN_USE_RANGE_TYPE);
  return { resident: proc.stats().mappedResidentBytes, inUse: inUse.sort((a, b) => a.address - b.address) };
}

describe('the zone view', () => {
  const mixed = ops('a 0 439\na 1 50\na 2 1500\na 3 40000\nf 1\nf 0\nf 2\nf 3');

  it('reads one tiny region per band, a small region and a large block, each where the zone put it', () => {
    const state = new ZoneReplay(mixed).stepTo(4);
    expect(state.regions.map((r) => `${r.scale} band ${r.band}`).sort()).toEqual(['small band 0', 'tiny band 0', 'tiny band 1']);
    const tiny = state.regions.find((r) => r.scale === 'tiny' && r.band === 0)!;
    expect(tiny.mapping % (1 << 20)).toBe(0);
    expect(tiny.address).toBe(tiny.mapping + TINY_HEADER_BYTES - 32);
    expect(tiny.blocks).toEqual([{ address: tiny.address + 32, bytes: 448, state: 'in use', requested: 439 }]);
    expect(tiny.tail).toBe(28);
    expect(state.large).toEqual([expect.objectContaining({ bytes: 40960, writtenPages: 10, requested: 40000 })]);
    expect(state.liveBytes).toBe(439 + 50 + 1500 + 40000);
  });

  it('says a region with a few blocks wrote one page, the one of its fields and first blocks', () => {
    const state = new ZoneReplay(mixed).stepTo(4);
    for (const region of state.regions) {
      const fieldsPage = Math.floor((region.address - region.mapping) / PAGE_SIZE);
      expect(region.pages.filter((p) => p.written).map((p) => p.index), `${region.scale} band ${region.band}`).toEqual([fieldsPage]);
      expect(region.writtenPages).toBe(1);
      expect(region.pageCount).toBe(region.bytes / PAGE_SIZE);
    }
    // Three regions, ten pages of the large block, the large table's page: what the kernel counts.
    expect(state.writtenPages).toBe(14);
    expect(state.writtenPages * PAGE_SIZE).toBe(independently(mixed, 4).resident);
  });

  it('counts the pages the kernel counts, and the blocks the zone enumerates, at every step of a trace', () => {
    const trace = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'short.rep').ops;
    const replay = new ZoneReplay(trace);
    let mostRegions = 0;
    for (let step = 0; step <= trace.length; step++) {
      const state = replay.stepTo(step);
      const zone = independently(trace, step);
      expect(state.writtenPages * PAGE_SIZE, `step ${step}`).toBe(zone.resident);
      const held = [...state.regions.flatMap((r) => r.blocks.filter((b) => b.state === 'in use')), ...state.large].map((b) => ({ address: b.address, size: b.bytes }));
      expect(held.sort((a, b) => a.address - b.address), `step ${step}`).toEqual(zone.inUse);
      mostRegions = Math.max(mostRegions, state.regions.length);
    }
    expect(mostRegions).toBe(2);
  });

  it('shows the block freed last on death row, and replays from the start to go back', () => {
    const replay = new ZoneReplay(ops('a 0 100\na 1 100\nf 0\nf 1'));
    expect(replay.stepTo(3).regions[0].blocks.map((b) => b.state)).toEqual(['death row', 'in use']);
    expect(replay.stepTo(1).regions[0].blocks.map((b) => b.state)).toEqual(['in use']);
    expect(describeZone(replay.stepTo(3))).toBe('Step 3 of 4: f 0. 1 tiny region, 0 small regions, 0 large blocks; 1 in use, 0 free, 1 on death row; 1 page written.');
    // The last block freed takes its region with it.
    expect(replay.stepTo(4)).toMatchObject({ regions: [], writtenPages: 0, liveBytes: 0 });
  });

  it('starts where the zone has the most regions', () => {
    expect(busiestZoneStep(new ZoneReplay(mixed))).toBe(4);
  });

  it('draws a region as its written page between folds of untouched ones, each block with its tooltip', () => {
    const state = new ZoneReplay(ops('a 0 439\na 1 167')).stepTo(2);
    const html = renderZone(state);
    const region = state.regions[0];
    expect(html.match(/<div class="zv-page zv-written"/g)).toHaveLength(1);
    expect(html.match(/<div class="zv-page zv-untouched"/g)).toHaveLength(1); // page 0, the header's first
    expect(html).toContain('3 untouched pages');
    expect(html).toContain('the untouched rest, 251 pages');
    expect(html).toContain(`title="0x${region.blocks[1].address.toString(16).padStart(8, '0')} · 176 bytes · in use · 167 asked for"`);
    expect(html).toContain('1 of 256 pages written');
    expect(html).toMatch(/data-regions="1"[^>]*data-written="1"/);
    // Its start magnified: the header's last bytes, the fields, both blocks.
    expect(html).toContain('page 4 up to the tail: its first 752 bytes, magnified 5 times');
  });

  it('draws a large block as its pages, and the large table of the zone in the totals', () => {
    const html = renderZone(new ZoneReplay(mixed).stepTo(4));
    expect(html).toMatch(/<strong>large block <code>0x[0-9a-f]{8}<\/code><\/strong> <span>10 of 10 pages written<\/span>/);
    expect(html).toContain('6 more pages');
    expect(html).toContain('<dt>large-block table</dt><dd>1 page</dd>');
    expect(html).toContain('<dd class="zv-written-total">14 (56 KiB)</dd>');
  });
});
