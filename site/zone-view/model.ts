// The zone view's model: replays a trace through chapter 5's zone on a simulated process and
// reads the zone back from memory alone: the racks' region lists, each region's fields and
// metadata (with check.ts's readers), the large-block table, and which pages the kernel says
// were written (mincore). No DOM here: the build draws the static picture, the page's script the live one.

import { PAGE_SIZE, Process, hex } from '../../machine/index.ts';
import { SMALL_READER, TINY_READER, type Reader } from '../../solutions/05-zones/check.ts';
import { ENTRY, ENTRY_SIZE, LARGE } from '../../solutions/05-zones/large.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { REGION, REGION_BYTES, blockAddress, mappingOf } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { createAllocator, type Zone } from '../../solutions/05-zones/zone.ts';
import { formatOp, type HeapOp } from '../heap-view/model.ts';

export type BlockState = 'in use' | 'free' | 'death row';

export interface ZoneBlock {
  address: number;
  bytes: number;
  /** Death row: freed last, not merged yet, still marked in use in the metadata. */
  state: BlockState;
  /** What the program asked for (a block in use only). */
  requested?: number;
}

export interface ZonePage {
  /** Its number in the mapping, from 0. */
  index: number;
  address: number;
  written: boolean;
}

export interface ZoneRegion {
  scale: 'tiny' | 'small';
  /** The address of its fields, as the zone names a region. */
  address: number;
  /** Where its mmap starts. */
  mapping: number;
  bytes: number;
  band: number;
  headerBytes: number;
  /** The first block's address: just above the fields. */
  firstBlock: number;
  /** The first quantum never handed out, and its address. */
  tail: number;
  tailAddress: number;
  blocks: ZoneBlock[];
  /** The pages worth drawing: the header's, and those from the first block to the tail's. */
  pages: ZonePage[];
  pageCount: number;
  writtenPages: number;
}

export interface LargeBlock {
  address: number;
  bytes: number;
  /** Each of its pages: written or not. */
  pages: boolean[];
  writtenPages: number;
  requested?: number;
}

export interface ZoneState {
  step: number;
  steps: number;
  /** The operation just done, as in the trace: `a 3 114`. */
  op: string;
  regions: ZoneRegion[];
  large: LargeBlock[];
  /** The zone's own table of large blocks, once it has one. */
  largeTable?: { address: number; bytes: number; writtenPages: number };
  /** Bytes the program asked for and holds. */
  liveBytes: number;
  /** Pages written in everything the zone mapped: regions, large blocks, the large table. */
  writtenPages: number;
}

const SCALES = [
  { kind: TINY, reader: TINY_READER, rack: (zone: Zone) => zone.tiny },
  { kind: SMALL, reader: SMALL_READER, rack: (zone: Zone) => zone.small },
] as const;

const countTrue = (flags: boolean[]) => flags.filter(Boolean).length;
const pageOf = (offset: number) => Math.floor(offset / PAGE_SIZE);

/** A trace replayed step by step through the zone; going back replays from the start. */
export class ZoneReplay {
  private proc!: Process;
  private zone!: Zone;
  private pointers = new Map<number, number>();
  private requested = new Map<number, number>();
  private done = 0;

  constructor(readonly ops: HeapOp[]) {
    this.reset();
  }

  private reset(): void {
    this.proc = new Process();
    this.zone = createAllocator(this.proc);
    this.pointers.clear();
    this.requested.clear();
    this.done = 0;
  }

  private apply(op: HeapOp): void {
    const old = this.pointers.get(op.id) ?? 0;
    if (op.kind === 'f') {
      this.zone.free(old);
      this.pointers.delete(op.id);
      this.requested.delete(old);
      return;
    }
    const ptr = op.kind === 'a' ? this.zone.malloc(op.bytes) : this.zone.realloc(old, op.bytes);
    this.requested.delete(old);
    this.pointers.set(op.id, ptr);
    this.requested.set(ptr, op.bytes);
    // The program uses what it asked for, as the trace driver's does: its pages are written.
    if (ptr !== 0) this.proc.memset(ptr, 0xa5, op.bytes);
  }

  /** The zone after the first `step` operations. */
  stepTo(step: number): ZoneState {
    const target = Math.max(0, Math.min(step, this.ops.length));
    if (target < this.done) this.reset();
    while (this.done < target) this.apply(this.ops[this.done++]);
    const regions = SCALES.flatMap(({ kind, reader, rack }) => this.regionsOf(rack(this.zone).base, kind.name, kind.headerBytes, reader));
    const large = this.largeBlocks();
    const table = this.proc.load32(this.zone.large.base + LARGE.table);
    const tableBytes = this.proc.load32(this.zone.large.base + LARGE.capacity) * ENTRY_SIZE;
    const largeTable = table === 0 ? undefined : { address: table, bytes: tableBytes, writtenPages: countTrue(this.proc.mincore(table, tableBytes)) };
    const writtenPages = regions.reduce((sum, r) => sum + r.writtenPages, 0) + large.reduce((sum, b) => sum + b.writtenPages, 0) + (largeTable?.writtenPages ?? 0);
    return {
      step: target,
      steps: this.ops.length,
      op: target === 0 ? '(start)' : formatOp(this.ops[target - 1]),
      regions,
      large,
      largeTable,
      liveBytes: [...this.requested.values()].reduce((a, b) => a + b, 0),
      writtenPages,
    };
  }

  /** One rack's regions, in the order of its list. */
  private regionsOf(rack: number, scale: 'tiny' | 'small', headerBytes: number, reader: Reader): ZoneRegion[] {
    const proc = this.proc;
    const kind = scale === 'tiny' ? TINY : SMALL;
    const deathRow = proc.load32(rack + RACK.lastFree);
    const regions: ZoneRegion[] = [];
    for (let region = proc.load32(rack + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
      const mapping = mappingOf(kind, region);
      const tail = proc.load32(region + REGION.tail);
      const blocks: ZoneBlock[] = [];
      for (let q = 0; q < tail; ) {
        if (!reader.isStart(proc, region, q)) throw new Error(`${scale} region ${hex(region)}: no block starts at quantum ${q}`);
        const msize = reader.msize(proc, region, q);
        if (msize < 1) throw new Error(`${scale} region ${hex(region)}: the block at quantum ${q} has ${msize} quanta`);
        const address = blockAddress(kind, region, q);
        const state: BlockState = reader.isFree(proc, region, q) ? 'free' : address === deathRow ? 'death row' : 'in use';
        blocks.push({ address, bytes: msize * reader.quantum, state, requested: state === 'in use' ? this.requested.get(address) : undefined });
        q += msize;
      }
      const resident = proc.mincore(mapping, reader.regionSize);
      const tailAddress = blockAddress(kind, region, tail);
      // The header's pages, then those from the first block's to the one holding the last used byte.
      const lastPage = Math.max(pageOf(headerBytes), pageOf(tailAddress - 1 - mapping));
      const pages: ZonePage[] = [];
      for (let index = 0; index <= lastPage; index++) pages.push({ index, address: mapping + index * PAGE_SIZE, written: resident[index] });
      regions.push({
        scale,
        address: region,
        mapping,
        bytes: reader.regionSize,
        band: proc.load32(region + REGION.band),
        headerBytes,
        firstBlock: region + REGION_BYTES,
        tail,
        tailAddress,
        blocks,
        pages,
        pageCount: resident.length,
        writtenPages: countTrue(resident),
      });
    }
    return regions;
  }

  /** The live large blocks, from the zone's table, by address. */
  private largeBlocks(): LargeBlock[] {
    const proc = this.proc;
    const base = this.zone.large.base;
    const table = proc.load32(base + LARGE.table);
    if (table === 0) return [];
    const blocks: LargeBlock[] = [];
    for (let i = 0; i < proc.load32(base + LARGE.capacity); i++) {
      const address = proc.load32(table + i * ENTRY_SIZE + ENTRY.address);
      if (address === 0) continue;
      const bytes = proc.load32(table + i * ENTRY_SIZE + ENTRY.bytes);
      const pages = proc.mincore(address, bytes);
      blocks.push({ address, bytes, pages, writtenPages: countTrue(pages), requested: this.requested.get(address) });
    }
    return blocks.sort((a, b) => a.address - b.address);
  }
}

/** The step with the most regions, then the most blocks: the most to look at. */
export function busiestZoneStep(replay: ZoneReplay): number {
  let best = 0;
  let most = -1;
  for (let step = 0; step <= replay.ops.length; step++) {
    const state = replay.stepTo(step);
    const score = (state.regions.length + state.large.length) * 1e6 + state.regions.reduce((n, r) => n + r.blocks.length, 0);
    if (score > most) [best, most] = [step, score];
  }
  return best;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One sentence for screen readers and the caption. */
export function describeZone(state: ZoneState): string {
  const tiny = state.regions.filter((r) => r.scale === 'tiny').length;
  const small = state.regions.length - tiny;
  const blocks = state.regions.flatMap((r) => r.blocks);
  const count = (what: BlockState) => blocks.filter((b) => b.state === what).length;
  const deathRow = count('death row');
  return (
    `Step ${state.step} of ${state.steps}: ${state.op}. ${plural(tiny, 'tiny region')}, ${plural(small, 'small region')}, ${plural(state.large.length, 'large block')}; ` +
    `${count('in use')} in use, ${count('free')} free${deathRow > 0 ? `, ${deathRow} on death row` : ''}; ${plural(state.writtenPages, 'page')} written.`
  );
}
