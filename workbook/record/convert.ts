// The recorder's log (malloc-logger.c: `<pid> a <bytes> <ptr>`, `<pid> c <bytes> <ptr>`,
// `<pid> r <old> <bytes> <new>`, `<pid> f <ptr>`, `<pid> x`) turned into a .rep trace:
// addresses become ids, and what a trace cannot say is skipped and counted.
//
// - Only the command's own process is kept, and of it only the last program image: a
//   wrapper that execs the program (env, a pyenv shim, a shell's `exec`) logs an image
//   first, whose blocks vanish at the exec. Other processes (the command's children) are
//   counted and left out.
// - calloc is malloc of n * size bytes (the trace's bytes are filled by the driver anyway);
//   realloc(NULL, n) is malloc; realloc(p, 0) that returned NULL is free(p).
// - A free of an address never seen (allocated before the library was loaded, or inside
//   it) is skipped; a realloc of one becomes a malloc of the new block.
// - An allocation at an address still live means its free was missed: the old block is
//   freed first (counted; it should not happen).
// - Ids are reused once freed (the last freed first), so the number of ids is about the peak number of
//   live blocks. The suggested heap size is the peak live payload, as in traces/.

import type { TraceOp } from '../trace/rep.ts';

export interface ConvertOptions {
  /** The command's process; default the pid of the log's first line. */
  pid?: number;
  /** Stop the trace after this many operations (the rest is counted as cut). */
  maxOps?: number;
  /** Called every 100,000 lines of the log with the number read so far. */
  onProgress?: (linesRead: number) => void;
}

export interface Conversion {
  suggestedHeapSize: number;
  numIds: number;
  weight: number;
  ops: TraceOp[];
  counts: ConversionCounts;
}

export interface ConversionCounts {
  /** Calls of the command's last program image, by kind, that are in the trace. */
  malloc: number;
  calloc: number;
  realloc: number;
  free: number;
  /** free(p) of a p never seen: skipped. */
  unknownFrees: number;
  /** realloc(p, n) of a p never seen: recorded as malloc(n). */
  unknownReallocs: number;
  /** An allocation at an address still live: the old block freed first. */
  missedFrees: number;
  /** Blocks still live when the program ended (a program need not free before exit). */
  liveAtEnd: number;
  peakLiveBlocks: number;
  peakLivePayload: number;
  /** Calls of other processes (the command's children), left out. */
  otherProcessCalls: number;
  otherProcesses: number;
  /** Calls of program images the command exec'd away from, left out. */
  earlierImageCalls: number;
  earlierImages: number;
  /** Calls after --max-ops was reached, left out. */
  cutCalls: number;
  /** Lines of the log that were not a call (a line torn by a crash, say). */
  unreadableLines: number;
}

/** The state of one program image: the addresses live in it and their ids. */
class Image {
  ops: TraceOp[] = [];
  idOf = new Map<bigint, { id: number; bytes: number }>();
  freeIds: number[] = [];
  numIds = 0;
  payload = 0;
  calls = 0;
  counts = { malloc: 0, calloc: 0, realloc: 0, free: 0, unknownFrees: 0, unknownReallocs: 0, missedFrees: 0, peakLiveBlocks: 0, peakLivePayload: 0, cutCalls: 0 };

  allocate(ptr: bigint, bytes: number): void {
    this.forgetMissed(ptr);
    const id = this.freeIds.pop() ?? this.numIds++;
    this.idOf.set(ptr, { id, bytes });
    this.ops.push({ kind: 'a', id, bytes });
    this.grew(bytes);
  }

  /** Frees the block at `ptr`; false when there is none. */
  release(ptr: bigint): boolean {
    const block = this.idOf.get(ptr);
    if (block === undefined) return false;
    this.idOf.delete(ptr);
    this.ops.push({ kind: 'f', id: block.id });
    this.freeIds.push(block.id);
    this.payload -= block.bytes;
    return true;
  }

  move(from: bigint, to: bigint, bytes: number): void {
    const block = this.idOf.get(from) as { id: number; bytes: number };
    this.idOf.delete(from);
    if (to !== from) this.forgetMissed(to);
    this.idOf.set(to, { id: block.id, bytes });
    this.ops.push({ kind: 'r', id: block.id, bytes });
    this.payload -= block.bytes;
    this.grew(bytes);
  }

  private forgetMissed(ptr: bigint): void {
    if (this.release(ptr)) this.counts.missedFrees++;
  }

  private grew(bytes: number): void {
    this.payload += bytes;
    this.counts.peakLivePayload = Math.max(this.counts.peakLivePayload, this.payload);
    this.counts.peakLiveBlocks = Math.max(this.counts.peakLiveBlocks, this.idOf.size);
  }
}

const PROGRESS_EVERY = 100_000;

/** Converts the text of a log into a trace and what was left out. */
export function convertLog(text: string, options: ConvertOptions = {}): Conversion {
  let root = options.pid;
  const maxOps = options.maxOps ?? Infinity;
  const others = new Set<number>();
  let otherProcessCalls = 0;
  let earlierImageCalls = 0;
  let earlierImages = 0;
  let unreadableLines = 0;
  let image: Image | undefined;
  let lineNumber = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (++lineNumber % PROGRESS_EVERY === 0) options.onProgress?.(lineNumber);
    if (line === '') continue;
    const words = line.split(' ');
    const pid = Number(words[0]);
    if (!/^\d+$/.test(words[0]) || !isWellFormed(words)) {
      unreadableLines++;
      continue;
    }
    root ??= pid;
    if (pid !== root) {
      if (words[1] !== 'x') otherProcessCalls++;
      others.add(pid);
      continue;
    }
    if (words[1] === 'x') {
      if (image !== undefined) {
        earlierImages++;
        earlierImageCalls += image.calls;
      }
      image = new Image();
      continue;
    }
    image ??= new Image(); // a log without its start line (written by hand, in a test)
    image.calls++;
    if (image.ops.length >= maxOps) {
      image.counts.cutCalls++;
      continue;
    }
    apply(image, words);
  }
  image ??= new Image();
  const { counts } = image;
  return {
    suggestedHeapSize: counts.peakLivePayload,
    numIds: image.numIds,
    weight: 1,
    ops: image.ops,
    counts: {
      ...counts,
      liveAtEnd: image.idOf.size,
      otherProcessCalls,
      otherProcesses: others.size,
      earlierImageCalls,
      earlierImages,
      unreadableLines,
    },
  };
}

const ARITY: Record<string, number> = { a: 4, c: 4, r: 5, f: 3, x: 2 };

function isWellFormed(words: string[]): boolean {
  const kind = words[1];
  if (ARITY[kind] === undefined || words.length !== ARITY[kind]) return false;
  // Sizes in decimal, pointers in hex.
  const hex = kind === 'r' ? [2, 4] : kind === 'x' ? [] : [words.length - 1];
  return words.slice(2).every((w, i) => (hex.includes(i + 2) ? /^[0-9a-f]+$/ : /^\d+$/).test(w));
}

function apply(image: Image, words: string[]): void {
  const { counts } = image;
  switch (words[1]) {
    case 'a':
    case 'c': {
      counts[words[1] === 'a' ? 'malloc' : 'calloc']++;
      image.allocate(BigInt(`0x${words[3]}`), Number(words[2]));
      return;
    }
    case 'f': {
      if (image.release(BigInt(`0x${words[2]}`))) counts.free++;
      else counts.unknownFrees++;
      return;
    }
    case 'r': {
      const from = BigInt(`0x${words[2]}`);
      const bytes = Number(words[3]);
      const to = BigInt(`0x${words[4]}`);
      if (from === 0n) {
        if (to !== 0n) {
          counts.malloc++;
          image.allocate(to, bytes);
        }
        return;
      }
      const known = image.idOf.has(from);
      if (to === 0n) {
        // Only realloc(p, 0) that freed p is logged with a NULL result.
        if (known) {
          counts.free++;
          image.release(from);
        } else counts.unknownFrees++;
        return;
      }
      if (known) {
        counts.realloc++;
        image.move(from, to, bytes);
      } else {
        counts.unknownReallocs++;
        image.allocate(to, bytes);
      }
    }
  }
}
