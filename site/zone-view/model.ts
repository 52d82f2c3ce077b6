// The zone view's model: replays a trace through chapter 5's zone on a simulated process and
// reads the zone back from memory alone: the racks' region lists, each region's fields and
// metadata (with check.ts's readers), the large-block table, and which pages the kernel says
// were written (mincore). No DOM here: the build draws the static picture, the page's script the live one.
// The zone may be the student's: the reference's readers read its bytes all the same, since
// the layout is the contract, and firstZoneDifference says where the two zones first part.

import { PAGE_SIZE, hex, type Process } from '../../machine/index.ts';
import { SMALL_READER, TINY_READER, type Reader } from '../../solutions/05-zones/check.ts';
import { ENTRY, ENTRY_SIZE, LARGE } from '../../solutions/05-zones/large.ts';
import { RACK } from '../../solutions/05-zones/rack.ts';
import { REGION, REGION_BYTES, blockAddress, mappingOf } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { createAllocator, type Zone } from '../../solutions/05-zones/zone.ts';
import { TraceCursor, firstDifferingStep, type Difference, type HeapOp } from '../heap-view/trace-cursor.ts';

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
  /** The operation just done: `p3 = malloc(114)`. */
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

/** The reference's readers could not make sense of a zone's bytes: its metadata is not the layout they read. */
export class UnreadableZone extends Error {
  override name = 'UnreadableZone';
}

/** A trace replayed step by step through the zone; going back replays from the start. */
export class ZoneReplay {
  private readonly cursor: TraceCursor<Zone>;

  /**
   * `create` replaces chapter 5's zone (the student's own, in `npm start`); its memory is still
   * read with the reference's readers, which is what the two are compared by. The program
   * writes what it asked for, as the trace driver's does, so its pages count as written.
   */
  constructor(
    readonly ops: HeapOp[],
    create: (proc: Process) => Zone = (proc) => createAllocator(proc),
  ) {
    this.cursor = new TraceCursor(ops, create, { writePayloads: true });
  }

  private get proc(): Process {
    return this.cursor.proc;
  }

  private get zone(): Zone {
    return this.cursor.allocator;
  }

  private get requested(): Map<number, number> {
    return this.cursor.requested;
  }

  /** The zone after the first `step` operations; what the zone throws is thrown, what cannot be read is an UnreadableZone. */
  stepTo(step: number): ZoneState {
    const target = this.cursor.moveTo(step);
    try {
      return this.read(target);
    } catch (error) {
      throw new UnreadableZone(error instanceof Error ? error.message : String(error));
    }
  }

  private read(target: number): ZoneState {
    const regions = SCALES.flatMap(({ kind, reader, rack }) => this.regionsOf(rack(this.zone).base, kind.name, kind.headerBytes, reader));
    const large = this.largeBlocks();
    const table = this.proc.load32(this.zone.large.base + LARGE.table);
    const tableBytes = this.proc.load32(this.zone.large.base + LARGE.capacity) * ENTRY_SIZE;
    const largeTable = table === 0 ? undefined : { address: table, bytes: tableBytes, writtenPages: countTrue(this.proc.mincore(table, tableBytes)) };
    const writtenPages = regions.reduce((sum, r) => sum + r.writtenPages, 0) + large.reduce((sum, b) => sum + b.writtenPages, 0) + (largeTable?.writtenPages ?? 0);
    return {
      step: target,
      steps: this.ops.length,
      op: this.cursor.opAt(target),
      regions,
      large,
      largeTable,
      liveBytes: this.cursor.liveBytes,
      writtenPages,
    };
  }

  /** One rack's regions, in the order of its list. */
  private regionsOf(rack: number, scale: 'tiny' | 'small', headerBytes: number, reader: Reader): ZoneRegion[] {
    const proc = this.proc;
    const kind = scale === 'tiny' ? TINY : SMALL;
    const deathRow = proc.load32(rack + RACK.lastFree);
    const regions: ZoneRegion[] = [];
    const seen = new Set<number>();
    for (let region = proc.load32(rack + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) {
      // A broken list must not hang the page: a region twice means it loops.
      if (seen.has(region)) throw new Error(`the ${scale} rack's list of regions comes back to ${hex(region)}: it loops`);
      seen.add(region);
      const mapping = mappingOf(kind, region);
      const tail = proc.load32(region + REGION.tail);
      if (blockAddress(kind, region, tail) > mapping + reader.regionSize) throw new Error(`${scale} region ${hex(region)}: its tail, quantum ${tail}, lies beyond the region`);
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

/** Where a second zone first parts from the reference's: a Difference, and whether its bytes could not be read. */
export interface ZoneDifference extends Difference {
  /** The reference's readers could not read its bytes (threw is true too). */
  unreadable: boolean;
}

const regionName = (region: ZoneRegion) => `${region.scale} region ${hex(region.address)}`;
const describeRegion = (region: ZoneRegion | undefined) => (region === undefined ? 'no region' : `a ${regionName(region)}${region.scale === 'tiny' ? ` (band ${region.band})` : ''}`);
const describeLarge = (block: LargeBlock | undefined) => (block === undefined ? 'no large block' : `a ${block.bytes}-byte large block at ${hex(block.address)}, ${plural(block.writtenPages, 'page')} written`);
const sameBlock = (a: ZoneBlock | undefined, b: ZoneBlock | undefined) => a?.address === b?.address && a?.bytes === b?.bytes && a?.state === b?.state;

/** The blocks around the `at`-th, as the reader sees them: `[448 B in use] [176 B death row] …`. */
function blockList(blocks: ZoneBlock[], at: number, withAddresses: boolean): string {
  if (blocks.length === 0) return 'no block';
  const from = Math.max(0, at - 1);
  const to = Math.min(blocks.length, at + 3);
  const shown = blocks.slice(from, to).map((b) => `[${b.bytes} B ${b.state}${withAddresses ? ` at ${hex(b.address)}` : ''}]`);
  return `${from > 0 ? '… ' : ''}${shown.join(' ')}${to < blocks.length ? ' …' : ''}`;
}

const writtenSaid = (region: ZoneRegion) => {
  const pages = region.pages.filter((p) => p.written).map((p) => p.index);
  const more = region.writtenPages > pages.length ? ', …' : '';
  return region.writtenPages === 0 ? 'no page written' : `${plural(region.writtenPages, 'page')} written (${pages.length === 1 && more === '' ? 'page' : 'pages'} ${pages.join(', ')}${more})`;
};

/**
 * What differs between two zones at one step, as a reader of their memory sees them, and where:
 * the index of the region or large block it lies in, as the view draws them (regions, then large
 * blocks), when it lies in one. Undefined if nothing differs.
 */
export function zonesApart(ours: ZoneState, theirs: ZoneState): { message: string; at?: number } | undefined {
  for (let i = 0; i < Math.max(ours.regions.length, theirs.regions.length); i++) {
    const a = ours.regions[i];
    const b = theirs.regions[i];
    if (a === undefined || b === undefined || a.scale !== b.scale || a.address !== b.address || a.band !== b.band) {
      return { at: i, message: `region ${i + 1}: the reference has ${describeRegion(a)}, yours has ${describeRegion(b)}.` };
    }
    const at = [...Array(Math.max(a.blocks.length, b.blocks.length)).keys()].find((j) => !sameBlock(a.blocks[j], b.blocks[j]));
    if (at !== undefined) {
      let mine = blockList(a.blocks, at, false);
      let yours = blockList(b.blocks, at, false);
      if (mine === yours) [mine, yours] = [blockList(a.blocks, at, true), blockList(b.blocks, at, true)];
      return { at: i, message: `the reference's ${regionName(a)} holds ${mine}, yours ${yours}.` };
    }
    if (writtenSaid(a) !== writtenSaid(b)) return { at: i, message: `the reference's ${regionName(a)} has ${writtenSaid(a)}, yours ${writtenSaid(b)}.` };
  }
  for (let i = 0; i < Math.max(ours.large.length, theirs.large.length); i++) {
    const a = ours.large[i];
    const b = theirs.large[i];
    if (a?.address === b?.address && a?.bytes === b?.bytes && a?.writtenPages === b?.writtenPages) continue;
    // Drawn after the regions, which are the same in both here.
    return { at: ours.regions.length + i, message: `large block ${i + 1}: the reference has ${describeLarge(a)}, yours has ${describeLarge(b)}.` };
  }
  // The rest of what the zone wrote: its large-block table, drawn in no region.
  if (ours.writtenPages !== theirs.writtenPages) return { message: `the reference's zone has ${plural(ours.writtenPages, 'page')} written in all, yours ${theirs.writtenPages}.` };
  return undefined;
}

/** What differs between two zones at one step, as a reader of their memory sees them, or undefined. */
export const zoneStateDifference = (ours: ZoneState, theirs: ZoneState): string | undefined => zonesApart(ours, theirs)?.message;

/**
 * The first step where a second zone (the student's) differs from the reference on the same
 * trace: its regions (address, scale, band), their blocks (address, bytes, state), the pages
 * written; or where it threw, or left bytes the reference's readers cannot read. Undefined if never.
 * `other` makes the second replay, so that a zone that throws as it is created is caught too.
 */
export function firstZoneDifference(reference: ZoneReplay, other: () => ZoneReplay): ZoneDifference | undefined {
  const found = firstDifferingStep(
    reference.ops,
    (step) => reference.stepTo(step),
    () => {
      const replay = other();
      return (step) => replay.stepTo(step);
    },
    zoneStateDifference,
  );
  if (found === undefined) return undefined;
  const { error, ...difference } = found;
  return { ...difference, unreadable: error instanceof UnreadableZone };
}
