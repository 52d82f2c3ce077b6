// The trace driver, after CS:APP's mdriver: replays a trace through an allocator in a
// fresh process and checks every result. Each payload is filled with a pattern of its
// own (it depends on the trace id and the byte's offset), so a block that is handed out
// twice, a header written over a neighbour, or a realloc that loses bytes shows up as
// the wrong byte at a known address.
//
// Two passes: the checked pass (correctness, utilization, virtual and resident size),
// then, if it passed, bare replays without any checking, which time the allocator alone
// (ops/s) and count its memory operations alone (the driver's own loads and stores for
// filling and verifying are never counted).

import { relative, resolve } from 'node:path';
import {
  ENOMEM,
  LAYOUT,
  Process,
  formatBytes,
  hex,
  type Allocator,
  type CreateAllocator,
  type ProcessOptions,
} from '../../machine/index.ts';
import { median, timedSeconds, type TimingOptions } from '../bench/timing.ts';
import { ROOT, shownPath } from '../paths.ts';
import { cleanMessage } from '../run-tests.ts';
import { LiveBlocks, type LiveBlock } from './live-blocks.ts';
import { formatOp, type Trace, type TraceOp } from './rep.ts';
import { TimelineRecorder, type Timeline } from './timeline.ts';

export const ALIGNMENT = 16;

/** How many times along a replay the driver calls an allocator's own check(), at most (and after the last operation). */
const HEAP_CHECKS = 512;

/** Every how many operations of a trace of `ops` the driver calls check(): each one's on a short trace. */
export function heapCheckInterval(ops: number): number {
  return Math.max(1, Math.ceil(ops / HEAP_CHECKS));
}

/**
 * The process a trace runs in, unless told otherwise: 256 MiB of heap and 256 MiB of
 * mmap, like mdriver's fixed-size memlib heap. The traces need tens of MiB at most; an
 * allocator that never reuses memory runs out (a failed run) instead of filling the host.
 */
export const TRACE_PROCESS: ProcessOptions = { heapLimit: 256 * 1024 * 1024, mmapLimit: 256 * 1024 * 1024 };

/**
 * How a replay times its trace unless told otherwise: as `npm run bench` does (the median of
 * several runs), in a smaller budget, so that `npm run trace` on the shipped traces stays a
 * matter of seconds. The bare replay that counts memory operations is the only warm-up: more
 * cost time without moving a comparison of zones against itself off ≈.
 */
export const TRACE_TIMING: TimingOptions = { warmups: 0, warmupMilliseconds: 0, minRuns: 5, maxRuns: 9, budgetMilliseconds: 60 };

export interface OpsPerSecondRange {
  slowest: number;
  fastest: number;
}

/** The checks the driver makes, one name per kind of mistake. */
export type CheckName =
  | 'exception' // the allocator threw (HeapCorruption, SegmentationFault, TypeError, …)
  | 'null' // NULL without ENOMEM
  | 'out-of-memory' // NULL with ENOMEM: the run cannot go on
  | 'too-large' // NULL with ENOMEM for one request the process could never hold: the trace's doing
  | 'alignment' // not a multiple of 16
  | 'outside-heap' // not inside the heap or a mapping made by mmap
  | 'overlap' // shares bytes with a live block
  | 'payload' // a live block's bytes changed
  | 'realloc-bytes' // realloc did not keep the first min(old, new) bytes
  | 'heap-check'; // the allocator's own check() found its heap broken

export interface TraceFailure {
  check: CheckName;
  /** The operation's index in the trace; `ops.length` for the final check after the last one. */
  opIndex: number;
  /** The operation, undefined for the final check. */
  op: TraceOp | undefined;
  /** Its line in the .rep file, when known. */
  line: number | undefined;
  /** The C call the driver made: `malloc(4072)`, `free(0x01000010)`. */
  call: string | undefined;
  /** What went wrong, for the student. */
  message: string;
  /** The address the failure is about, when there is one. */
  address: number | undefined;
  /** The bytes around that address, from the process as the failure left it. */
  hexdump: string | undefined;
  /** For an exception: its class name (`HeapCorruption`). */
  errorName: string | undefined;
  /**
   * For an exception: the lines of the allocator's own code it left through, innermost
   * first, at most two (`03-coalescing/coalescing.ts:117`), in `folder` (`exercises`), as
   * the message names them: `at exercises/03-coalescing/coalescing.ts:117`.
   */
  source?: { folder: string; frames: string[] };
}

export interface TraceResult {
  trace: string;
  ops: number;
  /** Each check made: a result's alignment, range, overlap, each payload verified… */
  checksPassed: number;
  failure: TraceFailure | undefined;
  /** Peak live payload: the most bytes the trace had allocated at once. */
  peakPayload: number;
  /**
   * Peak heap footprint, sampled after every operation: break − heap start, plus the mmap'd
   * pages written at least once. An untouched page of a region costs address space only, so
   * a zone's 8 MiB region holding a few blocks is not charged 8 MiB.
   */
  peakFootprint: number;
  /** peakPayload / peakFootprint, the CS:APP definition; between 0 and 1. */
  utilization: number;
  /** The most virtual memory the process had mapped (VmPeak). */
  peakVirtualBytes: number;
  /** The most memory the process had resident (VmHWM). */
  peakResidentBytes: number;
  /** Trace operations per second of wall-clock time, the median of the timed runs after a warm-up; undefined if not timed. */
  opsPerSecond: number | undefined;
  /**
   * The slowest and the fastest of the timed runs, every one of them, in ops/s: how far the
   * figure moves from run to run. A comparison claims no ratio inside it.
   */
  opsPerSecondRange?: OpsPerSecondRange;
  /** Loads and stores (and bulk operations) the allocator made, per call; undefined if not measured. */
  memoryOpsPerCall: number | undefined;
  /** Bytes the allocator set, copied or compared (memset, memcpy, …), per call; undefined if not measured. */
  bytesMovedPerCall: number | undefined;
  /** Syscalls the allocator made over the whole trace. */
  syscalls: Record<string, number>;
  /** Payload and footprint along the checked pass, when ReplayOptions.timeline asked for them. */
  timeline?: Timeline;
}

export interface ReplayOptions {
  /** How the fresh process is made (limits); default TRACE_PROCESS. */
  process?: ProcessOptions;
  /** Passed to createAllocator. */
  allocatorOptions?: object;
  /** Time bare replays after a passing check: false to skip, or how (over TRACE_TIMING). */
  timing?: false | TimingOptions;
  /** Called every few thousand operations of the checked pass. */
  onProgress?: (done: number, total: number) => void;
  /** Called before each operation of the checked pass (-1: before createAllocator) and every 1024th of the timed ones: a watchdog's sign of life. */
  onStep?: (opIndex: number) => void;
  /**
   * Call the allocator's own check() (if it has one) after every this many operations, and after
   * the last; by default heapCheckInterval(the trace's length). The shrinker keeps the original
   * trace's, so that a shorter trace does not fail a check before the failure being shrunk.
   */
  heapCheckEvery?: number;
  /** Record payload and footprint along the checked pass (TraceResult.timeline): true, or how many points at most. */
  timeline?: true | number;
  /**
   * The folder of the allocator's own files (a target's chapter folders): an exception is
   * traced to its first line in there. By default the workbook's, where exercises/ and
   * solutions/ are the allocator's code and machine/ and workbook/ are not.
   */
  sourceFolder?: string;
}

/** Replays `trace` through a new allocator, checks it, and (if it passed) times it. */
export function replay(trace: Trace, create: CreateAllocator, options: ReplayOptions = {}): TraceResult {
  const checked = new CheckedReplay(trace, create, options);
  const result = checked.run();
  if (result.failure === undefined) {
    const timing = options.timing ?? {};
    const bare = timeBareReplays(trace, create, options, timing === false ? false : { ...TRACE_TIMING, ...timing });
    result.memoryOpsPerCall = bare.memoryOpsPerCall;
    result.bytesMovedPerCall = bare.bytesMovedPerCall;
    result.opsPerSecond = bare.opsPerSecond;
    if (bare.opsPerSecondRange !== undefined) result.opsPerSecondRange = bare.opsPerSecondRange;
  }
  return result;
}

/** Only the checked pass: whether and how the trace fails. What the shrinker replays. */
export function replayChecked(trace: Trace, create: CreateAllocator, options: ReplayOptions = {}): TraceResult {
  return new CheckedReplay(trace, create, options).run();
}

// ------------------------------------------------------------------ the payload pattern

/** The 32-bit word at word offset `k` of the payload of trace id `id`. */
function patternWord(id: number, k: number): number {
  let h = Math.imul(id + 0x3c6ef372, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** The byte at `offset` of the payload of trace id `id`. */
export function patternByte(id: number, offset: number): number {
  return (patternWord(id, offset >>> 2) >>> ((offset & 3) * 8)) & 0xff;
}

/** Writes id's pattern over [from, to) of the payload at `start` (a multiple of 16). */
function fill(proc: Process, start: number, id: number, from: number, to: number): void {
  let offset = from;
  for (; offset < to && (offset & 3) !== 0; offset++) proc.store8(start + offset, patternByte(id, offset));
  for (; offset + 4 <= to; offset += 4) proc.store32(start + offset, patternWord(id, offset >>> 2));
  for (; offset < to; offset++) proc.store8(start + offset, patternByte(id, offset));
}

/** The first offset in [from, to) where the payload at `start` is not id's pattern, or -1. */
function firstDifference(proc: Process, start: number, id: number, from: number, to: number): number {
  let offset = from;
  for (; offset < to && (offset & 3) !== 0; offset++) if (proc.load8(start + offset) !== patternByte(id, offset)) return offset;
  for (; offset + 4 <= to; offset += 4) {
    if (proc.load32(start + offset) !== patternWord(id, offset >>> 2)) {
      for (let b = offset; ; b++) if (proc.load8(start + b) !== patternByte(id, b)) return b;
    }
  }
  for (; offset < to; offset++) if (proc.load8(start + offset) !== patternByte(id, offset)) return offset;
  return -1;
}

// ------------------------------------------------------------------ the checked pass

/** A live block as the driver knows it: where it is, and which operation made it. */
interface Held extends LiveBlock {
  /** The bytes the trace asked for (end − start may be 1 for a 0-byte block). */
  bytes: number;
  /** The operation that last allocated or reallocated it. */
  opIndex: number;
}

/** Thrown inside the checked pass to stop at the first failed check. */
class CheckFailed extends Error {
  constructor(readonly failure: TraceFailure) {
    super(failure.message);
  }
}

class CheckedReplay {
  private readonly proc: Process;
  private allocator: Allocator | undefined;
  private readonly live = new LiveBlocks();
  /** By trace id: the live block, NULL (a realloc to 0 bytes gave it back), or undefined. */
  private readonly held = new Map<number, Held | null>();
  private checks = 0;
  private payload = 0;
  private peakPayload = 0;
  private peakFootprint = 0;
  private peakVirtual = 0;
  private peakResident = 0;
  private opIndex = 0;
  private call: string | undefined;
  private readonly timeline: TimelineRecorder | undefined;

  constructor(
    private readonly trace: Trace,
    private readonly create: CreateAllocator,
    private readonly options: ReplayOptions,
  ) {
    this.proc = new Process(options.process ?? TRACE_PROCESS);
    const { timeline } = options;
    if (timeline !== undefined) this.timeline = new TimelineRecorder(trace.ops.length, timeline === true ? undefined : timeline);
  }

  run(): TraceResult {
    const { ops } = this.trace;
    let failure: TraceFailure | undefined;
    try {
      this.options.onStep?.(-1);
      this.allocator = this.callAllocator('createAllocator(proc)', () => this.create(this.proc, this.options.allocatorOptions));
      this.sample();
      // The allocator's own heap check, if it has one: often enough to catch broken metadata
      // near where it broke (after every operation of a trace the shrinker has made short),
      // seldom enough to cost no more than the replay itself on a long trace.
      const checkEvery = this.options.heapCheckEvery ?? heapCheckInterval(ops.length);
      for (this.opIndex = 0; this.opIndex < ops.length; this.opIndex++) {
        this.options.onStep?.(this.opIndex);
        this.step(ops[this.opIndex]);
        this.sample();
        if ((this.opIndex + 1) % checkEvery === 0) this.checkHeap();
        if (this.options.onProgress !== undefined && (this.opIndex + 1) % 2048 === 0) this.options.onProgress(this.opIndex + 1, ops.length);
      }
      const lastCall = this.call;
      this.call = undefined;
      for (const block of this.live) this.verify(block as Held, 'after the last operation');
      if (ops.length % checkEvery !== 0) {
        [this.opIndex, this.call] = [ops.length - 1, lastCall];
        this.checkHeap();
        [this.opIndex, this.call] = [ops.length, undefined];
      }
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      failure = error.failure;
    }
    this.options.onProgress?.(failure?.opIndex ?? ops.length, ops.length);
    const stats = this.proc.stats();
    return {
      trace: this.trace.name,
      ops: ops.length,
      checksPassed: this.checks,
      failure,
      peakPayload: this.peakPayload,
      peakFootprint: this.peakFootprint,
      utilization: this.peakFootprint === 0 ? (this.peakPayload === 0 ? 1 : 0) : this.peakPayload / this.peakFootprint,
      peakVirtualBytes: this.peakVirtual,
      peakResidentBytes: this.peakResident,
      opsPerSecond: undefined,
      memoryOpsPerCall: undefined,
      bytesMovedPerCall: undefined,
      syscalls: { ...stats.syscalls },
      ...(this.timeline === undefined ? {} : { timeline: this.timeline.recorded }),
    };
  }

  private step(op: TraceOp): void {
    const allocator = this.allocator as Allocator;
    if (op.kind === 'a') {
      const ptr = this.callAllocator(`malloc(${op.bytes})`, () => allocator.malloc(op.bytes));
      this.requireNonNull(ptr, op.bytes, 0);
      this.place(op.id, ptr, op.bytes);
      fill(this.proc, ptr, op.id, 0, op.bytes);
      this.payload += op.bytes;
      this.peakPayload = Math.max(this.peakPayload, this.payload);
      return;
    }
    const block = this.held.get(op.id);
    if (block === undefined) throw new TypeError(`${formatOp(op)}: id ${op.id} is not live (the trace is not well-formed; parse it with parseRep)`);
    const ptr = block === null ? 0 : block.start;
    const bytes = block === null ? 0 : block.bytes;
    const call = op.kind === 'f' ? `free(${hex(ptr)})` : `realloc(${hex(ptr)}, ${op.bytes})`;
    this.call = call;
    if (block !== null) this.verify(block, `before ${call}`);
    if (op.kind === 'f') {
      this.callAllocator(call, () => allocator.free(ptr));
      this.forget(block);
      this.held.delete(op.id);
      this.checkNeighboursOfFreed(ptr, ptr + bytes);
      return;
    }
    const moved = this.callAllocator(call, () => allocator.realloc(ptr, op.bytes));
    this.forget(block);
    if (op.bytes === 0 && moved === 0) {
      this.held.set(op.id, null); // realloc(p, 0) freed the block, as C allows
      this.checkNeighboursOfFreed(ptr, ptr + bytes);
      return;
    }
    this.requireNonNull(moved, op.bytes, bytes);
    this.place(op.id, moved, op.bytes);
    const kept = Math.min(bytes, op.bytes);
    this.checks++;
    const wrong = firstDifference(this.proc, moved, op.id, 0, kept);
    if (wrong !== -1) {
      const where = moved === ptr ? 'kept the block in place' : `moved the block from ${hex(ptr)} to ${hex(moved)}`;
      this.fail(
        'realloc-bytes',
        `${call} ${where}, but ${this.byteReport(op.id, moved, wrong)}: realloc must keep the first min(${bytes}, ${op.bytes}) = ${kept} bytes of the old block.`,
        moved + wrong,
        this.markRun({ start: moved, end: moved + kept, id: op.id, bytes: kept, opIndex: this.opIndex }, wrong),
      );
    }
    fill(this.proc, moved, op.id, kept, op.bytes);
    this.payload += op.bytes;
    this.peakPayload = Math.max(this.peakPayload, this.payload);
    // The old block's neighbours last: the new block may be one of them, and is now filled.
    if (block !== null && moved !== ptr) this.checkNeighbours(ptr, ptr + bytes, `which moved the block ${range(ptr, ptr + bytes)} next to it to ${hex(moved)}`);
  }

  /** Calls the allocator, turning anything it throws into a failed check. */
  private callAllocator<T>(call: string, fn: () => T): T {
    this.call = call;
    this.proc.errno = 0; // so that errno tells what this call did
    try {
      return fn();
    } catch (error) {
      const name = error instanceof Error ? error.name : typeof error;
      const text = error instanceof Error ? error.message : String(error);
      const address = error !== null && typeof error === 'object' && 'address' in error && typeof error.address === 'number' ? error.address : undefined;
      const source = sourceOf(error, this.options.sourceFolder ?? ROOT);
      const at = atLines(source);
      const failure = this.failure('exception', `${call} threw ${name}: ${text}${at}`, address, address === undefined ? undefined : { from: address, to: address + 1 });
      failure.errorName = name;
      if (source !== undefined) failure.source = source;
      throw new CheckFailed(failure);
    }
  }

  /** Calls the allocator's check(), if it has one, after operation opIndex; fails with what it found. */
  private checkHeap(): void {
    const allocator = this.allocator as Allocator;
    if (typeof allocator.check !== 'function') return;
    const after = this.call ?? formatOp(this.trace.ops[this.opIndex]); // the C call just made, when there is one
    const problem = this.callAllocator(`check() after ${after}`, () => (allocator.check as () => string)());
    this.checks++;
    if (problem === '') return;
    // The problem last: a check's finding may end in a hex dump.
    this.fail('heap-check', `check() after ${after} found the allocator's heap broken, though no payload check has failed so far (the calls that follow would build on it): ${problem}`);
  }

  /** `held`: the bytes of the block being reallocated, which are still the program's when realloc fails. */
  private requireNonNull(ptr: number, bytes: number, held: number): void {
    this.checks++;
    if (ptr !== 0) return;
    if (this.proc.errno === ENOMEM) {
      const tooLarge = this.tooLarge(bytes);
      if (tooLarge !== undefined) {
        this.fail('too-large', `${this.call} returned NULL with errno = ENOMEM, as it must: ${tooLarge}. No allocator can return such a block: make the request in the trace smaller.`);
      }
      const stats = this.proc.stats();
      this.fail(
        'out-of-memory',
        `${this.call} returned NULL with errno = ENOMEM: the allocator ran out of memory with ${formatBytes(stats.heapBytes)} of heap and ${formatBytes(stats.mappedBytes)} mapped, ` +
          `while the trace had only ${formatBytes(this.payload + held)} live and asked for ${formatBytes(bytes)}${held === 0 ? '' : ` (the block had ${formatBytes(held)})`}. ` +
          `A replay cannot go on without the block; an allocator that reuses freed memory needs far less.`,
      );
    }
    this.fail('null', `${this.call} returned NULL, but errno is ${this.proc.errno}, not ENOMEM (${ENOMEM}): malloc returns NULL only when memory runs out, and then sets errno = ENOMEM.`);
  }

  /**
   * Why `bytes` in one block is more than the process can ever hold, or undefined if it is
   * not: a block lies in the heap or in one mapping, and neither can grow past its limit
   * (ProcessOptions) or the address space (LAYOUT).
   */
  private tooLarge(bytes: number): string | undefined {
    const userSpace = LAYOUT.userSpaceEnd;
    if (bytes >= userSpace) return `${formatBytes(bytes)} in one block is more than the machine's whole user address space, ${formatBytes(userSpace)} (addresses below ${hex(userSpace)})`;
    const { heapLimit, mmapLimit } = this.options.process ?? TRACE_PROCESS;
    // Unset limits are bounded by the layout alone: the heap by the mmap area above it, mappings by the heap's reserve below them.
    const heap = Math.min(heapLimit ?? Infinity, LAYOUT.mmapBase - LAYOUT.heapStart);
    const mapped = Math.min(mmapLimit ?? Infinity, LAYOUT.mmapBase - LAYOUT.heapStart - (heapLimit ?? 0));
    if (bytes <= Math.max(heap, mapped)) return undefined;
    return `${formatBytes(bytes)} in one block is more than this process can hold anywhere: its heap may grow to ${formatBytes(heap)}, and mmap may map ${formatBytes(mapped)} in all`;
  }

  /** Checks a result's alignment, place and overlap, then records it as id's live block. */
  private place(id: number, ptr: number, bytes: number): void {
    const proc = this.proc;
    const end = ptr + Math.max(bytes, 1);
    this.checks++;
    if (!Number.isSafeInteger(ptr) || ptr < 0) {
      const what = typeof ptr === 'number' && ptr < 0 ? `${ptr}, which is not an address (sbrk and mmap return -1 when they fail; malloc returns NULL)` : `${String(ptr)}, which is not an address`;
      this.fail('alignment', `${this.call} returned ${what}.`);
    }
    if (ptr % ALIGNMENT !== 0) {
      this.fail('alignment', `${this.call} returned ${hex(ptr)}, which is ${ptr % ALIGNMENT} bytes past a multiple of ${ALIGNMENT}: every payload must be ${ALIGNMENT}-byte aligned.`, ptr, { from: ptr, to: end });
    }
    this.checks++;
    if (!this.insideHeapOrMapping(ptr, end)) {
      const heap = proc.currentBreak === proc.heapStart ? 'the heap is empty' : `the heap is ${hex(proc.heapStart)}-${hex(proc.currentBreak)}`;
      this.fail(
        'outside-heap',
        `${this.call} returned ${hex(ptr)}, but its ${bytes} bytes [${hex(ptr)}, ${hex(end)}) are not all inside the heap or inside one mapping made by mmap (${heap}). ` +
          `A payload must lie below the break (sbrk(0)) or in memory the allocator mapped.`,
        ptr,
        { from: ptr, to: end },
      );
    }
    this.checks++;
    const other = this.live.overlapping(ptr, end) as Held | undefined;
    if (other !== undefined) {
      const from = Math.min(ptr, other.start);
      this.fail(
        'overlap',
        `${this.call} returned ${hex(ptr)}, whose ${bytes} bytes [${hex(ptr)}, ${hex(end)}) overlap block ${other.id} [${hex(other.start)}, ${hex(other.end)}), ` +
          `${this.describeOrigin(other)}, which is still live. A block is handed out twice, or its size was not counted.`,
        ptr,
        { from: Math.max(ptr, other.start), to: Math.min(end, other.end) },
        from,
      );
    }
    const block: Held = { start: ptr, end, id, bytes, opIndex: this.opIndex };
    this.live.add(block);
    this.held.set(id, block);
    this.checkNeighbours(ptr, end, `returned ${hex(ptr)}, the block ${range(ptr, end)} next to it`);
  }

  private insideHeapOrMapping(start: number, end: number): boolean {
    const proc = this.proc;
    if (start >= proc.heapStart && end <= proc.currentBreak) return true;
    // Mappings made by mmap are anonymous or named [anon:…]; the program's text and data and the stack are not.
    return proc.mappingList().some((m) => (m.name === '' || m.name.startsWith('[anon:')) && (m.prot & 3) === 3 && start >= m.start && end <= m.end);
  }

  /** Gives back id's block: no longer live, its payload no longer counted. */
  private forget(block: Held | null): void {
    if (block === null) return;
    this.live.remove(block.start);
    this.payload -= block.bytes;
  }

  /**
   * Checks the first and last bytes of the live blocks on either side of [start, end):
   * where an allocator writes headers and footers, so a misplaced one is caught by the
   * operation that wrote it rather than when the block is finally freed. `what` says what
   * the call did to [start, end): `returned 0x01000010, the block [0x01000010, 0x01000024) next to it`.
   */
  private checkNeighbours(start: number, end: number, what: string): void {
    const below = this.live.before(start) as Held | undefined;
    const above = this.live.atOrAfter(end) as Held | undefined;
    const why = `after ${this.call} ${what}`;
    if (below !== undefined) this.verify(below, why, 16);
    if (above !== undefined && above !== below) this.verify(above, why, 16);
  }

  /** checkNeighbours after a call that freed [start, end) (free, or realloc to 0 bytes). */
  private checkNeighboursOfFreed(start: number, end: number): void {
    this.checkNeighbours(start, end, `which freed the block ${range(start, end)} next to it`);
  }

  /** Checks a live block's pattern: all of it, or only `edge` bytes at each end. */
  private verify(block: Held, when: string, edge?: number): void {
    this.checks++;
    const { start, bytes, id } = block;
    let wrong: number;
    try {
      if (edge === undefined || bytes <= 2 * edge) wrong = firstDifference(this.proc, start, id, 0, bytes);
      else {
        wrong = firstDifference(this.proc, start, id, 0, edge);
        if (wrong === -1) wrong = firstDifference(this.proc, start, id, bytes - edge, bytes);
      }
    } catch (error) {
      this.fail('payload', `block ${id} at ${hex(start)} (${bytes} bytes), ${this.describeOrigin(block)}, could not be read ${when}: ${error instanceof Error ? error.message : String(error)}. Its memory was given back to the system while the block was live.`, start);
    }
    if (wrong === -1) return;
    this.fail(
      'payload',
      `the payload of block ${id} at ${hex(start)} (${bytes} bytes), ${this.describeOrigin(block)}, changed while it was live, found ${when}: ${this.byteReport(id, start, wrong)}. ` +
        `Something wrote into a block it did not own: a header or footer in the wrong place, a block handed out twice, or a copy that ran too far.`,
      start + wrong,
      this.markRun(block, wrong),
    );
  }

  /** `byte 8 (0x01000018) is 0x00, not 0x5a` */
  private byteReport(id: number, start: number, offset: number): string {
    const found = this.proc.peek8(start + offset);
    const expected = patternByte(id, offset);
    return `byte ${offset} (${hex(start + offset)}) is ${found === undefined ? 'unreadable' : hex(found, 2)}, not ${hex(expected, 2)}`;
  }

  /** The run of wrong bytes starting at `offset` (within the block's `bytes`), at most 16 of them, for the hex dump's marks. */
  private markRun(block: Held, offset: number): { from: number; to: number } {
    let end = offset + 1;
    while (end < block.bytes && end < offset + 16 && this.proc.peek8(block.start + end) !== patternByte(block.id, end)) end++;
    return { from: block.start + offset, to: block.start + end };
  }

  /** `allocated by "a 3 16" (operation 7, line 11)` */
  private describeOrigin(block: Held): string {
    const op = this.trace.ops[block.opIndex];
    const line = this.trace.lines?.[block.opIndex];
    return `${op.kind === 'a' ? 'allocated' : 'reallocated'} by "${formatOp(op)}" (operation ${block.opIndex}${line === undefined ? '' : `, line ${line}`})`;
  }

  /** Peak footprint, payload and process size after an operation. */
  private sample(): void {
    const stats = this.proc.stats();
    const footprint = stats.heapBytes + stats.mappedResidentBytes;
    this.peakFootprint = Math.max(this.peakFootprint, footprint);
    this.timeline?.add(this.payload, footprint);
    this.peakVirtual = Math.max(this.peakVirtual, stats.virtualBytes);
    this.peakResident = Math.max(this.peakResident, stats.residentBytes);
  }

  private failure(check: CheckName, message: string, address?: number, mark?: { from: number; to: number }, dumpFrom?: number): TraceFailure {
    const { ops, lines } = this.trace;
    const atEnd = this.opIndex >= ops.length;
    return {
      check,
      opIndex: this.opIndex,
      op: atEnd ? undefined : ops[this.opIndex],
      line: atEnd ? undefined : lines?.[this.opIndex],
      call: this.call,
      message,
      address,
      hexdump: address === undefined ? undefined : this.dump(address, mark, dumpFrom),
      errorName: undefined,
    };
  }

  private fail(check: CheckName, message: string, address?: number, mark?: { from: number; to: number }, dumpFrom?: number): never {
    throw new CheckFailed(this.failure(check, message, address, mark, dumpFrom));
  }

  /**
   * Up to 96 bytes around the failure, in whole lines, from a little before it (or from
   * `dumpFrom`, when the failure's line is still in the window); at most 16 bytes marked.
   */
  private dump(address: number, mark: { from: number; to: number } | undefined, dumpFrom: number = address - 32): string {
    const proc = this.proc;
    const floor = address >= proc.heapStart && address < proc.currentBreak ? proc.heapStart : 0;
    const start = address - dumpFrom > 48 ? address - 32 : dumpFrom; // the failure's own line, and a line below it, always show
    const from = Math.max(floor, start - (start % 16));
    const marked = mark === undefined ? undefined : { from: mark.from, to: Math.min(mark.to, mark.from + 16) };
    const to = Math.min(from + 96, Math.ceil((Math.max(marked?.to ?? address + 1, address + 1) + 16) / 16) * 16);
    return proc.hexdump(from, Math.max(16, to - from), marked);
  }
}

/** `[0x01000010, 0x01000024)` */
function range(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

/** `source`'s frames as the lines under a message: `\n  at exercises/05-zones/rack.ts:319`. */
export function atLines(source: TraceFailure['source']): string {
  return source === undefined ? '' : source.frames.map((frame) => `\n  at ${source.folder === '' ? '' : `${source.folder}/`}${frame}`).join('');
}

/**
 * The frames of `error`'s stack in `folder` that are the allocator's code, as `npm run check`
 * keeps them (not machine/, workbook/ or node_modules/); the folder named from the workbook.
 */
export function sourceOf(error: unknown, folder: string): TraceFailure['source'] {
  if (!(error instanceof Error) || error.stack === undefined) return undefined;
  const stack = error.stack.split('\n').filter((l) => /^\s+at /.test(l));
  const frames = [...cleanMessage(`\n${stack.join('\n')}`, folder).matchAll(/^\s+at (.+:\d+)$/gm)].map((found) => found[1]);
  if (frames.length === 0) return undefined;
  const fromRoot = relative(ROOT, resolve(folder));
  return { folder: shownPath(fromRoot.startsWith('..') ? resolve(folder) : fromRoot), frames };
}

// ------------------------------------------------------------------ the bare, timed pass

interface BareTiming {
  opsPerSecond: number | undefined;
  opsPerSecondRange?: OpsPerSecondRange;
  memoryOpsPerCall: number | undefined;
  bytesMovedPerCall: number | undefined;
}

/**
 * One bare replay in a fresh process that counts the allocator's memory operations; then,
 * unless `timing` is false, more in fresh processes, timed as medianSeconds times them.
 */
function timeBareReplays(trace: Trace, create: CreateAllocator, options: ReplayOptions, timing: TimingOptions | false): BareTiming {
  const freshReplay = (): { seconds: number; memoryOps: number; bytesMoved: number } => {
    const proc = new Process(options.process ?? TRACE_PROCESS);
    const allocator = create(proc, options.allocatorOptions);
    const before = proc.stats(); // the calls' operations only, not createAllocator's
    const seconds = bareReplay(trace, allocator, options.onStep);
    const after = proc.stats();
    return { seconds, memoryOps: after.memoryOps - before.memoryOps, bytesMoved: after.bytesMoved - before.bytesMoved };
  };
  const ops = trace.ops.length;
  try {
    const { memoryOps, bytesMoved } = freshReplay();
    const counted = { opsPerSecond: undefined, memoryOpsPerCall: ops === 0 ? 0 : memoryOps / ops, bytesMovedPerCall: ops === 0 ? 0 : bytesMoved / ops };
    if (timing === false) return counted;
    const timed = timedSeconds(() => freshReplay().seconds, timing);
    const rate = (s: number) => (s === 0 ? Infinity : ops / s);
    return { ...counted, opsPerSecond: rate(median(timed)), opsPerSecondRange: { slowest: rate(Math.max(...timed)), fastest: rate(Math.min(...timed)) } };
  } catch {
    // The checked pass succeeded, so this allocator does not behave the same twice: no figures.
    return { opsPerSecond: undefined, memoryOpsPerCall: undefined, bytesMovedPerCall: undefined };
  }
}

/**
 * The allocator calls of the trace and nothing else; returns the seconds they took. `onStep`,
 * if given, hears of every 1024th operation: a watchdog's sign of life, not a cost per call.
 */
export function bareReplay(trace: Trace, allocator: Allocator, onStep?: (opIndex: number) => void): number {
  const pointers = new Float64Array(trace.numIds);
  const ops = trace.ops;
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (onStep !== undefined && (i & 1023) === 0) onStep(i);
    if (op.kind === 'a') pointers[op.id] = allocator.malloc(op.bytes);
    else if (op.kind === 'r') pointers[op.id] = allocator.realloc(pointers[op.id], op.bytes);
    else allocator.free(pointers[op.id]);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}
