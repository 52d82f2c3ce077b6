// The simulated process: one program's address space, its syscalls, and its threads.
//
// Memory is paged like a real machine's. Each virtual page that has been touched owns a
// 4 KiB frame of "physical" memory (one growable ArrayBuffer); two page tables map a
// virtual page to its frame for reading and for writing. A load or store is one table
// lookup, a bounds test and one DataView access; everything unusual (an untouched page, a
// protected page, an unmapped address, an access that straddles two pages) takes the
// slow path, which faults the page in or throws a SegmentationFault.
//
// In shared mode (new Process({ shared: true })) the frames, the page tables and the kernel's
// state live in SharedArrayBuffers, and Process.attach builds the same process in a worker;
// see shared.ts. The loads and stores are the same code in both modes.

import {
  EINVAL,
  ENOMEM,
  LAYOUT,
  MADV_DONTNEED,
  MAP_FAILED,
  PAGE_MASK,
  PAGE_SHIFT,
  PAGE_SIZE,
  PROGRAM_PATH,
  PROT_EXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from './constants.ts';
import {
  BusError,
  Deadlock,
  OutOfPhysicalMemory,
  SegmentationFault,
  protString,
  RunawayLoop,
  type AccessKind,
  type Mapping,
} from './errors.ts';
import { hex, hexdumpLines } from './format.ts';
import { CHANGED_MAPPINGS, CHANGED_STATICS, SharedKernel, type SharedProcessHandle } from './shared.ts';

export interface ProcessOptions {
  /** How far the heap may grow, in bytes (like RLIMIT_DATA). Default 1 GiB. */
  heapLimit?: number;
  /** How many bytes mmap may hand out in all (like RLIMIT_AS). Default: no limit but the address space. */
  mmapLimit?: number;
  /**
   * How much physical memory the machine has, rounded up to pages. Default 1 GiB (256 MiB in
   * shared mode, where it is reserved at once), at most 2 GiB less 4 pages.
   */
  physicalLimit?: number;
  /** The process environment, read by allocators' debugging options. */
  env?: Record<string, string>;
  /**
   * Shared mode: memory and kernel state in SharedArrayBuffers, so that `Process.attach`
   * can run the same process in worker_threads, with real parallel threads.
   */
  shared?: boolean;
}

export type SyscallName = 'brk' | 'sbrk' | 'mmap' | 'munmap' | 'mprotect' | 'madvise';

export interface ProcessStats {
  /** Break minus heap start. */
  heapBytes: number;
  /** Bytes mapped by mmap and not yet unmapped. */
  mappedBytes: number;
  /** Every mapped byte: program, data, heap pages, mmaps, stack. */
  virtualBytes: number;
  /** Bytes of pages that own a physical frame (written at least once). */
  residentBytes: number;
  /** The resident part of mappedBytes: mmap'd pages written at least once. */
  mappedResidentBytes: number;
  /** First touches of a page: a read maps the shared zero page, a write gives it a frame. */
  minorFaults: number;
  syscalls: Record<SyscallName, number>;
  /**
   * Loads, stores and atomics, plus one per memset/memcpy/memmove/memcmp/bytes call. In
   * shared mode this one Process's own (a worker's); the caller sums them. Every other
   * field is the whole process's, in every attached Process.
   */
  memoryOps: number;
  /** Bytes handled by memset, memcpy, memmove, memcmp and bytes; in shared mode, like memoryOps, this Process's own. */
  bytesMoved: number;
}

/** The result of wait32, as Atomics.wait's. */
export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/**
 * What the kernel keeps about the process besides page tables and frames. In shared mode
 * each attached Process holds a copy, refreshed from shared memory under the kernel lock.
 */
export interface KernelState {
  /** Every mapping but the heap, sorted by address. */
  mappings: Region[];
  brk: number;
  statics: Map<string, { address: number; size: number }>;
  dataNext: number;
  /** Frames below this have been handed out at least once. */
  physicalTop: number;
  freeFrames: { push(frame: number): void; pop(): number | undefined };
  residentPages: number;
  mappedResidentPages: number;
  minorFaults: number;
  syscalls: Record<SyscallName, number>;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO_32 = 4294967296;
/** Physical frame 0 is never used, so a 0 in a page table means "no access yet". */
const NO_FRAME = 0;
/** The shared frame of zeros that untouched pages read from, as Linux's zero page. */
const ZERO_FRAME = PAGE_SIZE;
const FIRST_FREE_FRAME = 2 * PAGE_SIZE;
/** Frame offsets live in Int32Arrays: the last frame must end below 2^31. */
const MAX_PHYSICAL = 2 ** 31 - 4 * PAGE_SIZE;
const PAGES = LAYOUT.addressSpaceEnd / PAGE_SIZE;

/** The operations that load or store, beyond load* and store*: the loop guard watches them too. */
const GUARDED_RARELY = ['atomicLoad32', 'atomicStore32', 'atomicCompareExchange32', 'atomicAdd32', 'atomicSub32', 'memset', 'memcpy', 'memmove', 'memcmp', 'bytes'] as const;

/** The methods that report on the process rather than act on its memory (see the constructor). */
const OBSERVERS = ['stats', 'mappingList', 'maps', 'mincore', 'peek8', 'peekBytes', 'hexdump'] as const;

export class Process {
  readonly heapStart = LAYOUT.heapStart;
  /** The error code of the last failed syscall, as C's errno. */
  errno = 0;
  readonly env: Record<string, string>;

  // Page tables: virtual page number -> physical offset of its frame, or NO_FRAME. In shared
  // mode every worker reads them plainly here and writes them under the kernel lock (shared.ts
  // says why the plain reads are enough).
  private readTable: Int32Array;
  private writeTable: Int32Array;
  /** The frame a page owns (it has been written), whatever its protection now. */
  private ownFrame: Int32Array;

  private physical: ArrayBuffer | SharedArrayBuffer;
  private view: DataView;
  private u8: Uint8Array;
  /** The same bytes as 32-bit words, for aligned accesses (the host is little-endian, as x86-64). */
  private u32: Uint32Array;
  /** In shared mode, the same bytes as Int32 words, which Atomics.wait needs. */
  private readonly waitWords: Int32Array | undefined;
  private readonly physicalLimit: number;
  private readonly heapLimit: number;
  private readonly mmapLimit: number;

  private kernel: KernelState;
  /** The kernel lock and the shared memory behind `kernel`, in shared mode. */
  private readonly shared: SharedKernel | undefined;

  private thread = 0;

  /**
   * How many loads and stores one process may make before it is taken for an endless loop (a
   * free list that leads back into itself, a walk whose step is 0) and stopped with a
   * RunawayLoop, whose stack shows the line that loops. None unless set: the workbook's tests
   * set one (workbook/loop-guard.ts), far above what any of them needs. A process made while
   * it is set checks it in wrappers of its own; the others run the plain methods, as fast as
   * before.
   */
  static loopGuard: number | undefined = undefined;

  // The hot path counts in plain fields: one increment per access.
  private memoryOps = 0;
  private bytesMoved = 0;

  private readonly scratch = new DataView(new ArrayBuffer(8));

  /** `attach` is Process.attach's: the shared memory of a process made in another worker. */
  constructor(options: ProcessOptions = {}, attach?: SharedProcessHandle) {
    if (Process.loopGuard !== undefined) this.guardLoops(Process.loopGuard);
    this.heapLimit = attach?.heapLimit ?? options.heapLimit ?? 1 << 30;
    this.mmapLimit = attach?.mmapLimit ?? options.mmapLimit ?? Infinity;
    // Frames are addressed by 31-bit offsets; whole pages only.
    this.physicalLimit = attach?.physicalLimit ?? pageCeil(options.physicalLimit ?? (options.shared === true ? 2 ** 28 : 2 ** 30));
    this.env = { ...(attach?.env ?? options.env ?? {}) };
    for (const [name, value] of [
      ['heapLimit', this.heapLimit],
      ['physicalLimit', this.physicalLimit],
      ['mmapLimit', this.mmapLimit === Infinity ? 0 : this.mmapLimit],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new TypeError(`new Process({ ${name}: ${value} }): expected a non-negative integer number of bytes`);
      }
    }
    if (this.physicalLimit > MAX_PHYSICAL) {
      throw new RangeError(`new Process({ physicalLimit: ${options.physicalLimit} }): the machine addresses at most ${MAX_PHYSICAL} bytes of physical memory`);
    }
    if (LAYOUT.heapStart + this.heapLimit > LAYOUT.mmapBase) {
      throw new RangeError(`new Process({ heapLimit: ${this.heapLimit} }): the heap would run into the mmap area at ${hex(LAYOUT.mmapBase)}`);
    }
    const limits = { heapLimit: this.heapLimit, mmapLimit: this.mmapLimit, physicalLimit: this.physicalLimit, env: this.env };
    const shared =
      attach !== undefined ? SharedKernel.attach(attach) : options.shared === true ? SharedKernel.create(limits, this.physicalLimit + FIRST_FREE_FRAME, PAGES) : undefined;
    this.shared = shared;
    if (shared === undefined) {
      this.readTable = new Int32Array(PAGES);
      this.writeTable = new Int32Array(PAGES);
      this.ownFrame = new Int32Array(PAGES);
      this.physical = new ArrayBuffer(Math.min(64 * PAGE_SIZE, this.physicalLimit + FIRST_FREE_FRAME));
      this.waitWords = undefined;
    } else {
      [this.readTable, this.writeTable, this.ownFrame] = shared.pageTables(PAGES);
      this.physical = shared.handle.physical;
      this.waitWords = new Int32Array(this.physical);
    }
    this.view = new DataView(this.physical);
    this.u8 = new Uint8Array(this.physical);
    this.u32 = new Uint32Array(this.physical);

    this.kernel = {
      mappings: [],
      brk: LAYOUT.heapStart,
      statics: new Map(),
      dataNext: LAYOUT.dataStart,
      physicalTop: FIRST_FREE_FRAME,
      freeFrames: shared?.freeFrames ?? [],
      residentPages: 0,
      mappedResidentPages: 0,
      minorFaults: 0,
      syscalls: { brk: 0, sbrk: 0, mmap: 0, munmap: 0, mprotect: 0, madvise: 0 },
    };
    // What tests and tools read to judge an allocator is fixed on each process: code handed
    // `proc` cannot replace its accounting (`proc.stats = …` throws a TypeError). A subclass
    // cannot override these methods either.
    for (const name of OBSERVERS) Object.defineProperty(this, name, { value: Process.prototype[name], writable: false, configurable: false });
    // Nor can it assign over the others (`proc.load8 = …` throws): tests read memory back through
    // them. A test's spy (vi.spyOn) still takes one, by defining it anew.
    const self = this as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Process.prototype)) {
      if (name === 'constructor' || (OBSERVERS as readonly string[]).includes(name)) continue;
      if (typeof Object.getOwnPropertyDescriptor(Process.prototype, name)?.value !== 'function') continue; // a getter, such as isShared
      Object.defineProperty(this, name, { value: self[name], writable: false, configurable: true }); // guardLoops' wrapper, if there is one
    }
    if (attach !== undefined) return; // the creator has set the shared state up
    this.insertMapping({ start: LAYOUT.textStart, end: LAYOUT.textStart + LAYOUT.textSize, prot: PROT_READ | PROT_EXEC, name: PROGRAM_PATH, mmapped: false });
    this.insertMapping({ start: LAYOUT.dataStart, end: LAYOUT.dataStart + LAYOUT.dataSize, prot: PROT_READ | PROT_WRITE, name: PROGRAM_PATH, mmapped: false });
    this.insertMapping({ start: LAYOUT.stackEnd - LAYOUT.stackSize, end: LAYOUT.stackEnd, prot: PROT_READ | PROT_WRITE, name: '[stack]', mmapped: false });
    shared?.publishInitial(this.kernel);
  }

  // ---------------------------------------------------------------- shared mode

  /**
   * Builds, in a worker, a Process over the memory of a process made with
   * `new Process({ shared: true })`, from what its `shareHandle()` returned; its
   * `currentThread` is `thread`. Every attached Process sees the same bytes, mappings,
   * break, statics and counters (but counts its own memoryOps and bytesMoved).
   */
  static attach(handle: SharedProcessHandle, options: { thread: number }): Process {
    const thread = options?.thread;
    if (!Number.isSafeInteger(thread) || thread < 0) throw new TypeError(`Process.attach(handle, { thread: ${thread} }): a thread id is a non-negative integer`);
    const proc = new Process({}, handle);
    proc.thread = thread;
    return proc;
  }

  /** Whether this process lives in shared memory (made with `{ shared: true }`, or attached). */
  get isShared(): boolean {
    return this.shared !== undefined;
  }

  /** What `Process.attach` needs in another worker: pass it through workerData or postMessage. */
  shareHandle(): SharedProcessHandle {
    if (this.shared === undefined) throw new TypeError('shareHandle(): this process is not shared; make it with new Process({ shared: true })');
    return this.shared.handle;
  }

  // ---------------------------------------------------------------- loads and stores

  load8(addr: number): number {
    this.memoryOps++;
    const frame = this.readTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME) return this.slowLoad(addr, 1);
    return this.u8[frame + (addr & PAGE_MASK)];
  }

  load16(addr: number): number {
    this.memoryOps++;
    const frame = this.readTable[addr >>> PAGE_SHIFT];
    const offset = addr & PAGE_MASK;
    if (addr >>> 0 !== addr || frame === NO_FRAME || offset > PAGE_SIZE - 2) return this.slowLoad(addr, 2);
    return this.view.getUint16(frame + offset, true);
  }

  load32(addr: number): number {
    this.memoryOps++;
    const frame = this.readTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (addr & 3) !== 0) return this.slowLoad(addr, 4);
    return this.u32[(frame + (addr & PAGE_MASK)) >>> 2];
  }

  /** A signed 64-bit load; throws a RangeError if the bytes are not a safe integer. */
  load64(addr: number): number {
    this.memoryOps++;
    const frame = this.readTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (addr & 7) !== 0) return this.slowLoad(addr, 8);
    const word = (frame + (addr & PAGE_MASK)) >>> 2;
    return this.join64(this.u32[word], this.u32[word + 1] | 0, addr);
  }

  store8(addr: number, value: number): void {
    this.memoryOps++;
    const frame = this.writeTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (value & 0xff) !== value) return this.slowStore(addr, 1, value);
    this.u8[frame + (addr & PAGE_MASK)] = value;
  }

  store16(addr: number, value: number): void {
    this.memoryOps++;
    const frame = this.writeTable[addr >>> PAGE_SHIFT];
    const offset = addr & PAGE_MASK;
    if (addr >>> 0 !== addr || frame === NO_FRAME || offset > PAGE_SIZE - 2 || (value & 0xffff) !== value) return this.slowStore(addr, 2, value);
    this.view.setUint16(frame + offset, value, true);
  }

  store32(addr: number, value: number): void {
    this.memoryOps++;
    const frame = this.writeTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (addr & 3) !== 0 || value >>> 0 !== value) return this.slowStore(addr, 4, value);
    this.u32[(frame + (addr & PAGE_MASK)) >>> 2] = value;
  }

  /** A 64-bit store of a safe integer (negative values are stored in two's complement). */
  store64(addr: number, value: number): void {
    this.memoryOps++;
    if (!Number.isSafeInteger(value)) throw notSafe64(addr, value);
    const frame = this.writeTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (addr & 7) !== 0) return this.slowStore(addr, 8, value);
    const word = (frame + (addr & PAGE_MASK)) >>> 2;
    this.u32[word] = value >>> 0;
    this.u32[word + 1] = Math.floor(value / TWO_32);
  }

  /** Wraps each memory operation of this process in a check of the loop guard (see loopGuard). */
  private guardLoops(limit: number): void {
    const over = () => {
      if (this.memoryOps >= limit) throw new RunawayLoop(limit);
    };
    const proto = Process.prototype;
    // One function each, not one shared: each call site then stays monomorphic and inlined.
    this.load8 = (addr) => (over(), proto.load8.call(this, addr));
    this.load16 = (addr) => (over(), proto.load16.call(this, addr));
    this.load32 = (addr) => (over(), proto.load32.call(this, addr));
    this.load64 = (addr) => (over(), proto.load64.call(this, addr));
    this.store8 = (addr, value) => (over(), proto.store8.call(this, addr, value));
    this.store16 = (addr, value) => (over(), proto.store16.call(this, addr, value));
    this.store32 = (addr, value) => (over(), proto.store32.call(this, addr, value));
    this.store64 = (addr, value) => (over(), proto.store64.call(this, addr, value));
    const self = this as unknown as Record<string, (...args: number[]) => unknown>;
    for (const name of GUARDED_RARELY) {
      const operation = self[name];
      self[name] = (...args: number[]) => (over(), operation.apply(this, args));
    }
  }

  private join64(lo: number, hi: number, addr: number): number {
    const value = hi * TWO_32 + lo;
    if (value > MAX_SAFE || value < -MAX_SAFE) {
      const bytes = [0, 8, 16, 24].map((s) => (lo >>> s) & 0xff).concat([0, 8, 16, 24].map((s) => (hi >>> s) & 0xff));
      throw new RangeError(
        `load64(${hex(addr)}): the 8 bytes there (${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}) ` +
          `are not a safe integer, so they cannot be a size or a pointer. Read them with load8 or bytes() to see what they are.`,
      );
    }
    return value;
  }

  private slowLoad(addr: number, width: number): number {
    this.checkAccess(addr, width, 'read');
    const scratch = this.scratch;
    for (let i = 0; i < width; i++) scratch.setUint8(i, this.u8[this.readTable[(addr + i) >>> PAGE_SHIFT] + ((addr + i) & PAGE_MASK)]);
    if (width === 1) return scratch.getUint8(0);
    if (width === 2) return scratch.getUint16(0, true);
    if (width === 4) return scratch.getUint32(0, true);
    return this.join64(scratch.getUint32(0, true), scratch.getInt32(4, true), addr);
  }

  private slowStore(addr: number, width: number, value: number): void {
    if (width < 8) checkFits(addr, width, value);
    this.checkAccess(addr, width, 'write');
    const scratch = this.scratch;
    if (width === 1) scratch.setUint8(0, value);
    else if (width === 2) scratch.setUint16(0, value, true);
    else if (width === 4) scratch.setUint32(0, value, true);
    else {
      scratch.setUint32(0, value >>> 0, true);
      scratch.setInt32(4, Math.floor(value / TWO_32), true);
    }
    for (let i = 0; i < width; i++) this.u8[this.writeTable[(addr + i) >>> PAGE_SHIFT] + ((addr + i) & PAGE_MASK)] = scratch.getUint8(i);
  }

  /**
   * Makes every page of [addr, addr + width) accessible for `access`, faulting pages in,
   * or throws: TypeError for an address that is not an integer, SegmentationFault for a
   * byte that is unmapped or protected.
   */
  private checkAccess(addr: number, width: number, access: AccessKind): void {
    if (!Number.isSafeInteger(addr)) {
      throw new TypeError(`${access === 'read' ? 'load' : 'store'} at address ${addr}: an address must be an integer (did a size get divided, or a pointer become undefined?)`);
    }
    if (width === 0) return;
    if (this.shared !== undefined) return this.checkSharedAccess(addr, width, access, this.shared);
    this.faultInRange(addr, width, access);
  }

  private faultInRange(addr: number, width: number, access: AccessKind): void {
    const end = addr + width;
    for (let page = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE; page < end; page += PAGE_SIZE) {
      this.faultIn(Math.max(page, addr), access, width, addr);
    }
  }

  /**
   * checkAccess in shared mode: nothing to do when the page tables already allow the access
   * (as in normal mode, where the fault handler would change nothing), else the fault
   * handler under the kernel lock, on the kernel state as shared memory has it.
   */
  private checkSharedAccess(addr: number, width: number, access: AccessKind, shared: SharedKernel): void {
    const table = access === 'read' ? this.readTable : this.writeTable;
    const end = addr + width;
    let ready = addr >= 0 && end <= LAYOUT.addressSpaceEnd;
    for (let page = Math.floor(addr / PAGE_SIZE); ready && page * PAGE_SIZE < end; page++) ready = table[page] !== NO_FRAME;
    if (ready) return;
    shared.enter(this.kernel);
    try {
      this.faultInRange(addr, width, access);
    } finally {
      shared.leave(this.kernel);
    }
  }

  /** Gives the page holding `addr` what `access` needs, as the kernel's fault handler does. */
  private faultIn(addr: number, access: AccessKind, width: number, accessStart: number): void {
    const mapping = addr >= 0 && addr < LAYOUT.addressSpaceEnd ? this.mappingAt(addr) : undefined;
    if (mapping === undefined) throw new SegmentationFault(addr, access, width, 'unmapped', this.nearestMapping(addr), accessStart);
    const allowed = access === 'read' ? mapping.prot !== PROT_NONE : (mapping.prot & PROT_WRITE) !== 0;
    if (!allowed) throw new SegmentationFault(addr, access, width, 'protected', mapping, accessStart);
    const page = addr >>> PAGE_SHIFT;
    if (access === 'write' && this.writeTable[page] === NO_FRAME) {
      if (this.ownFrame[page] === NO_FRAME) {
        this.ownFrame[page] = this.allocateFrame();
        this.kernel.residentPages++;
        if ((mapping as Partial<Region>).mmapped === true) this.kernel.mappedResidentPages++;
        this.kernel.minorFaults++;
      }
      this.setEntry(this.writeTable, page, this.ownFrame[page]);
      this.setEntry(this.readTable, page, this.ownFrame[page]);
    } else if (access === 'read' && this.readTable[page] === NO_FRAME) {
      if (this.ownFrame[page] === NO_FRAME) this.kernel.minorFaults++;
      this.setEntry(this.readTable, page, this.ownFrame[page] || ZERO_FRAME);
    }
  }

  /**
   * Writes a page-table entry. In shared mode with Atomics.store, which keeps it after the
   * writes before it (the zeroing of a reused frame), for threads reading the tables plainly.
   */
  private setEntry(table: Int32Array, page: number, frame: number): void {
    if (this.shared === undefined) table[page] = frame;
    else Atomics.store(table, page, frame);
  }

  private allocateFrame(): number {
    const reused = this.kernel.freeFrames.pop();
    if (reused !== undefined) {
      this.u8.fill(0, reused, reused + PAGE_SIZE); // fresh pages read as zero
      return reused;
    }
    const frame = this.kernel.physicalTop;
    if (frame + PAGE_SIZE > this.physical.byteLength) this.growPhysical(frame + PAGE_SIZE);
    this.kernel.physicalTop += PAGE_SIZE;
    return frame;
  }

  private growPhysical(needed: number): void {
    const limit = this.physicalLimit + FIRST_FREE_FRAME;
    if (needed > limit) {
      throw new OutOfPhysicalMemory(
        `The simulated machine is out of physical memory: ${this.kernel.residentPages} pages are resident ` +
          `(limit ${this.physicalLimit} bytes, set by new Process({ physicalLimit })).`,
      );
    }
    const bigger = new ArrayBuffer(Math.min(limit, Math.max(needed, this.physical.byteLength * 2)));
    new Uint8Array(bigger).set(this.u8);
    this.physical = bigger;
    this.view = new DataView(bigger);
    this.u8 = new Uint8Array(bigger);
    this.u32 = new Uint32Array(bigger);
  }

  private releasePages(start: number, end: number, mmapped = false): void {
    const first = start >>> PAGE_SHIFT;
    const last = end / PAGE_SIZE;
    for (let page = first; page < last; page++) {
      const frame = this.ownFrame[page];
      if (frame === NO_FRAME) continue; // never written: nothing to give back
      this.kernel.freeFrames.push(frame);
      this.kernel.residentPages--;
      if (mmapped) this.kernel.mappedResidentPages--;
      this.ownFrame[page] = NO_FRAME;
    }
    // Most pages of a big mapping were never touched: clear the tables in one pass each.
    if (this.shared === undefined) {
      this.readTable.fill(NO_FRAME, first, last);
      this.writeTable.fill(NO_FRAME, first, last);
      return;
    }
    for (let page = first; page < last; page++) {
      Atomics.store(this.readTable, page, NO_FRAME);
      Atomics.store(this.writeTable, page, NO_FRAME);
    }
  }

  // ---------------------------------------------------------------- atomics

  // Atomic operations on aligned 32-bit words, for locks and counters shared by threads. In
  // shared mode they are the host's Atomics on shared memory, so they hold between workers;
  // with logical threads they are ordinary reads and writes that cannot be interrupted.
  // Each counts as one memory operation. All but atomicLoad32 need a writable page and give
  // it its own frame at first touch, so that every thread works on the same physical word.

  /** An atomic load of the 32-bit word at `addr` (unsigned). */
  atomicLoad32(addr: number): number {
    this.memoryOps++;
    const frame = this.readTable[addr >>> PAGE_SHIFT];
    const word = addr >>> 0 !== addr || frame === NO_FRAME || (addr & 3) !== 0 ? this.slowAtomicWord(addr, 'atomicLoad32', 'read') : (frame + (addr & PAGE_MASK)) >>> 2;
    return Atomics.load(this.u32, word);
  }

  /** An atomic store of a 32-bit value (unsigned, or signed in two's complement). */
  atomicStore32(addr: number, value: number): void {
    if (!is32(value)) checkFits(addr, 4, value, 'atomicStore32');
    Atomics.store(this.u32, this.atomicWord(addr, 'atomicStore32'), value);
  }

  /**
   * Compare and swap: if the word at `addr` holds `expected`, it becomes `replacement`.
   * Returns the value the word held (so the swap happened if it equals `expected`), as
   * Atomics.compareExchange on a Uint32Array.
   */
  atomicCompareExchange32(addr: number, expected: number, replacement: number): number {
    if (!is32(expected)) checkFits(addr, 4, expected, 'atomicCompareExchange32');
    if (!is32(replacement)) checkFits(addr, 4, replacement, 'atomicCompareExchange32');
    return Atomics.compareExchange(this.u32, this.atomicWord(addr, 'atomicCompareExchange32'), expected, replacement);
  }

  /** Adds `delta` to the word at `addr`, wrapping around at 2^32; returns the old value. */
  atomicAdd32(addr: number, delta: number): number {
    if (!is32(delta)) checkFits(addr, 4, delta, 'atomicAdd32');
    return Atomics.add(this.u32, this.atomicWord(addr, 'atomicAdd32'), delta);
  }

  /** Subtracts `delta` from the word at `addr`, wrapping around below 0; returns the old value. */
  atomicSub32(addr: number, delta: number): number {
    if (!is32(delta)) checkFits(addr, 4, delta, 'atomicSub32');
    return Atomics.sub(this.u32, this.atomicWord(addr, 'atomicSub32'), delta);
  }

  /**
   * Sleeps while the word at `addr` holds `expected`, until notify32 wakes this thread or
   * `timeoutMs` passes: a futex wait, with Atomics.wait's results. With logical threads
   * nothing else can run meanwhile: a different value returns 'not-equal', a finite
   * timeout 'timed-out' at once, and waiting for ever throws a Deadlock.
   */
  wait32(addr: number, expected: number, timeoutMs = Infinity): WaitResult {
    if (!is32(expected)) checkFits(addr, 4, expected, 'wait32');
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw new TypeError(`wait32(${hex(addr)}, ${expected}, ${timeoutMs}): the timeout is a number of milliseconds, 0 or more (Infinity: no timeout)`);
    const word = this.atomicWord(addr, 'wait32');
    if (this.waitWords !== undefined) return Atomics.wait(this.waitWords, word, expected | 0, timeoutMs);
    if (this.u32[word] !== expected >>> 0) return 'not-equal';
    if (timeoutMs !== Infinity) return 'timed-out';
    throw new Deadlock(this.thread, addr, this.u32[word]);
  }

  /** Wakes up to `count` threads waiting at `addr` (all by default); returns how many woke. Always 0 with logical threads. */
  notify32(addr: number, count = Infinity): number {
    if (count !== Infinity && !(Number.isSafeInteger(count) && count >= 0)) throw new TypeError(`notify32(${hex(addr)}, ${count}): the count is a non-negative integer, or Infinity for every waiter`);
    const word = this.atomicWord(addr, 'notify32');
    return this.waitWords === undefined ? 0 : Atomics.notify(this.waitWords, word, count);
  }

  /** The index in u32 of the aligned, writable word at `addr`, for an atomic operation. */
  private atomicWord(addr: number, operation: string): number {
    this.memoryOps++;
    const frame = this.writeTable[addr >>> PAGE_SHIFT];
    if (addr >>> 0 !== addr || frame === NO_FRAME || (addr & 3) !== 0) return this.slowAtomicWord(addr, operation, 'write');
    return (frame + (addr & PAGE_MASK)) >>> 2;
  }

  private slowAtomicWord(addr: number, operation: string, access: AccessKind): number {
    if (Number.isSafeInteger(addr) && addr % 4 !== 0) throw new BusError(addr, operation, 4);
    this.checkAccess(addr, 4, access);
    const table = access === 'read' ? this.readTable : this.writeTable;
    return (table[addr >>> PAGE_SHIFT] + (addr & PAGE_MASK)) >>> 2;
  }

  // ---------------------------------------------------------------- bulk memory

  /** C's memset: `n` bytes at `addr` set to `byte & 0xff`. */
  memset(addr: number, byte: number, n: number): void {
    this.bulk(n, 'memset');
    this.checkAccess(addr, n, 'write');
    this.forEachChunk(addr, n, (at, _done, length) => this.u8.fill(byte, at, at + length));
  }

  /** C's memcpy. The ranges must not overlap (that is memmove's job). */
  memcpy(dst: number, src: number, n: number): void {
    this.bulk(n, 'memcpy');
    if (n > 0 && dst < src + n && src < dst + n) {
      throw new RangeError(
        `memcpy(${hex(dst)}, ${hex(src)}, ${n}): the two ranges overlap, which memcpy does not allow. ` +
          `Copying between two blocks, they cannot: is n more than the source block holds? Moving bytes within one block, use memmove.`,
      );
    }
    this.copy(dst, src, n);
  }

  /** C's memmove: a copy that is correct when the ranges overlap. */
  memmove(dst: number, src: number, n: number): void {
    this.bulk(n, 'memmove');
    this.copy(dst, src, n);
  }

  /** C's memcmp: negative, zero or positive as the first differing byte of `a` is lower or higher. */
  memcmp(a: number, b: number, n: number): number {
    this.bulk(n, 'memcmp');
    this.checkAccess(a, n, 'read');
    this.checkAccess(b, n, 'read');
    for (let i = 0; i < n; i++) {
      const x = this.physicalByte(a + i);
      const y = this.physicalByte(b + i);
      if (x !== y) return x - y;
    }
    return 0;
  }

  /** A copy of `n` bytes starting at `addr`. */
  bytes(addr: number, n: number): Uint8Array {
    this.bulk(n, 'bytes');
    this.checkAccess(addr, n, 'read');
    const out = new Uint8Array(n);
    this.forEachChunk(addr, n, (at, done, length) => out.set(this.u8.subarray(at, at + length), done), 'read');
    return out;
  }

  private bulk(n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${what}: length ${n} is not a non-negative integer`);
    this.memoryOps++;
    this.bytesMoved += n;
  }

  private physicalByte(addr: number): number {
    return this.u8[this.readTable[addr >>> PAGE_SHIFT] + (addr & PAGE_MASK)];
  }

  /** Calls `fn` for each piece of [addr, addr + n) that lies in one page, with its physical offset. */
  private forEachChunk(addr: number, n: number, fn: (physical: number, done: number, length: number) => void, access: AccessKind = 'write'): void {
    const table = access === 'read' ? this.readTable : this.writeTable;
    let done = 0;
    while (done < n) {
      const at = addr + done;
      const length = Math.min(n - done, PAGE_SIZE - (at & PAGE_MASK));
      fn(table[at >>> PAGE_SHIFT] + (at & PAGE_MASK), done, length);
      done += length;
    }
  }

  private copy(dst: number, src: number, n: number): void {
    this.checkAccess(src, n, 'read');
    this.checkAccess(dst, n, 'write');
    const backwards = dst > src && dst < src + n; // overlapping, so copy the end first
    let left = n;
    let done = 0;
    while (left > 0) {
      let length: number;
      let s: number;
      let d: number;
      if (backwards) {
        length = Math.min(left, ((src + left - 1) & PAGE_MASK) + 1, ((dst + left - 1) & PAGE_MASK) + 1);
        s = src + left - length;
        d = dst + left - length;
      } else {
        s = src + done;
        d = dst + done;
        length = Math.min(left, PAGE_SIZE - (s & PAGE_MASK), PAGE_SIZE - (d & PAGE_MASK));
        done += length;
      }
      const from = this.readTable[s >>> PAGE_SHIFT] + (s & PAGE_MASK);
      const to = this.writeTable[d >>> PAGE_SHIFT] + (d & PAGE_MASK);
      this.u8.copyWithin(to, from, from + length);
      left -= length;
    }
  }

  // ---------------------------------------------------------------- inspection (no faults, not counted)

  /** The byte at `addr` without touching the page or counting an access; undefined if unmapped or PROT_NONE. */
  peek8(addr: number): number | undefined {
    this.shared?.enter(this.kernel);
    try {
      if (!Number.isSafeInteger(addr) || addr < 0 || addr >= LAYOUT.addressSpaceEnd) return undefined;
      const mapping = this.mappingAt(addr);
      if (mapping === undefined || mapping.prot === PROT_NONE) return undefined;
      const frame = this.ownFrame[addr >>> PAGE_SHIFT];
      return frame === NO_FRAME ? 0 : this.u8[frame + (addr & PAGE_MASK)];
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /**
   * The `length` bytes at `addr` as peek8 reads them (no fault, no access counted), in one
   * call: a copy, with zeros for untouched pages. Undefined if any of them is unmapped or
   * PROT_NONE. For checkers that scan many bytes at a time.
   */
  peekBytes(addr: number, length: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length) || length < 0 || addr < 0 || addr + length > LAYOUT.addressSpaceEnd) return undefined;
    this.shared?.enter(this.kernel);
    try {
      const bytes = new Uint8Array(length);
      for (let at = addr; at < addr + length; ) {
        const pageEnd = at - (at & PAGE_MASK) + PAGE_SIZE;
        const upTo = Math.min(addr + length, pageEnd);
        const mapping = this.mappingAt(at); // mappings are whole pages: one look per page
        if (mapping === undefined || mapping.prot === PROT_NONE) return undefined;
        const frame = this.ownFrame[at >>> PAGE_SHIFT];
        const offset = at & PAGE_MASK;
        if (frame !== NO_FRAME) bytes.set(this.u8.subarray(frame + offset, frame + offset + (upTo - at)), at - addr);
        at = upTo;
      }
      return bytes;
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /**
   * Linux's mincore: for each page of [addr, addr + length), whether it is resident (written at
   * least once since it was mapped). Touches nothing and counts no access. `addr` must be
   * page-aligned, as mincore requires.
   */
  mincore(addr: number, length: number): boolean[] {
    if (!Number.isSafeInteger(addr) || addr % PAGE_SIZE !== 0 || addr < 0 || !Number.isSafeInteger(length) || length < 0 || addr + length > LAYOUT.addressSpaceEnd) {
      throw new TypeError(`mincore(${hex(addr)}, ${length}): the address must be page-aligned and the range inside the 4 GiB address space`);
    }
    this.shared?.enter(this.kernel);
    try {
      const pages: boolean[] = [];
      for (let page = addr >>> PAGE_SHIFT; page * PAGE_SIZE < addr + length; page++) pages.push(this.ownFrame[page] !== NO_FRAME);
      return pages;
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /** A hex dump of `length` bytes at `addr` for messages, with [mark.from, mark.to) underlined. */
  hexdump(addr: number, length: number, mark?: { from: number; to: number }): string {
    return hexdumpLines(addr, length, (a) => this.peek8(a), mark).join('\n');
  }

  // ---------------------------------------------------------------- the data segment

  /**
   * Reserves a named, zeroed, 16-byte aligned slot in the data segment and returns its
   * address: C's `static` globals. The same name always gives the same address.
   */
  static(name: string, bytes: number): number {
    this.shared?.enter(this.kernel);
    try {
      const known = this.kernel.statics.get(name);
      if (known !== undefined) {
        if (known.size !== bytes) {
          throw new RangeError(`proc.static('${name}', ${bytes}): this global already exists with ${known.size} bytes; use one size for one name`);
        }
        return known.address;
      }
      if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new TypeError(`proc.static('${name}', ${bytes}): the size must be a positive integer`);
      const address = this.kernel.dataNext;
      const next = address + Math.ceil(bytes / 16) * 16;
      if (next > LAYOUT.dataStart + LAYOUT.dataSize) {
        throw new RangeError(`proc.static('${name}', ${bytes}): the data segment (${LAYOUT.dataSize} bytes) is full`);
      }
      this.kernel.dataNext = next;
      this.kernel.statics.set(name, { address, size: bytes });
      return address;
    } finally {
      this.shared?.leave(this.kernel, CHANGED_STATICS);
    }
  }

  // ---------------------------------------------------------------- the heap: brk and sbrk

  /** The current break, without a syscall (for tools and tests). */
  get currentBreak(): number {
    this.shared?.enter(this.kernel);
    try {
      return this.kernel.brk;
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /** Sets the break to `addr`. Returns 0, or -1 with errno = ENOMEM. */
  brk(addr: number): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.brk++;
      return this.setBreak(addr);
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /**
   * Moves the break by `increment` bytes and returns the old break, or -1 with
   * errno = ENOMEM. `sbrk(0)` returns the break; a negative increment gives memory back.
   */
  sbrk(increment: number): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.sbrk++;
      if (!Number.isInteger(increment)) throw new TypeError(`sbrk(${increment}): the increment must be an integer number of bytes`);
      const old = this.kernel.brk;
      return this.setBreak(old + increment) === 0 ? old : -1;
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  private setBreak(addr: number): number {
    if (!Number.isInteger(addr)) throw new TypeError(`brk(${addr}): the break must be an integer address`);
    const limit = Math.min(this.heapStart + this.heapLimit, this.lowestMappingAbove(this.heapStart));
    if (addr < this.heapStart || addr > limit) {
      this.errno = ENOMEM;
      return -1;
    }
    const oldEnd = pageCeil(this.kernel.brk);
    const newEnd = pageCeil(addr);
    if (newEnd < oldEnd) this.releasePages(newEnd, oldEnd);
    this.kernel.brk = addr;
    return 0;
  }

  private heapMapping(): Mapping | undefined {
    const end = pageCeil(this.kernel.brk);
    return end > this.heapStart ? { start: this.heapStart, end, prot: PROT_READ | PROT_WRITE, name: '[heap]' } : undefined;
  }

  // ---------------------------------------------------------------- mmap, munmap, mprotect

  /**
   * Maps `length` bytes (rounded up to whole pages) of fresh, zeroed, private anonymous
   * memory and returns its page-aligned address, or MAP_FAILED (-1) with errno set.
   * Mappings are placed top-down below the mmap base, in the highest gap that fits.
   * `name` labels the mapping in maps(), as Linux's PR_SET_VMA_ANON_NAME does.
   */
  mmap(length: number, prot: number = PROT_READ | PROT_WRITE, options: { name?: string } = {}): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.mmap++;
      if (!Number.isInteger(length)) throw new TypeError(`mmap(${length}): the length must be an integer number of bytes`);
      if (length <= 0 || length >= LAYOUT.addressSpaceEnd) {
        this.errno = length <= 0 ? EINVAL : ENOMEM;
        return MAP_FAILED;
      }
      if (!Number.isInteger(prot) || prot < 0 || prot > 7) throw new TypeError(`mmap(${length}, ${prot}): prot is PROT_NONE or an OR of PROT_READ, PROT_WRITE and PROT_EXEC`);
      const size = pageCeil(length);
      const start = this.findGap(size);
      if (start === undefined || this.mappedBytes() + size > this.mmapLimit) {
        this.errno = ENOMEM;
        return MAP_FAILED;
      }
      this.insertMapping({ start, end: start + size, prot, name: options.name === undefined ? '' : `[anon:${options.name}]`, mmapped: true });
      return start;
    } finally {
      this.shared?.leave(this.kernel, CHANGED_MAPPINGS);
    }
  }

  /**
   * Unmaps the pages of [addr, addr + length); any part of a mapping may go, splitting it.
   * Returns 0, or -1 with errno = EINVAL for an unaligned address or a range in the heap
   * (the heap shrinks with brk only).
   */
  munmap(addr: number, length: number): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.munmap++;
      const range = this.pageRange(addr, length);
      if (range === undefined) return -1;
      const [start, end] = range;
      for (const piece of this.cutMappings(start, end)) this.releasePages(piece.start, piece.end, piece.mmapped === true);
      return 0;
    } finally {
      this.shared?.leave(this.kernel, CHANGED_MAPPINGS);
    }
  }

  /**
   * Changes the protection of the pages of [addr, addr + length), which must all be mapped
   * and outside the heap. Returns 0, or -1 with errno = ENOMEM (a page is not mapped) or
   * EINVAL (an unaligned address, or the heap, whose pages only brk changes).
   */
  mprotect(addr: number, length: number, prot: number): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.mprotect++;
      const range = this.pageRange(addr, length);
      if (range === undefined) return -1;
      const [start, end] = range;
      if (this.mappedWithin(start, end) !== end - start) {
        this.errno = ENOMEM;
        return -1;
      }
      for (const piece of this.cutMappings(start, end)) this.insertMapping({ ...piece, prot });
      for (let page = start >>> PAGE_SHIFT; page < end / PAGE_SIZE; page++) {
        const frame = this.ownFrame[page];
        this.setEntry(this.readTable, page, prot !== PROT_NONE ? frame : NO_FRAME);
        this.setEntry(this.writeTable, page, prot & PROT_WRITE ? frame : NO_FRAME);
      }
      return 0;
    } finally {
      this.shared?.leave(this.kernel, CHANGED_MAPPINGS);
    }
  }

  /**
   * Linux's madvise, with the one advice MADV_DONTNEED: the pages of [addr, addr + length)
   * stay mapped, but give their frames back, so they stop counting as resident; the next read
   * of one finds zeros, as in a page fresh from mmap. An allocator uses it on memory it keeps
   * but holds nothing in. Returns 0, or -1 with errno = ENOMEM (a page is not mapped) or
   * EINVAL (an unaligned address, the heap, or another advice).
   */
  madvise(addr: number, length: number, advice: number): number {
    this.shared?.enter(this.kernel);
    try {
      this.kernel.syscalls.madvise++;
      if (advice !== MADV_DONTNEED) {
        this.errno = EINVAL;
        return -1;
      }
      const range = this.pageRange(addr, length);
      if (range === undefined) return -1;
      const [start, end] = range;
      if (this.mappedWithin(start, end) !== end - start) {
        this.errno = ENOMEM;
        return -1;
      }
      for (const m of this.kernel.mappings) {
        if (m.end > start && m.start < end) this.releasePages(Math.max(m.start, start), Math.min(m.end, end), m.mmapped === true);
      }
      return 0;
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  /** How many bytes of [start, end) are mapped: end - start when every page is. */
  private mappedWithin(start: number, end: number): number {
    let covered = 0;
    for (const m of this.kernel.mappings) covered += Math.max(0, Math.min(m.end, end) - Math.max(m.start, start));
    return covered;
  }

  /** Validates a page-aligned range outside the heap; sets errno and returns undefined if it is not. */
  private pageRange(addr: number, length: number): [number, number] | undefined {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(length)) {
      throw new TypeError(`address ${addr} and length ${length} must be integers`);
    }
    const end = pageCeil(addr + length);
    const heapEnd = pageCeil(this.kernel.brk);
    if (length <= 0 || (addr & PAGE_MASK) !== 0 || addr < 0 || end > LAYOUT.addressSpaceEnd || (addr < heapEnd && end > this.heapStart)) {
      this.errno = EINVAL;
      return undefined;
    }
    return [addr, end];
  }

  /** Removes [start, end) from the mapping list, splitting mappings at its edges; returns the removed pieces. */
  private cutMappings(start: number, end: number): Region[] {
    const removed: Region[] = [];
    const kept: Region[] = [];
    for (const m of this.kernel.mappings) {
      if (m.end <= start || m.start >= end) {
        kept.push(m);
        continue;
      }
      if (m.start < start) kept.push({ ...m, end: start });
      removed.push({ ...m, start: Math.max(m.start, start), end: Math.min(m.end, end) });
      if (m.end > end) kept.push({ ...m, start: end });
    }
    this.kernel.mappings = kept;
    return removed;
  }

  private insertMapping(mapping: Region): void {
    const at = this.kernel.mappings.findIndex((m) => m.start > mapping.start);
    this.kernel.mappings.splice(at === -1 ? this.kernel.mappings.length : at, 0, mapping);
  }

  /** The highest free range of `size` bytes that ends at or below the mmap base and above the heap's reserve. */
  private findGap(size: number): number | undefined {
    const floor = this.heapStart + this.heapLimit;
    let ceiling: number = LAYOUT.mmapBase;
    for (let i = this.kernel.mappings.length - 1; i >= 0; i--) {
      const m = this.kernel.mappings[i];
      if (m.start >= ceiling) continue;
      if (m.end <= ceiling - size && ceiling - size >= floor) return ceiling - size;
      ceiling = Math.min(ceiling, m.start);
    }
    return ceiling - size >= floor ? ceiling - size : undefined;
  }

  private mappedBytes(): number {
    let total = 0;
    for (const m of this.kernel.mappings) if (m.mmapped) total += m.end - m.start;
    return total;
  }

  private lowestMappingAbove(addr: number): number {
    for (const m of this.kernel.mappings) if (m.start >= addr) return m.start;
    return LAYOUT.addressSpaceEnd;
  }

  private allMappings(): Mapping[] {
    const heap = this.heapMapping();
    const all: Mapping[] = heap === undefined ? [...this.kernel.mappings] : [...this.kernel.mappings, heap];
    return all.sort((a, b) => a.start - b.start);
  }

  private mappingAt(addr: number): Mapping | undefined {
    if (addr >= this.heapStart && addr < pageCeil(this.kernel.brk)) return this.heapMapping();
    const list = this.kernel.mappings;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid];
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return m;
    }
    return undefined;
  }

  private nearestMapping(addr: number): Mapping | undefined {
    let best: Mapping | undefined;
    let bestDistance = Infinity;
    for (const m of this.allMappings()) {
      const distance = addr < m.start ? m.start - addr : addr - m.end + 1;
      if (distance < bestDistance) {
        best = m;
        bestDistance = distance;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- reports

  /** The mappings as /proc/self/maps prints them, one per line. */
  maps(): string {
    return this.mappingList()
      .map((m) => {
        const range = `${hexNoPrefix(m.start)}-${hexNoPrefix(m.end)}`;
        const fields = `${range} ${protString(m.prot)} 00000000 00:00 0`;
        return m.name === '' ? fields : `${fields.padEnd(42)} ${m.name}`;
      })
      .join('\n');
  }

  /** The mappings as objects, sorted by address. */
  mappingList(): Mapping[] {
    this.shared?.enter(this.kernel);
    try {
      return this.allMappings().map(({ start, end, prot, name }) => ({ start, end, prot, name }));
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  stats(): ProcessStats {
    this.shared?.enter(this.kernel);
    try {
      let virtualBytes = 0;
      for (const m of this.allMappings()) virtualBytes += m.end - m.start;
      return {
        heapBytes: this.kernel.brk - this.heapStart,
        mappedBytes: this.mappedBytes(),
        virtualBytes,
        residentBytes: this.kernel.residentPages * PAGE_SIZE,
        mappedResidentBytes: this.kernel.mappedResidentPages * PAGE_SIZE,
        minorFaults: this.kernel.minorFaults,
        syscalls: { ...this.kernel.syscalls },
        memoryOps: this.memoryOps,
        bytesMoved: this.bytesMoved,
      };
    } finally {
      this.shared?.leave(this.kernel);
    }
  }

  // ---------------------------------------------------------------- threads

  /** The id of the logical thread that is running (0 is the main thread). */
  get currentThread(): number {
    return this.thread;
  }

  /** Runs `fn` as logical thread `tid`, then switches back: a deterministic interleaving. */
  runOn<T>(tid: number, fn: () => T): T {
    if (!Number.isSafeInteger(tid) || tid < 0) throw new TypeError(`runOn(${tid}): a thread id is a non-negative integer`);
    const previous = this.thread;
    this.thread = tid;
    try {
      return fn();
    } finally {
      this.thread = previous;
    }
  }
}

/** Whether `value` is a 32-bit integer, signed or unsigned: the cheap test before checkFits, on paths taken at every lock. */
function is32(value: number): boolean {
  return (value | 0) === value || value >>> 0 === value;
}

/** A store of `width` bytes takes a value that fits them, unsigned or signed; nothing is cut silently. */
function checkFits(addr: number, width: number, value: number, operation?: string): void {
  const bits = width * 8;
  if (Number.isInteger(value) && value >= -(2 ** (bits - 1)) && value < 2 ** bits) return;
  throw new RangeError(
    `${operation ?? `store${bits}`}(${hex(addr)}, ${value}): the value does not fit in ${bits} bits (it must be an integer from ${-(2 ** (bits - 1))} to ${2 ** bits - 1}). ` +
      `C would cut it silently; here that is treated as the bug it usually is.`,
  );
}

function pageCeil(addr: number): number {
  return Math.ceil(addr / PAGE_SIZE) * PAGE_SIZE;
}

function hexNoPrefix(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** A mapping as the process keeps it: also whether mmap made it (and so counts in mappedBytes). */
export interface Region extends Mapping {
  mmapped: boolean;
}

function notSafe64(addr: number, value: number): RangeError {
  return new RangeError(
    `store64(${hex(addr)}, ${value}): the value is not a safe integer (an integer between -(2^53 - 1) and 2^53 - 1). ` +
      `64-bit values in the simulator are JavaScript numbers; a size or pointer that is not exact is a bug.`,
  );
}
