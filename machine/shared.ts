// Shared mode: one process's memory and kernel state in SharedArrayBuffers, so that the same
// process can be attached in several worker_threads and run as real, parallel threads.
//
// Three buffers hold everything the workers must agree on:
//   physical    the frames, as in normal mode, allocated at full size (a SharedArrayBuffer
//               cannot move, so it never grows)
//   pageTables  the read, write and own-frame tables, one Int32 per virtual page each
//   kernel      a lock, the scalars (break, counters, top of physical memory), the mapping
//               list, the statics, the names they use, and the stack of free frames
//
// Each attached Process keeps a copy of the kernel state in plain JavaScript (its
// KernelState), so that process.ts runs the same code in both modes. Every syscall and
// every page fault takes the kernel lock, refreshes that copy from shared memory (the
// mapping list and the statics only when another worker changed them, seen by a
// generation number), runs, publishes what it changed and releases the lock.
//
// The page tables: entries are written only with the kernel lock held, with Atomics.store,
// after the frame they point to has been zeroed; the slow path reads them under the lock.
// The fast path (load32, store32, ...) reads them plainly, which is enough: a thread uses
// an address only after learning it from the thread that mapped it (a pointer handed over
// through a lock, an atomic or a message), and that hand-over and the release of the
// kernel lock are Atomics operations, which order everything written before them, so the
// mapping is visible by the time the pointer is. An entry that is still empty (NO_FRAME)
// sends the access to the slow path, which faults the page in under the lock; an entry
// filled by another thread's first touch meanwhile points at a frame already zeroed. Only
// a racy program, using an address while another thread unmaps it, may see a stale entry,
// as a CPU may use a stale TLB entry.
//
// The counters of stats() are Float64s in the kernel buffer, changed only under the lock;
// memoryOps and bytesMoved, counted on the fast path, stay in each Process (sum them).

import { LAYOUT, PAGE_SIZE } from './constants.ts';
import type { KernelState, Region, SyscallName } from './process.ts';

/** What Process.attach needs to build a Process over the same memory in another worker: structured-cloneable. */
export interface SharedProcessHandle {
  readonly physical: SharedArrayBuffer;
  readonly pageTables: SharedArrayBuffer;
  readonly kernel: SharedArrayBuffer;
  readonly heapLimit: number;
  readonly mmapLimit: number;
  readonly physicalLimit: number;
  readonly env: Record<string, string>;
}

/** What a syscall may have changed besides the scalars, which are always published. */
export const CHANGED_MAPPINGS = 1;
export const CHANGED_STATICS = 2;

/** As Linux's vm.max_map_count: the mapping list is a fixed table. */
export const MAX_MAPPINGS = 65530;
const MAX_STATICS = LAYOUT.dataSize / 16; // 4096: the data segment holds no more 16-byte slots
const MAX_NAMES = 8192;
const MAX_NAME_UNITS = 1 << 18; // 256 Ki UTF-16 code units for every name together

// Int32 words at the start of the kernel buffer.
const LOCK = 0; // 0 free, 1 taken, 2 taken and someone may be waiting (Drepper's futex mutex)
const MAPPINGS_GENERATION = 1;
const STATICS_GENERATION = 2;
const MAPPING_COUNT = 3;
const STATIC_COUNT = 4;
const NAME_COUNT = 5;
const NAME_UNITS = 6;
const FREE_FRAME_COUNT = 7;
const WORDS = 16;

// Float64 scalars after them: exact integers up to 2^53, written only under the lock.
const BRK = 0;
const DATA_NEXT = 1;
const PHYSICAL_TOP = 2;
const RESIDENT_PAGES = 3;
const MAPPED_RESIDENT_PAGES = 4;
const MINOR_FAULTS = 5;
const SYSCALLS = 6; // one per syscall, in the order of SYSCALL_NAMES
const SCALARS = 16;
const SYSCALL_NAMES: readonly SyscallName[] = ['brk', 'sbrk', 'mmap', 'munmap', 'mprotect', 'madvise'];

const MAPPING_FIELDS = 5; // start, end, prot, mmapped, name
const STATIC_FIELDS = 3; // address, size, name
const NAME_FIELDS = 2; // first code unit, length

/** Byte offsets of the parts of the kernel buffer, for a machine with `frames` physical frames. */
function kernelLayout(frames: number) {
  let size = 0;
  const take = (bytes: number): number => {
    const at = size;
    size += Math.ceil(bytes / 8) * 8;
    return at;
  };
  const words = take(WORDS * 4);
  const scalars = take(SCALARS * 8);
  const mappings = take(MAX_MAPPINGS * MAPPING_FIELDS * 4);
  const statics = take(MAX_STATICS * STATIC_FIELDS * 4);
  const names = take(MAX_NAMES * NAME_FIELDS * 4);
  const nameUnits = take(MAX_NAME_UNITS * 2);
  const freeFrames = take(frames * 4);
  return { words, scalars, mappings, statics, names, nameUnits, freeFrames, size };
}

/** The free frames, a stack in shared memory; used only with the kernel lock held. */
class SharedFrameStack {
  constructor(
    private readonly words: Int32Array,
    private readonly frames: Int32Array,
  ) {}

  push(frame: number): void {
    const count = this.words[FREE_FRAME_COUNT];
    this.frames[count] = frame;
    this.words[FREE_FRAME_COUNT] = count + 1;
  }

  pop(): number | undefined {
    const count = this.words[FREE_FRAME_COUNT];
    if (count === 0) return undefined;
    this.words[FREE_FRAME_COUNT] = count - 1;
    return this.frames[count - 1];
  }
}

/** One worker's view of a shared process's kernel: the lock, and the copy of the state it guards. */
export class SharedKernel {
  readonly freeFrames: SharedFrameStack;
  private readonly words: Int32Array;
  private readonly scalars: Float64Array;
  private readonly mappingRecords: Uint32Array;
  private readonly staticRecords: Uint32Array;
  private readonly nameRecords: Uint32Array;
  private readonly nameUnits: Uint16Array;
  /** Kernel entries of this worker not yet left: a syscall may call another (maps() calls mappingList()). */
  private depth = 0;
  private mappingsSeen = -1;
  private staticsSeen = -1;
  /** The names seen so far, by number, and their numbers. */
  private names: string[] = [];
  private nameIds = new Map<string, number>();

  private constructor(readonly handle: SharedProcessHandle) {
    const frames = handle.physicalLimit / PAGE_SIZE;
    const layout = kernelLayout(frames);
    const buffer = handle.kernel;
    this.words = new Int32Array(buffer, layout.words, WORDS);
    this.scalars = new Float64Array(buffer, layout.scalars, SCALARS);
    this.mappingRecords = new Uint32Array(buffer, layout.mappings, MAX_MAPPINGS * MAPPING_FIELDS);
    this.staticRecords = new Uint32Array(buffer, layout.statics, MAX_STATICS * STATIC_FIELDS);
    this.nameRecords = new Uint32Array(buffer, layout.names, MAX_NAMES * NAME_FIELDS);
    this.nameUnits = new Uint16Array(buffer, layout.nameUnits, MAX_NAME_UNITS);
    this.freeFrames = new SharedFrameStack(this.words, new Int32Array(buffer, layout.freeFrames, frames));
  }

  /** New shared memory for a process with these limits; `frameBytes` is the physical memory plus the frames below the first free one. */
  static create(limits: { heapLimit: number; mmapLimit: number; physicalLimit: number; env: Record<string, string> }, frameBytes: number, pages: number): SharedKernel {
    return new SharedKernel({
      physical: new SharedArrayBuffer(frameBytes),
      pageTables: new SharedArrayBuffer(3 * pages * 4),
      kernel: new SharedArrayBuffer(kernelLayout(limits.physicalLimit / PAGE_SIZE).size),
      ...limits,
    });
  }

  /** A view of the shared memory another worker created. */
  static attach(handle: SharedProcessHandle): SharedKernel {
    for (const part of ['physical', 'pageTables', 'kernel'] as const) {
      if (!(handle[part] instanceof SharedArrayBuffer)) {
        throw new TypeError(`Process.attach(handle): handle.${part} is not a SharedArrayBuffer; pass what proc.shareHandle() returned (through workerData or postMessage)`);
      }
    }
    return new SharedKernel(handle);
  }

  /** The three page tables (read, write, own frame) over the shared buffer. */
  pageTables(pages: number): [Int32Array, Int32Array, Int32Array] {
    const buffer = this.handle.pageTables;
    return [new Int32Array(buffer, 0, pages), new Int32Array(buffer, pages * 4, pages), new Int32Array(buffer, pages * 8, pages)];
  }

  /** The creator's first state, published before any other worker can attach. */
  publishInitial(state: KernelState): void {
    this.enter(state, false);
    this.leave(state, CHANGED_MAPPINGS | CHANGED_STATICS);
  }

  /** Takes the kernel lock and brings `state` up to date with shared memory. */
  enter(state: KernelState, refresh = true): void {
    if (this.depth++ > 0) return;
    lock(this.words, LOCK);
    if (!refresh) return;
    const s = this.scalars;
    state.brk = s[BRK];
    state.dataNext = s[DATA_NEXT];
    state.physicalTop = s[PHYSICAL_TOP];
    state.residentPages = s[RESIDENT_PAGES];
    state.mappedResidentPages = s[MAPPED_RESIDENT_PAGES];
    state.minorFaults = s[MINOR_FAULTS];
    for (let i = 0; i < SYSCALL_NAMES.length; i++) state.syscalls[SYSCALL_NAMES[i]] = s[SYSCALLS + i];
    if (this.words[MAPPINGS_GENERATION] !== this.mappingsSeen) this.loadMappings(state);
    if (this.words[STATICS_GENERATION] !== this.staticsSeen) this.loadStatics(state);
  }

  /** Publishes `state` (the scalars always, the rest as `changed` says) and releases the lock. */
  leave(state: KernelState, changed = 0): void {
    if (--this.depth > 0) return;
    try {
      const s = this.scalars;
      s[BRK] = state.brk;
      s[DATA_NEXT] = state.dataNext;
      s[PHYSICAL_TOP] = state.physicalTop;
      s[RESIDENT_PAGES] = state.residentPages;
      s[MAPPED_RESIDENT_PAGES] = state.mappedResidentPages;
      s[MINOR_FAULTS] = state.minorFaults;
      for (let i = 0; i < SYSCALL_NAMES.length; i++) s[SYSCALLS + i] = state.syscalls[SYSCALL_NAMES[i]];
      if ((changed & CHANGED_MAPPINGS) !== 0) this.storeMappings(state);
      if ((changed & CHANGED_STATICS) !== 0) this.storeStatics(state);
    } finally {
      unlock(this.words, LOCK);
    }
  }

  private loadMappings(state: KernelState): void {
    const count = this.words[MAPPING_COUNT];
    const r = this.mappingRecords;
    const mappings: Region[] = [];
    for (let i = 0, at = 0; i < count; i++, at += MAPPING_FIELDS) {
      mappings.push({ start: r[at], end: r[at + 1], prot: r[at + 2], mmapped: r[at + 3] === 1, name: this.nameOf(r[at + 4]) });
    }
    state.mappings = mappings;
    this.mappingsSeen = this.words[MAPPINGS_GENERATION];
  }

  private storeMappings(state: KernelState): void {
    const mappings = state.mappings;
    if (mappings.length > MAX_MAPPINGS) {
      this.mappingsSeen = -1; // the copy is ahead of shared memory: reload it next time
      throw new RangeError(`The shared process has more than ${MAX_MAPPINGS} mappings (vm.max_map_count); unmap some or use fewer, larger ones.`);
    }
    const r = this.mappingRecords;
    for (let i = 0, at = 0; i < mappings.length; i++, at += MAPPING_FIELDS) {
      const m = mappings[i];
      r[at] = m.start;
      r[at + 1] = m.end;
      r[at + 2] = m.prot;
      r[at + 3] = m.mmapped ? 1 : 0;
      r[at + 4] = this.idOf(m.name);
    }
    this.words[MAPPING_COUNT] = mappings.length;
    this.mappingsSeen = ++this.words[MAPPINGS_GENERATION];
  }

  private loadStatics(state: KernelState): void {
    const count = this.words[STATIC_COUNT];
    const r = this.staticRecords;
    state.statics = new Map();
    for (let i = 0, at = 0; i < count; i++, at += STATIC_FIELDS) state.statics.set(this.nameOf(r[at + 2]), { address: r[at], size: r[at + 1] });
    this.staticsSeen = this.words[STATICS_GENERATION];
  }

  private storeStatics(state: KernelState): void {
    // Statics are only ever added, and the data segment holds at most MAX_STATICS of them.
    if (state.statics.size === this.words[STATIC_COUNT]) return; // a lookup of a known name
    const r = this.staticRecords;
    let at = 0;
    for (const [name, slot] of state.statics) {
      r[at] = slot.address;
      r[at + 1] = slot.size;
      r[at + 2] = this.idOf(name);
      at += STATIC_FIELDS;
    }
    this.words[STATIC_COUNT] = state.statics.size;
    this.staticsSeen = ++this.words[STATICS_GENERATION];
  }

  /** The name numbered `id`; names are only ever appended, so the local list only grows. */
  private nameOf(id: number): string {
    while (this.names.length <= id) {
      const at = this.names.length * NAME_FIELDS;
      const first = this.nameRecords[at];
      const name = String.fromCharCode(...this.nameUnits.subarray(first, first + this.nameRecords[at + 1]));
      this.nameIds.set(name, this.names.length);
      this.names.push(name);
    }
    return this.names[id];
  }

  /** The number of `name`, appending it to the shared names if no worker has used it yet. */
  private idOf(name: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    const count = this.words[NAME_COUNT];
    if (this.names.length < count) {
      this.nameOf(count - 1); // another worker added names since: learn them first
      return this.idOf(name);
    }
    const first = this.words[NAME_UNITS];
    if (count === MAX_NAMES || first + name.length > MAX_NAME_UNITS) {
      throw new RangeError(`The shared process has no room for more names of mappings and statics (${MAX_NAMES} names, ${MAX_NAME_UNITS} characters in all).`);
    }
    for (let i = 0; i < name.length; i++) this.nameUnits[first + i] = name.charCodeAt(i);
    this.nameRecords[count * NAME_FIELDS] = first;
    this.nameRecords[count * NAME_FIELDS + 1] = name.length;
    this.words[NAME_UNITS] = first + name.length;
    this.words[NAME_COUNT] = count + 1;
    this.nameIds.set(name, count);
    this.names.push(name);
    return count;
  }
}

// A mutex on an Int32 word, after Ulrich Drepper's "Futexes Are Tricky" (mutex 2): 0 free,
// 1 taken, 2 taken with possible waiters; only an unlock that sees 2 pays for a notify.

function lock(words: Int32Array, index: number): void {
  let c = Atomics.compareExchange(words, index, 0, 1);
  if (c === 0) return;
  if (c !== 2) c = Atomics.exchange(words, index, 2);
  while (c !== 0) {
    Atomics.wait(words, index, 2);
    c = Atomics.exchange(words, index, 2);
  }
}

function unlock(words: Int32Array, index: number): void {
  if (Atomics.sub(words, index, 1) !== 1) {
    Atomics.store(words, index, 0);
    Atomics.notify(words, index, 1);
  }
}
