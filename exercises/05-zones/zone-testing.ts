// Helpers for the tests of chapter 5, shared by its test files: not an exercise, nothing to
// edit. They read your racks and regions with the checker and its readers of check.ts (given:
// exercises/05-zones/check.ts is the reference's own), never with your own functions, so a bug
// in those cannot hide itself.

import { expect } from 'vitest';
import { HeapCorruption, hex, type Process } from '../../machine/index.ts';
import { type Reader, type RackPlace, SMALL_READER, TINY_READER, checkOneRack, checkZone } from '../../solutions/05-zones/check.ts';
import { LARGE_BYTES } from '../../solutions/05-zones/large.ts';
import { RACK, rackLayout } from '../../solutions/05-zones/rack.ts';
import { REGION, REGION_BYTES } from '../../solutions/05-zones/region.ts';
import { SMALL } from '../../solutions/05-zones/small-region.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';
import { mulberry32 } from '../../workbook/trace/prng.ts';
import { around, fillPattern, findPatternDamage } from '../../workbook/testing.ts';

/** `1 quantum`, `3 quanta`: a count of quanta as a message says it. */
const quanta = (count: number) => `${count} ${count === 1 ? 'quantum' : 'quanta'}`;

export { SMALL_READER, TINY_READER };

/** What the checker needs of a zone; a scale left out is an empty one. */
export interface CheckedParts {
  tiny?: RackPlace;
  small?: RackPlace;
  large?: { base: number };
}

/** An empty rack of `kind`'s scale in a data-segment slot of its own, for scales a test does not use. */
function emptyRack(proc: Process, name: 'tiny' | 'small'): RackPlace {
  const layout = name === 'tiny' ? rackLayout(TINY, 63) : rackLayout(SMALL, 64);
  const base = proc.static(`test_empty_${name}_rack`, layout.bytes);
  return { base, layout, regionMap: base + layout.regionMap, keepEmpty: 0 };
}

/**
 * Runs the reference checker over `parts` and throws what it finds, naming the step after
 * which the heap broke: call it after every step of a test.
 */
export function expectSound(proc: Process, after: string, parts: CheckedParts): void {
  const problem = checkZone(proc, {
    tiny: parts.tiny ?? emptyRack(proc, 'tiny'),
    small: parts.small ?? emptyRack(proc, 'small'),
    large: parts.large ?? { base: proc.static('test_empty_large', LARGE_BYTES) },
  });
  if (problem !== '') {
    const maps = [...(parts.tiny === undefined ? [] : regionMaps(proc, parts.tiny, TINY_READER)), ...(parts.small === undefined ? [] : regionMaps(proc, parts.small, SMALL_READER))];
    throw new Error(`After ${after}, the check of exercises/05-zones/check.ts finds a broken invariant:\n${problem}${maps.map((m) => `\n${m}`).join('')}`);
  }
}

/** The same for one rack alone, read as `reader` says. */
export function expectRackSound(proc: Process, after: string, rack: RackPlace, reader: Reader): void {
  const problem = checkOneRack(proc, rack, reader);
  if (problem !== '') {
    throw new Error(`After ${after}, the check of exercises/05-zones/check.ts finds a broken invariant:\n${problem}${regionMaps(proc, rack, reader).map((m) => `\n${m}`).join('')}`);
  }
}

/**
 * The blocks of a rack's newest regions, a line each, for a failure: the symptom the check
 * names (a count, a bit) is often plainer in the blocks that caused it. A region whose blocks
 * cannot be read says why instead.
 */
function regionMaps(proc: Process, rack: { base: number }, reader: Reader, most = 3): string[] {
  const lines: string[] = [];
  for (let region = proc.load32(rack.base + RACK.regions); region !== 0 && lines.length < most; region = proc.load32(region + REGION.next)) {
    try {
      lines.push(describeLayout(proc, rack, reader, region));
    } catch (error) {
      lines.push(`${reader.name} region ${hex(region)}: its blocks cannot be read (${(error as Error).message.split('\n')[0]})`);
    }
  }
  return lines;
}

export type BlockState = 'in use' | 'free' | 'death row';

/**
 * The blocks of `region` from quantum 0 to its tail, as [quanta, state], read from the
 * metadata by the reference reader. Death row's block is marked in use in the metadata but
 * is shown as 'death row'.
 */
export function regionLayout(proc: Process, rack: { base: number }, reader: Reader, region: number): Array<[number, BlockState]> {
  const condemned = proc.load32(rack.base + RACK.lastFree);
  const tail = proc.load32(region + REGION.tail);
  const blocks: Array<[number, BlockState]> = [];
  for (let q = 0; q < tail; ) {
    const msize = reader.msize(proc, region, q);
    if (msize < 1) throw new Error(`${reader.name} region ${hex(region)}, quantum ${q}: a block of ${quanta(msize)}\n${around(proc, region + REGION_BYTES + q * reader.quantum)}`);
    const address = region + REGION_BYTES + q * reader.quantum;
    blocks.push([msize, reader.isFree(proc, region, q) ? 'free' : address === condemned ? 'death row' : 'in use']);
    q += msize;
  }
  return blocks;
}

/** `[2 in use] [3 free] [1 death row]`: blocks as a line of text. */
export function layoutText(blocks: Array<[number, BlockState]>): string {
  return blocks.map(([msize, state]) => `[${msize} ${state}]`).join(' ');
}

/** `tiny region 0x…: [2 in use] [3 free] | tail at quantum 5`, for a message. */
export function describeLayout(proc: Process, rack: { base: number }, reader: Reader, region: number): string {
  const blocks = layoutText(regionLayout(proc, rack, reader, region));
  return `${reader.name} region ${hex(region)}: ${blocks || '(no block)'} | tail at quantum ${proc.load32(region + REGION.tail)}`;
}

/** The address of quantum `q` of `region`, as the reference reader lays blocks out. */
export function quantumAddress(reader: Reader, region: number, q: number): number {
  return region + REGION_BYTES + q * reader.quantum;
}

/** What a random run needs of a rack, yours or the reference one. */
export interface RackUnderTest extends RackPlace {
  malloc(msize: number): number;
  regionOf(ptr: number): number;
  quantumOf(region: number, ptr: number, call: string): number;
  free(region: number, q: number): void;
}

/**
 * `ops` random mallocs (1 to `maxMsize` quanta, mostly at most 10) and frees. Every block is
 * filled with a pattern and read back before it is freed; the reference check runs every
 * `checkEvery` operations and at the end, and a failure shows the newest region's blocks.
 */
export function randomRun(proc: Process, rack: RackUnderTest, reader: Reader, options: { ops: number; seed: number; maxMsize: number; checkEvery: number }): void {
  const random = mulberry32(options.seed);
  const live = new Map<number, { ptr: number; msize: number }>();
  const check = (after: string) => {
    expectRackSound(proc, after, rack, reader); // its message shows the newest regions' blocks
  };
  /** Runs one step; what it throws says which step, and the newest region as it was left. */
  const run = <T>(step: string, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof Error && !error.message.startsWith('op ')) {
        const region = proc.load32(rack.base + RACK.regions);
        error.message = `op ${step} threw: ${error.message}${region === 0 ? '' : `\n${describeLayout(proc, rack, reader, region)}`}`;
      }
      throw error;
    }
  };
  for (let op = 0; op < options.ops; op++) {
    const ids = [...live.keys()];
    let step: string;
    if (ids.length > 0 && random() < 0.45) {
      const id = ids[Math.floor(random() * ids.length)];
      const { ptr, msize } = live.get(id)!;
      const damage = findPatternDamage(proc, ptr, msize * reader.quantum, id);
      if (damage !== undefined) throw new Error(`op ${op}: block ${hex(ptr)} (${quanta(msize)}) changed at ${hex(damage)} while it was in use:\n${around(proc, damage, 1)}`);
      run(`${op}: free(${hex(ptr)}) of ${quanta(msize)}`, () => {
        const region = rack.regionOf(ptr);
        rack.free(region, rack.quantumOf(region, ptr, 'free()'));
      });
      live.delete(id);
      step = `op ${op}: free(${hex(ptr)}) of ${quanta(msize)}`;
    } else {
      const msize = 1 + Math.floor(random() * (random() < 0.15 ? options.maxMsize : 10));
      const ptr = run(`${op}: malloc(${quanta(msize)})`, () => rack.malloc(msize));
      if (ptr === 0) throw new Error(`op ${op}: malloc(${quanta(msize)}) returned NULL`);
      fillPattern(proc, ptr, msize * reader.quantum, op);
      live.set(op, { ptr, msize });
      step = `op ${op}: malloc(${quanta(msize)}) = ${hex(ptr)}`;
    }
    if (op % options.checkEvery === 0) check(step);
  }
  check(`the last of ${options.ops} random operations`);
}

/** Fails unless `fn` throws a HeapCorruption whose message says each of `mustName`; `adviceFor` may add a word on a message known to come from a particular mistake. */
export function expectCorruption(fn: () => unknown, what: string, mustName: Array<string | RegExp>, adviceFor: (message: string) => string = () => ''): void {
  let result: unknown;
  try {
    result = fn();
  } catch (thrown) {
    if (!(thrown instanceof HeapCorruption)) {
      throw new Error(`${what} should throw a HeapCorruption; it threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
    }
    const advice = adviceFor(thrown.message);
    for (const part of mustName) {
      const found = typeof part === 'string' ? thrown.message.includes(part) : part.test(thrown.message);
      expect(found, `${what} threw "${thrown.message.split('\n')[0]}": its message should say ${part}${advice && `. ${advice}`}`).toBe(true);
    }
    return;
  }
  throw new Error(`${what} should throw a HeapCorruption; it returned ${String(result)}`);
}
