// The debug views' model: runs a short program through chapter 7's debug zone on a simulated
// process and reads back what its options did to memory: a block's bytes after each step
// (MallocScribble), and a guarded block's mapping page by page, with the protection the kernel
// keeps for each page, whether it was ever written, and where the program's overrun faulted
// (MallocGuardEdges). Nothing here is drawn: render.ts draws it at build time.

import { PAGE_SIZE, PROT_NONE, Process, SegmentationFault, hex, type Mapping } from '../../machine/index.ts';
import { protString } from '../../machine/errors.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';
import { SCRIBBLE_FREED, SCRIBBLE_NEW } from '../../solutions/07-debug/scribble.ts';

/** What a byte holds, by its value: a scribble, or anything else; undefined where it cannot be read. */
export type ByteKind = 'new' | 'freed' | 'other' | 'none';

export function byteKind(value: number | undefined): ByteKind {
  if (value === undefined) return 'none';
  return value === SCRIBBLE_NEW ? 'new' : value === SCRIBBLE_FREED ? 'freed' : 'other';
}

export interface ScribbleStep {
  /** The C of the step: `free(node)`. */
  call: string;
  /** What the step does to the block, in the chapter's words. */
  does: string;
  /** The block's bytes after the step, read from the process. */
  bytes: number[];
  /** Which bytes the step changed. */
  changed: boolean[];
}

export interface ScribbleRun {
  /** The program before the steps drawn, one C statement each. */
  setup: string[];
  /** The block drawn: node's address, what the program asked for, what malloc_size says. */
  block: number;
  asked: number;
  usable: number;
  /** The int the program stores into node. */
  value: number;
  steps: ScribbleStep[];
}

/**
 * MallocScribble=1, and chapters/examples/07-scribble.ts's list node: malloc, a store, free.
 * One block more after node, `next`, whose free takes node off death row: the zone then files
 * node on a free list and writes its links over the 0x55s.
 */
export function scribbleRun(): ScribbleRun {
  const proc = new Process({ env: { MallocScribble: '1' } });
  const zone = createAllocator(proc);
  const asked = 40;
  const [valueOffset, value] = [16, 1234];
  zone.malloc(32); // keep: node is the second block, at the address chapters/examples/07-scribble.ts prints
  const node = zone.malloc(asked);
  const next = zone.malloc(32);
  const usable = zone.usableSize(node);
  let before: number[] | undefined;
  const steps: ScribbleStep[] = [];
  const step = (call: string, does: string, run: () => void) => {
    run();
    const bytes = [...proc.bytes(node, usable)];
    steps.push({ call, does, bytes, changed: bytes.map((b, i) => before !== undefined && b !== before[i]) });
    before = bytes;
  };
  const [fresh, freed] = [hex(SCRIBBLE_NEW, 2), hex(SCRIBBLE_FREED, 2)];
  step(`node = malloc(${asked})`, `malloc fills the new block with ${fresh}, to its last byte`, () => {});
  step(`node->value = ${value}`, `the program stores one int, at node + ${valueOffset}`, () => proc.store32(node + valueOffset, value));
  step('free(node)', `free fills the block with ${freed} before the zone takes it back; it waits on death row`, () => zone.free(node));
  step('free(next)', `node leaves death row for a free list: the zone writes its links and its size over the first ${freed}s, and its size again over its last two bytes`, () => zone.free(next));
  return { setup: ['keep = malloc(32)', `node = malloc(${asked})`, 'next = malloc(32)'], block: node, asked, usable, value, steps };
}

export interface GuardPage {
  address: number;
  /** As /proc/self/maps prints it: `---p`, `rw-p`. */
  prot: string;
  /** A PROT_NONE page: any access to it faults. */
  guard: boolean;
  /** Its number in the block, from 0; -1 for a guard page. */
  index: number;
  /** Written at least once (mincore). */
  resident: boolean;
}

export interface GuardRun {
  /** The program, one C statement a line. */
  program: string[];
  block: number;
  asked: number;
  usable: number;
  /** The guarded block's pages and the mappings right before and after it, in address order. */
  pages: GuardPage[];
  /** Ints the program wrote past the bytes it asked for, inside the block: no fault. */
  slackInts: number;
  /** The access that faulted: its address and the first line of the fault's message. */
  fault?: { address: number; message: string };
  /** The bytes on each side of the block's end, undefined where a read faults (the guard page). */
  edge: { address: number; values: (number | undefined)[] };
}

/**
 * MallocGuardEdges=1, and chapters/examples/07-guard-edges.ts: a table of 10,000 ints, and a
 * loop with a `<=` that fills the block's whole usable size and one int more.
 */
export function guardEdgesRun(edgeBytes = 8): GuardRun {
  const proc = new Process({ env: { MallocGuardEdges: '1' } });
  const zone = createAllocator(proc);
  const ints = 10_000;
  const asked = ints * 4;
  const block = zone.malloc(asked);
  const usable = zone.usableSize(block);
  const last = usable / 4; // the loop runs to i <= last: one int past the block
  const fresh = proc.bytes(block, usable);
  let fault: GuardRun['fault'];
  try {
    for (let i = 0; i <= last; i++) proc.store32(block + 4 * i, i);
  } catch (error) {
    if (!(error instanceof SegmentationFault)) throw error;
    fault = { address: error.address, message: error.message.split('\n')[0] };
  }
  const written = proc.bytes(block, usable);
  let slackInts = 0;
  for (let at = asked; at + 4 <= usable; at += 4) {
    if (written.subarray(at, at + 4).some((b, i) => b !== fresh[at + i])) slackInts++;
  }
  const edge = { address: block + usable - edgeBytes, values: [] as (number | undefined)[] };
  for (let i = 0; i < 2 * edgeBytes; i++) edge.values.push(proc.peek8(edge.address + i));
  return {
    program: [`table = malloc(${asked})`, `for (i = 0; i <= ${last}; i++) table[i] = i;`],
    block,
    asked,
    usable,
    pages: pagesAround(proc, block, usable),
    slackInts,
    fault,
    edge,
  };
}

/** The pages of the mapping that holds [block, block + bytes), and of the mappings that touch it on either side. */
function pagesAround(proc: Process, block: number, bytes: number): GuardPage[] {
  const mappings = proc.mappingList();
  const at = mappings.findIndex((m) => m.start <= block && block + bytes <= m.end);
  if (at === -1) throw new Error(`no mapping holds the block ${hex(block)}`);
  const shown: Mapping[] = [mappings[at]];
  if (mappings[at - 1]?.end === mappings[at].start) shown.unshift(mappings[at - 1]);
  if (mappings[at + 1]?.start === mappings[at].end) shown.push(mappings[at + 1]);
  const start = shown[0].start;
  const resident = proc.mincore(start, shown[shown.length - 1].end - start);
  return shown.flatMap((m) => {
    const pages: GuardPage[] = [];
    for (let address = m.start; address < m.end; address += PAGE_SIZE) {
      const inBlock = address >= block && address < block + bytes;
      pages.push({ address, prot: protString(m.prot), guard: m.prot === PROT_NONE, index: inBlock ? (address - block) / PAGE_SIZE : -1, resident: resident[(address - start) / PAGE_SIZE] });
    }
    return pages;
  });
}
