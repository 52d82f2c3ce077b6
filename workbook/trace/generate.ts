// The workbook's own traces, made by a seeded generator: the same seed gives the same
// trace on every machine. Each pattern stresses one thing an allocator must get right;
// every trace frees all it allocates by its end (the `-bal` traces of CS:APP do too).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './prng.ts';
import { writeRep, type Trace, type TraceOp } from './rep.ts';

export type Pattern = 'binary' | 'coalescing' | 'random' | 'realloc' | 'tiny' | 'mixed' | 'churn';

interface PatternSpec {
  description: string;
  /** Appends about `ops` operations to `trace`, which frees what is still live afterwards. */
  generate(trace: TraceBuilder, random: Random, ops: number): void;
}

export const PATTERNS: Readonly<Record<Pattern, PatternSpec>> = {
  binary: {
    description: 'small and large blocks alternate; the large ones are freed, then bigger ones asked for: the holes are too small (fragmentation)',
    generate(trace, random, ops) {
      const pairs = Math.max(1, Math.floor(ops / 5));
      const small = random.int(1, 4) * 16;
      const large = random.int(6, 28) * 16;
      const larger = large + random.int(1, 4) * 16;
      const larges: number[] = [];
      for (let i = 0; i < pairs; i++) {
        trace.malloc(small);
        larges.push(trace.malloc(large));
      }
      for (const id of larges) trace.free(id);
      for (let i = 0; i < pairs / 2; i++) trace.malloc(larger);
    },
  },
  coalescing: {
    description: 'a run of blocks is allocated and freed, then one block as big as the whole run: it fits only if free neighbours are merged',
    generate(trace, random, ops) {
      const keep: number[] = [];
      while (trace.length < ops - 12) {
        const count = random.int(2, 6);
        const size = random.int(1, 64) * 16;
        const run: number[] = [];
        for (let i = 0; i < count; i++) run.push(trace.malloc(size));
        if (random.chance(0.2)) keep.push(trace.malloc(random.int(1, 8) * 16)); // a long-lived block past the run
        for (const id of random.shuffle(run)) trace.free(id);
        trace.free(trace.malloc(count * size));
        if (keep.length > 0 && random.chance(0.1)) trace.free(keep.splice(random.int(0, keep.length - 1), 1)[0]);
      }
    },
  },
  random: {
    description: 'random sizes from 1 byte to 16 KiB, freed in random order',
    generate(trace, random, ops) {
      while (trace.length < ops - trace.live) {
        if (trace.live === 0 || random.chance(0.55)) trace.malloc(random.logInt(1, 16 * 1024));
        else trace.free(trace.randomLive(random));
      }
    },
  },
  realloc: {
    description: 'a few blocks grow by realloc again and again, each followed by a small block that stands in the way of growing in place',
    generate(trace, random, ops) {
      const growers = Array.from({ length: random.int(2, 4) }, () => trace.malloc(random.int(1, 16) * 16));
      const blockers: number[] = [];
      while (trace.length < ops - growers.length - blockers.length - 3) {
        const which = random.int(0, growers.length - 1);
        const id = growers[which];
        const size = trace.sizeOf(id);
        if (size > 96 * 1024) {
          trace.free(id); // grown enough: start over with a small one
          growers[which] = trace.malloc(random.int(1, 16) * 16);
        } else if (random.chance(0.04)) trace.realloc(id, Math.max(1, Math.floor(size * (0.5 + random.float() / 2)))); // shrink
        else trace.realloc(id, size + random.int(1, 64) * 16 + random.int(0, 15));
        blockers.push(trace.malloc(random.int(1, 8) * 16));
        if (blockers.length > 2) trace.free(blockers.shift() as number);
      }
    },
  },
  tiny: {
    description: 'thousands of tiny objects (1 to 55 bytes), most of them live at once',
    generate(trace, random, ops) {
      const sizes = [1, 2, 4, 8, 8, 8, 12, 16, 16, 16, 24, 24, 32, 40, 48];
      const peak = Math.floor(ops * 0.35);
      while (trace.length < ops - trace.live) {
        const growing = trace.live < peak && trace.length < ops / 2;
        if (trace.live === 0 || random.chance(growing ? 0.85 : 0.45)) trace.malloc(random.pick(sizes) + (random.chance(0.2) ? random.int(0, 7) : 0));
        else trace.free(trace.randomLive(random));
      }
    },
  },
  mixed: {
    description: 'a program-like mix: mostly small blocks, some medium, a few of hundreds of KiB; short and long lives; some reallocs',
    generate(trace, random, ops) {
      const size = () => tieredSize(random, [[0.7, 1, 128], [0.92, 129, 4096], [0.99, 4097, 64 * 1024], [1, 128 * 1024, 512 * 1024]]);
      while (trace.length < ops - trace.live) {
        const roll = random.float();
        if (trace.live === 0 || roll < 0.5) trace.malloc(size());
        else if (roll < 0.6) trace.realloc(trace.randomLive(random), size());
        else trace.free(trace.randomLive(random));
      }
    },
  },
  churn: {
    description: 'a long steady state: an eighth of the operations stay live at once, and random live blocks are freed and replaced; sizes 1 B to 4 KiB, most under 256 B; a few reallocs',
    generate(trace, random, ops) {
      // Sizes as programs ask for them: many strings and small structs, fewer buffers.
      const size = () => tieredSize(random, [[0.6, 1, 64], [0.85, 65, 256], [0.96, 257, 1024], [1, 1025, 4096]]);
      const target = Math.max(8, Math.floor(ops / 8));
      while (trace.length < ops - trace.live) {
        // Around the target the working set drifts; far from it, it is pulled back.
        const pMalloc = trace.live < target * 0.9 ? 0.8 : trace.live > target * 1.1 ? 0.2 : 0.5;
        const roll = random.float();
        if (trace.live === 0 || roll < pMalloc * 0.96) trace.malloc(size());
        else if (roll < pMalloc) trace.realloc(trace.randomLive(random), size());
        else trace.free(trace.randomLive(random));
      }
    },
  },
};

/**
 * A size from tiers `[up to, min, max]`, in order: one roll picks the first tier whose bound
 * it is under, and the size is drawn evenly from that tier's range.
 */
function tieredSize(random: Random, tiers: readonly (readonly [number, number, number])[]): number {
  const roll = random.float();
  const [, min, max] = tiers.find(([upTo]) => roll < upTo) ?? tiers[tiers.length - 1];
  return random.int(min, max);
}

/** Builds a well-formed trace: fresh ids, frees and reallocs of live blocks only. */
export class TraceBuilder {
  readonly ops: TraceOp[] = [];
  private nextId = 0;
  /** Live ids, in a list for picking at random, with each id's index in it and its size. */
  private readonly liveIds: number[] = [];
  private readonly index = new Map<number, { at: number; bytes: number }>();
  private payload = 0;
  private peak = 0;

  get length(): number {
    return this.ops.length;
  }

  get live(): number {
    return this.liveIds.length;
  }

  /** Appends `a id bytes` with a new id, and returns the id. */
  malloc(bytes: number): number {
    const id = this.nextId++;
    this.ops.push({ kind: 'a', id, bytes });
    this.index.set(id, { at: this.liveIds.length, bytes });
    this.liveIds.push(id);
    this.account(bytes);
    return id;
  }

  free(id: number): void {
    const entry = this.entry(id);
    this.ops.push({ kind: 'f', id });
    const last = this.liveIds.pop() as number;
    if (last !== id) {
      this.liveIds[entry.at] = last;
      this.entry(last).at = entry.at;
    }
    this.index.delete(id);
    this.account(-entry.bytes);
  }

  realloc(id: number, bytes: number): void {
    const entry = this.entry(id);
    this.ops.push({ kind: 'r', id, bytes });
    this.account(bytes - entry.bytes);
    entry.bytes = bytes;
  }

  sizeOf(id: number): number {
    return this.entry(id).bytes;
  }

  randomLive(random: Random): number {
    if (this.liveIds.length === 0) throw new RangeError('no block is live');
    return this.liveIds[random.int(0, this.liveIds.length - 1)];
  }

  /** Frees every live block, in random order. */
  freeAll(random: Random): void {
    for (const id of random.shuffle([...this.liveIds])) this.free(id);
  }

  /** The trace; its suggested heap size is the peak live payload. */
  toTrace(name: string): Trace {
    return { name, suggestedHeapSize: this.peak, numIds: this.nextId, weight: 1, ops: [...this.ops] };
  }

  private entry(id: number): { at: number; bytes: number } {
    const entry = this.index.get(id);
    if (entry === undefined) throw new RangeError(`id ${id} is not live`);
    return entry;
  }

  private account(delta: number): void {
    this.payload += delta;
    this.peak = Math.max(this.peak, this.payload);
  }
}

/** A trace of about `ops` operations of `pattern`, the same for the same seed. */
export function generateTrace(pattern: Pattern, options: { seed: number; ops: number; name?: string }): Trace {
  const spec = PATTERNS[pattern];
  if (spec === undefined) throw new RangeError(`There is no trace pattern '${pattern}'. Known: ${Object.keys(PATTERNS).join(', ')}.`);
  const random = new Random(options.seed);
  const trace = new TraceBuilder();
  spec.generate(trace, random, options.ops);
  trace.freeAll(random);
  return trace.toTrace(options.name ?? `${pattern}-${options.seed}`);
}

export interface ShippedTrace {
  /** The file in traces/. */
  file: string;
  pattern: Pattern;
  seed: number;
  ops: number;
}

/** The traces in traces/, as `npm run trace -- --generate` writes them. */
export const SHIPPED_TRACES: readonly ShippedTrace[] = [
  { file: 'short.rep', pattern: 'random', seed: 1, ops: 12 },
  // Small enough to step through in the book's heap view.
  { file: 'coalescing-small.rep', pattern: 'coalescing', seed: 3, ops: 60 },
  { file: 'binary-small.rep', pattern: 'binary', seed: 3, ops: 40 },
  { file: 'realloc-small.rep', pattern: 'realloc', seed: 4, ops: 40 },
  { file: 'binary.rep', pattern: 'binary', seed: 1, ops: 4000 },
  { file: 'coalescing.rep', pattern: 'coalescing', seed: 1, ops: 4000 },
  { file: 'random.rep', pattern: 'random', seed: 1, ops: 4000 },
  { file: 'random2.rep', pattern: 'random', seed: 2, ops: 4000 },
  { file: 'realloc.rep', pattern: 'realloc', seed: 1, ops: 4000 },
  { file: 'tiny.rep', pattern: 'tiny', seed: 1, ops: 6000 },
  { file: 'mixed.rep', pattern: 'mixed', seed: 1, ops: 4000 },
  // Long enough that speed is measured over a steady state, not over the start of a heap.
  { file: 'churn.rep', pattern: 'churn', seed: 1, ops: 24000 },
];

/** Writes every shipped trace into `dir`; returns the paths written. */
export function writeShippedTraces(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return SHIPPED_TRACES.map((shipped) => {
    const trace = generateTrace(shipped.pattern, { seed: shipped.seed, ops: shipped.ops, name: shipped.file });
    const path = join(dir, shipped.file);
    writeFileSync(path, writeRep(trace));
    return path;
  });
}
