// The zone view's model and drawing: what it reads from memory must be what the zone did, and
// the pages it calls written must be the ones the kernel counts (proc.stats()), step by step;
// beside another zone, it must name the first step where what it reads differs, and how.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAllocator as studentZone } from '../exercises/05-zones/zone.ts';
import { PAGE_SIZE, Process } from '../machine/index.ts';
import { MALLOC_PTR_IN_USE_RANGE_TYPE, type Range } from '../solutions/05-zones/enumerate.ts';
import { REGION_BYTES } from '../solutions/05-zones/region.ts';
import { TINY_HEADER_BYTES, TINY_REGION_SIZE } from '../solutions/05-zones/tiny-region.ts';
import { createAllocator, type Zone } from '../solutions/05-zones/zone.ts';
import { EXERCISES } from '../workbook/exercises.ts';
import { isUntouchedSkeleton } from '../workbook/skeletons.ts';
import { NotImplemented } from '../workbook/todo.ts';
import { parseRep } from '../workbook/trace/rep.ts';
import { ROOT } from './generator.ts';
import type { HeapOp } from './heap-view/model.ts';
import { ZoneReplay, busiestZoneStep, describeZone, firstZoneDifference, zonesApart } from './zone-view/model.ts';
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
    expect(describeZone(replay.stepTo(3))).toBe('Step 3 of 4: free(p0). 1 tiny region, 0 small regions, 0 large blocks; 1 in use, 0 free, 1 on death row; 1 page written.');
    // The last block freed leaves its region empty; the zone keeps it, with only its fields' page written.
    const end = replay.stepTo(4);
    expect(end).toMatchObject({ writtenPages: 1, liveBytes: 0 });
    expect(end.regions.map((r) => r.blocks.length)).toEqual([0]);
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
    // The blocks in words, in a list a keyboard or a finger can open.
    expect(html).toMatch(/<details class="zv-blocks" data-key="0x[0-9a-f]{8}"><summary>2 blocks, by address<\/summary><ul><li>0x[0-9a-f]{8} · 448 bytes · in use · 439 asked for<\/li><li>/);
  });

  it('draws a large block as its pages, and the large table of the zone in the totals', () => {
    const html = renderZone(new ZoneReplay(mixed).stepTo(4));
    expect(html).toMatch(/<strong>large block <code>0x[0-9a-f]{8}<\/code><\/strong> <span>10 of 10 pages written<\/span>/);
    expect(html).toContain('6 more pages');
    expect(html).toContain('<dt>large-block table</dt><dd>1 page</dd>');
    expect(html).toContain('<dd class="zv-written-total">14 (56 KiB)</dd>');
  });
});

describe('the zone view beside a second zone', () => {
  const short = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'short.rep').ops;
  const against = (trace: HeapOp[], create: (proc: Process) => Zone) => firstZoneDifference(new ZoneReplay(trace), () => new ZoneReplay(trace, create));

  it('finds no difference between the zone and itself', () => {
    expect(against(short, (proc) => createAllocator(proc))).toBeUndefined();
  });

  it('names the step where a zone that frees nothing parts, and the blocks that differ', () => {
    const freesNothing = (proc: Process): Zone => ({ ...createAllocator(proc), free: () => {} });
    expect(against(short, freesNothing)).toEqual({
      step: 3,
      op: 'free(p1)',
      threw: false,
      unreadable: false,
      message: expect.stringMatching(/^the reference's tiny region 0x[0-9a-f]{8} holds \[448 B in use\] \[176 B death row\], yours \[448 B in use\] \[176 B in use\]\.$/),
    });
  });

  it('finds the region or large block a difference lies in, as the view draws them, to mark in both pictures', () => {
    const apart = (trace: HeapOp[], create: (proc: Process) => Zone, step: number) => zonesApart(new ZoneReplay(trace).stepTo(step), new ZoneReplay(trace, create).stepTo(step));
    const freesNothing = (proc: Process): Zone => ({ ...createAllocator(proc), free: () => {} });
    expect(apart(short, freesNothing, 2)).toBeUndefined();
    expect(apart(short, freesNothing, 3)).toMatchObject({ at: 0, message: expect.stringMatching(/^the reference's tiny region/) });
    // A large block is drawn after the regions: one tiny region, then the large block at 1.
    const trace = ops('a 0 100\na 1 200000\nf 1');
    expect(apart(trace, freesNothing, 3)).toMatchObject({ at: 1, message: expect.stringMatching(/^large block 1: the reference has no large block, yours has a 200704-byte large block/) });
  });

  it('names the region a zone with other size classes puts a block in', () => {
    // 700 bytes are tiny under macOS's limit of 1008, small under the 32-bit one of 496.
    const trace = ops('a 0 100\na 1 700\nf 1\nf 0');
    const difference = against(trace, (proc) => createAllocator(proc, { tinyLimit: 496 }));
    expect(difference).toMatchObject({ step: 2, op: 'p1 = malloc(700)', threw: false });
    expect(difference?.message).toMatch(/^the reference's tiny region 0x[0-9a-f]{8} holds \[112 B in use\] \[704 B in use\], yours \[112 B in use\]\.$/);
    // One block in each: the tiny regions agree, the second zone has a small region the reference has not.
    const apart = against(ops('a 0 700'), (proc) => createAllocator(proc, { tinyLimit: 496 }));
    expect(apart?.message).toMatch(/^region 1: the reference has a tiny region 0x[0-9a-f]{8} \(band 0\), yours has a small region 0x[0-9a-f]{8}\.$/);
  });

  it('says what the zone threw, at which step, and that it threw as it was made', () => {
    let calls = 0;
    const failing = (proc: Process): Zone => {
      const zone = createAllocator(proc);
      return {
        ...zone,
        malloc: (size: number) => {
          if (++calls === 3) throw new NotImplemented('Not written yet: place a block');
          return zone.malloc(size);
        },
      };
    };
    expect(against(short, failing)).toEqual({ step: 4, op: 'p2 = malloc(382)', threw: true, unreadable: false, message: 'Not written yet: place a block' });
    const unmade = () => {
      throw new NotImplemented('Not written yet: createRack');
    };
    expect(against(short, unmade)).toEqual({ step: 0, op: '(start)', threw: true, unreadable: false, message: 'Not written yet: createRack' });
  });

  it('reports metadata the reference cannot read as unreadable, with what the reader found', () => {
    // Its second malloc clears the tiny region's bitmaps: no block starts anywhere.
    const clobbering = (proc: Process): Zone => {
      const zone = createAllocator(proc);
      let calls = 0;
      return {
        ...zone,
        malloc: (size: number) => {
          const ptr = zone.malloc(size);
          if (++calls === 2) proc.memset(ptr - (ptr % TINY_REGION_SIZE), 0, TINY_HEADER_BYTES - REGION_BYTES);
          return ptr;
        },
      };
    };
    expect(against(short, clobbering)).toMatchObject({ step: 2, op: 'p1 = malloc(167)', threw: true, unreadable: true, message: expect.stringMatching(/^tiny region 0x[0-9a-f]{8}: no block starts at quantum 0$/) });
  });

  // Only while chapter 5's zone is as shipped: a student's own zone runs on instead.
  const shipped = isUntouchedSkeleton(EXERCISES.find((e) => e.id === 'zone')!);
  it.skipIf(!shipped)("reports the skeleton's first todo(…) at the first malloc", () => {
    expect(against(short, (proc) => studentZone(proc))).toMatchObject({ step: 1, op: 'p0 = malloc(439)', threw: true, message: expect.stringMatching(/^Not written yet: malloc\(size\)/) });
  });
});
