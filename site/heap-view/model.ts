// The heap view's model: replays a trace through a real allocator of solutions/ on a simulated
// process and reads every block back from the heap's bytes, with the allocator's own walker.
// No DOM here: the build draws the static picture with it, the page's script the live one.

import { hex, type Allocator, type Process } from '../../machine/index.ts';
import { BlockMeta, META_SIZE, createAllocator as freeList } from '../../solutions/02-free-list/free-list.ts';
import { walkHeap } from '../../solutions/02-free-list/walk.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { GLOBALS, HEADER_SIZE, Header, createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { TraceCursor, firstDifferingStep, type Difference, type HeapOp } from './trace-cursor.ts';

export { formatOp, type Difference, type HeapOp } from './trace-cursor.ts';

export interface ViewBlock {
  /** The first byte of the block: its header. */
  start: number;
  /** One past its last byte. */
  end: number;
  headerBytes: number;
  free: boolean;
  /** What the program asked for (a live block only): the rest of the payload is padding. */
  requested?: number;
  /** The header's fields, as the bytes hold them. */
  fields: { name: string; value: string }[];
}

export interface HeapState {
  step: number;
  steps: number;
  /** The operation just done: `p3 = malloc(114)`. */
  op: string;
  heapStart: number;
  heapEnd: number;
  blocks: ViewBlock[];
  liveBytes: number;
  freeBytes: number;
  largestFree: number;
}

interface HeapKind {
  label: string;
  create(proc: Process): Allocator;
  blocks(proc: Process): ViewBlock[];
}

const fieldsOf = (struct: typeof Header | typeof BlockMeta, proc: Process, at: number) =>
  struct.fields.map(({ name }) => {
    const value = struct.read(proc, at, name as never);
    return { name, value: name === 'magic' || name === 'next' ? hex(value) : String(value) };
  });

function coalescingBlocks(proc: Process): ViewBlock[] {
  const report = checkHeap(proc);
  // A walk the checker stopped short of the epilogue read only part of the heap: no picture of that.
  const last = report.blocks.at(-1);
  const reached = last === undefined ? proc.load64(proc.static(GLOBALS.heapStart, 8)) : last.header + last.size;
  if (report.problem !== '' && reached !== proc.load64(proc.static(GLOBALS.epilogue, 8))) throw new Error(report.problem);
  return report.blocks.map((b) => ({ start: b.header, end: b.header + b.size, headerBytes: HEADER_SIZE, free: b.free, fields: fieldsOf(Header, proc, b.header) }));
}

export const HEAP_KINDS: Record<string, HeapKind> = {
  'free-list': {
    label: 'free list (chapter 2)',
    create: (proc) => freeList(proc),
    blocks: (proc) => walkHeap(proc).map((b) => ({ start: b.header, end: b.payload + b.size, headerBytes: META_SIZE, free: b.free, fields: fieldsOf(BlockMeta, proc, b.header) })),
  },
  coalescing: { label: 'splitting and coalescing (chapter 3)', create: (proc) => coalescing(proc), blocks: coalescingBlocks },
  realloc: { label: 'realloc in place (chapter 4)', create: (proc) => realloc(proc), blocks: coalescingBlocks },
};

/** The reference's walker could not make sense of a heap's bytes: its headers are not the layout it reads. */
export class UnreadableHeap extends Error {
  override name = 'UnreadableHeap';
}

/** A trace replayed step by step; going back replays from the start (the heap has no undo). */
export class HeapReplay {
  private readonly cursor: TraceCursor<Allocator>;

  /**
   * `create` replaces the reference allocator of `kind` (the student's own, in `npm start`);
   * its heap is still read with the reference's walker, which is what the two are compared by.
   */
  constructor(
    readonly kind: string,
    readonly ops: HeapOp[],
    create: (proc: Process) => Allocator = (proc) => HEAP_KINDS[kind].create(proc),
  ) {
    if (HEAP_KINDS[kind] === undefined) throw new Error(`The heap view knows no allocator '${kind}' (it knows ${Object.keys(HEAP_KINDS).join(', ')})`);
    this.cursor = new TraceCursor(ops, create, { process: { heapLimit: 1 << 24 } });
  }

  /** The heap after the first `step` operations; what the allocator throws is thrown, what the walker cannot read is an UnreadableHeap. */
  stepTo(step: number): HeapState {
    const target = this.cursor.moveTo(step);
    const proc = this.cursor.proc;
    let blocks: ViewBlock[];
    try {
      blocks = proc.currentBreak > proc.heapStart ? HEAP_KINDS[this.kind].blocks(proc) : [];
    } catch (error) {
      throw new UnreadableHeap(error instanceof Error ? error.message : String(error));
    }
    for (const block of blocks) if (!block.free) block.requested = this.cursor.requested.get(block.start + block.headerBytes);
    const free = blocks.filter((b) => b.free).map((b) => b.end - b.start);
    return {
      step: target,
      steps: this.ops.length,
      op: this.cursor.opAt(target),
      heapStart: proc.heapStart,
      heapEnd: proc.currentBreak,
      blocks,
      liveBytes: this.cursor.liveBytes,
      freeBytes: free.reduce((a, b) => a + b, 0),
      largestFree: Math.max(0, ...free),
    };
  }
}

const describeBlock = (block: ViewBlock | undefined) =>
  block === undefined ? 'no block' : `a ${block.end - block.start}-byte ${block.free ? 'free' : 'used'} block at ${hex(block.start)}`;

/** The index of the first block where two heaps' lists differ (address, size, used or free), or undefined. */
export function differingBlock(ours: ViewBlock[], theirs: ViewBlock[]): number | undefined {
  for (let i = 0; i < Math.max(theirs.length, ours.length); i++) {
    const a = ours[i];
    const b = theirs[i];
    if (a?.start !== b?.start || a?.end !== b?.end || a?.free !== b?.free) return i;
  }
  return undefined;
}

/** Where a second heap first parts from the reference's. */
export interface HeapDifference extends Difference {
  /** The reference's walker could not read its bytes (threw is true too). */
  unreadable?: true;
}

/** The first step where the block lists differ, or where the second allocator threw or left a heap the walker cannot read; undefined if never. */
export function firstDifference(reference: HeapReplay, other: () => HeapReplay): HeapDifference | undefined {
  const found = firstDifferingStep(
    reference.ops,
    (step) => reference.stepTo(step).blocks,
    () => {
      const replay = other();
      return (step) => replay.stepTo(step).blocks;
    },
    (ours, theirs) => {
      const i = differingBlock(ours, theirs);
      return i === undefined ? undefined : `block ${i + 1}: the reference has ${describeBlock(ours[i])}, yours has ${describeBlock(theirs[i])}.`;
    },
  );
  if (found === undefined) return undefined;
  const { error, ...difference } = found;
  return error instanceof UnreadableHeap ? { ...difference, unreadable: true } : difference;
}

/** The step where the heap has the most blocks: the most to look at. */
export function busiestStep(replay: HeapReplay): number {
  let best = 0;
  let most = -1;
  for (let step = 0; step <= replay.ops.length; step++) {
    const count = replay.stepTo(step).blocks.length;
    if (count > most) [best, most] = [step, count];
  }
  return best;
}

const percent = (part: number, whole: number) => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`);
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One sentence for screen readers and the caption. */
export function describeState(state: HeapState): string {
  const used = state.blocks.filter((b) => !b.free).length;
  return `Step ${state.step} of ${state.steps}: ${state.op}. ${state.blocks.length} block${state.blocks.length === 1 ? '' : 's'}, ${used} in use, ${state.blocks.length - used} free.`;
}

/** The heap drawn to scale as HTML: the same markup for the static picture and the live view. */
export function renderHeap(state: HeapState): string {
  const span = state.heapEnd - state.heapStart;
  const width = (bytes: number) => `${((100 * bytes) / span).toFixed(3)}%`;
  let html = '';
  let at = state.heapStart;
  const gap = (to: number) => {
    if (to > at) html += `<span class="hv-gap" style="width:${width(to - at)}" title="${to - at} bytes the allocator keeps for itself"></span>`;
  };
  state.blocks.forEach((block, i) => {
    gap(block.start);
    const size = block.end - block.start;
    const payload = size - block.headerBytes;
    const requested = block.requested ?? payload;
    const what = block.free ? 'free' : 'in use';
    const fields = block.fields.map((f) => `${f.name} = ${f.value}`).join(', ');
    const label = `Block ${i + 1} at ${hex(block.start)}, ${size} bytes, ${what}${block.free ? '' : `, ${requested} bytes asked for`}. Header: ${fields}.`;
    // A block in the right half of the heap hangs its tip leftwards, so the tip stays on the screen.
    const late = 2 * (block.start - state.heapStart) > span ? ' hv-late' : '';
    html += `<span class="hv-block ${block.free ? 'hv-free' : 'hv-used'}${late}" style="width:${width(size)}" tabindex="0" role="listitem" aria-label="${escape(label)}">`;
    html += `<span class="hv-header" style="width:${percent(block.headerBytes, size)}"></span>`;
    if (block.free) html += `<span class="hv-body" style="width:${percent(payload, size)}"></span>`;
    else {
      html += `<span class="hv-payload" style="width:${percent(requested, size)}"></span>`;
      if (payload > requested) html += `<span class="hv-padding" style="width:${percent(payload - requested, size)}"></span>`;
    }
    html += `<span class="hv-tip" aria-hidden="true"><strong>${hex(block.start)}</strong> · ${size} bytes · ${what}<br>${block.fields.map((f) => `${escape(f.name)} = ${escape(f.value)}`).join('<br>')}${block.free ? '' : `<br>asked for ${requested}, padding ${payload - requested}`}</span></span>`;
    at = block.end;
  });
  gap(state.heapEnd);
  const utilization = percent(state.liveBytes, span);
  const fragmentation = state.freeBytes === 0 ? '0%' : percent(state.freeBytes - state.largestFree, state.freeBytes);
  return `<div class="hv-bar" role="list" aria-label="The heap from ${hex(state.heapStart)} to ${hex(state.heapEnd)}, drawn to scale" data-blocks="${state.blocks.length}">${html}</div>
<dl class="hv-stats"><div><dt>heap</dt><dd>${span} bytes</dd></div><div><dt>blocks</dt><dd class="hv-count">${state.blocks.length}</dd></div><div><dt>utilization</dt><dd>${utilization}</dd></div><div><dt>free</dt><dd>${state.freeBytes} bytes</dd></div><div><dt>fragmentation</dt><dd>${fragmentation}</dd></div></dl>
<p class="hv-caption">${escape(describeState(state))}</p>`;
}
