// Chapter 7: the debug zone. Chapter 5's zone does the allocating; the layers of this folder
// wrap it, each turned on by its own option, and all of them keep their state in simulated
// memory. A call goes through the zone's function table (functions.ts), so it can be
// interposed, and then:
//   malloc  → the zone, or a guarded mapping for a large block (guard-edges.ts) → 0xAA
//             (scribble.ts) → the stack log (stack-logging.ts) → the malloc logger (logger.ts)
//   free    → validated → the logger and the stack log → 0x55 → the zone
// and after each one, the heap check when it is due (check-heap.ts). leaks.ts finds the
// blocks nothing points to any more.
// Check your work with `npm run check -- debug`; stuck? `npm run hint -- debug`.
// Builds on every step of the chapter, and on your chapter 5 zone. Given: blockBytes (every
// pointer validated), guardedMalloc, calloc, realloc, statistics, enumerate and leaks.

import { ENOMEM, HeapCorruption, PAGE_SIZE, hex, requireSize, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { ALL_RANGE_TYPES, MALLOC_PTR_IN_USE_RANGE_TYPE, MALLOC_PTR_REGION_RANGE_TYPE, type Range, type Recorder } from '../05-zones/enumerate.ts';
import { quantaFor, type Scale } from '../05-zones/size-classes.ts';
import { COUNTERS } from '../05-zones/statistics.ts';
import type { ZoneStatistics } from '../05-zones/statistics.ts';
import { createZone, type Zone, type ZoneIntrospection, type ZoneOptions } from '../05-zones/zone.ts';
import { countOperation } from './check-heap.ts';
import type { ZoneFunctions } from './functions.ts';
import { GUARDED, POSTLUDE, PRELUDE, createGuardedBlocks, type GuardedBlocks } from './guard-edges.ts';
import { findLeaks, formatLeaks, type Leak, type LeakOptions } from './leaks.ts';
import { MALLOC_LOG_TYPE_ALLOCATE, MALLOC_LOG_TYPE_DEALLOCATE, MALLOC_OP_CALLOC, MALLOC_OP_FREE, MALLOC_OP_MALLOC, MALLOC_OP_REALLOC, mallocLoggerOf } from './logger.ts';
import { DEBUG_BYTES, FLAG_GUARD_EDGES, FLAG_NO_POSTLUDE, FLAG_NO_PRELUDE, FLAG_SCRIBBLE, FLAG_STACK_LOGGING, hasFlag, resolveOptions, storeOptions, type DebugOptions } from './options.ts';
import { scribbleFreed, scribbleNew } from './scribble.ts';
import { createStackLog, formatHistory, type StackEvent, type StackLog } from './stack-logging.ts';

export { interpose, type ZoneFunctions } from './functions.ts';
export { setMallocLogger, type MallocLogger } from './logger.ts';
export type { DebugOptions } from './options.ts';

export interface DebugZone extends ZoneIntrospection {
  /** The zone's record in the data segment: its address is the zone's, as the logger reports it. */
  readonly base: number;
  /** The options in force, from the code and the process environment. */
  readonly options: Required<DebugOptions>;
  /** The function table every call goes through: replace an entry to interpose on it. */
  readonly functions: ZoneFunctions;
  readonly zone: Zone;
  readonly guarded: GuardedBlocks;
  /** The zone's check() and the guard pages': the first broken invariant, or ''. */
  check(): string;
  /** The events MallocStackLogging recorded for the block holding `address`. */
  history(address: number): StackEvent[];
  /** malloc_history's report for `address`. */
  mallocHistory(address: number): string;
  /** The blocks in use that nothing reachable points into. */
  leaks(options?: LeakOptions): Leak[];
  /** leaks' report. */
  leaksReport(options?: LeakOptions): string;
}

export function createDebugZone(proc: Process, options: DebugOptions & ZoneOptions = {}): DebugZone {
  const zone = createZone(proc, options);
  const guarded = createGuardedBlocks(proc);
  const stackLog: StackLog = createStackLog(proc);
  const base = proc.static('debug_zone', DEBUG_BYTES);
  const resolved = resolveOptions(proc, options);
  storeOptions(proc, base, resolved);
  const on = (flag: number) => hasFlag(proc, base, flag);
  const { smallLimit } = zone.classes;

  // #region debug-given
  /** The bytes of the live block `ptr`, or a HeapCorruption naming `call`, before anything is touched. */
  function blockBytes(ptr: number, call: string): number {
    const guardedBytes = guarded.sizeOf(ptr);
    if (guardedBytes !== 0) return guardedBytes;
    for (const rack of [zone.tiny, zone.small]) {
      const region = rack.regionOf(ptr);
      if (region !== 0) return rack.kind.msizeOf(proc, region, rack.quantumOf(region, ptr, call)) * rack.kind.quantum;
    }
    const bytes = zone.large.sizeOf(ptr);
    if (bytes === 0) {
      throw new HeapCorruption(
        `${call}: invalid pointer ${hex(ptr)}: pointer being freed was not allocated`,
        ptr,
        `${hex(ptr)} is in no tiny or small region, and no live large or guarded block starts there (was it freed already?).`,
      );
    }
    return bytes;
  }

  /** A large block in a mapping of its own, between the guard pages the options ask for. */
  function guardedMalloc(size: number): number {
    if (size >= 2 ** 32) {
      proc.errno = ENOMEM;
      return 0;
    }
    const guards = (on(FLAG_NO_PRELUDE) ? 0 : PRELUDE) | (on(FLAG_NO_POSTLUDE) ? 0 : POSTLUDE);
    return guarded.malloc(quantaFor(size, PAGE_SIZE), guards);
  }
  // #endregion debug-given

  // #region debug-blocks
  /** A new block, from a guarded mapping when it is large and guard edges are on. */
  function allocate(size: number): number {
    // TODO: with FLAG_GUARD_EDGES on and a large size (above smallLimit), guardedMalloc;
    // otherwise the zone's malloc. Then, if there is a block: 0xAA over all of its bytes
    // (blockBytes) with FLAG_SCRIBBLE, and an ALLOCATE event with FLAG_STACK_LOGGING.
    todo('allocate(size): a block, scribbled and logged as the options say');
  }

  /** Frees the live block `ptr` of `bytes`: 0x55 over it first, while it is still ours. */
  function release(ptr: number, bytes: number): void {
    // TODO: a DEALLOCATE event with FLAG_STACK_LOGGING. A guarded block goes back whole
    // (guarded.free is true): its pages are gone, nothing to scribble. Otherwise 0x55 over a
    // tiny or small block with FLAG_SCRIBBLE (a large one is unmapped anyway), then the zone's free.
    todo('release(ptr, bytes): logged, scribbled, freed');
  }
  // #endregion debug-blocks

  const checkAll = () => zone.check() || guarded.check();
  const log = (type: number, arg2: number, arg3: number, result: number) => mallocLoggerOf(proc)?.(type, base, arg2, arg3, result, 1);

  // #region debug-functions
  const functions: ZoneFunctions = {
    size: (ptr) => {
      try {
        return blockBytes(ptr, 'malloc_size()');
      } catch (error) {
        if (error instanceof HeapCorruption) return 0;
        throw error;
      }
    },
    malloc(size) {
      requireSize(size, `malloc(${size})`);
      // TODO: allocate the block, tell the malloc logger (log: MALLOC_OP_MALLOC, the size, 0,
      // the pointer), count the operation (countOperation, with checkAll), return the block.
      todo('malloc(size): allocate, log, count');
    },
    calloc(count, size) {
      requireSize(count, `calloc(${count}, ${size})`);
      requireSize(size, `calloc(${count}, ${size})`);
      let ptr = 0;
      if (count * size >= 2 ** 32) proc.errno = ENOMEM; // the product overflows a 32-bit size_t
      else if (!on(FLAG_SCRIBBLE) && !on(FLAG_GUARD_EDGES) && !on(FLAG_STACK_LOGGING)) ptr = zone.calloc(count, size);
      else {
        ptr = allocate(count * size);
        if (ptr !== 0) proc.memset(ptr, 0, count * size);
      }
      log(MALLOC_OP_CALLOC, count, size, ptr);
      countOperation(proc, base, checkAll);
      return ptr;
    },
    free(ptr) {
      if (ptr === 0) return;
      // TODO: validate ptr first (blockBytes, with 'free()': a double free throws here, before
      // anything is touched), then log (MALLOC_OP_FREE, ptr, 0, 0), release it and count the
      // operation.
      todo('free(ptr): validate, log, release, count');
    },
    realloc(ptr, size) {
      requireSize(size, `realloc(${hex(ptr)}, ${size})`);
      let result = 0;
      if (ptr === 0) result = allocate(size);
      else if (size === 0) release(ptr, blockBytes(ptr, 'realloc()'));
      else {
        const bytes = blockBytes(ptr, 'realloc()');
        const plain = !on(FLAG_SCRIBBLE) && !on(FLAG_STACK_LOGGING) && !on(FLAG_GUARD_EDGES);
        if (plain) result = zone.realloc(ptr, size);
        else {
          // Always move: the old block gets its 0x55s and its FREE event, the new one its 0xAAs.
          result = allocate(size);
          if (result !== 0) {
            proc.memcpy(result, ptr, Math.min(size, bytes));
            release(ptr, bytes);
          }
        }
      }
      log(MALLOC_OP_REALLOC, ptr, size, result);
      countOperation(proc, base, checkAll);
      return result;
    },
  };
  // #endregion debug-functions

  function usableSize(ptr: number): number {
    return blockBytes(ptr, 'malloc_usable_size()');
  }

  function statistics(scale?: Scale): ZoneStatistics {
    const own = zone.statistics(scale);
    if (scale !== undefined && scale !== 'large') return own;
    const counters = guarded.base + GUARDED.counters;
    const read = (field: keyof typeof COUNTERS) => proc.load32(counters + COUNTERS[field]);
    return {
      blocksInUse: own.blocksInUse + read('blocksInUse'),
      sizeInUse: own.sizeInUse + read('sizeInUse'),
      maxSizeInUse: own.maxSizeInUse + read('maxSizeInUse'),
      sizeAllocated: own.sizeAllocated + read('sizeAllocated'),
    };
  }

  function enumerate(recorder: Recorder, typeMask = ALL_RANGE_TYPES): void {
    zone.enumerate(recorder, typeMask);
    const blocks = guarded.blocks().map(({ address, size }) => ({ address, size }));
    if (blocks.length === 0) return;
    if ((typeMask & MALLOC_PTR_REGION_RANGE_TYPE) !== 0) recorder(MALLOC_PTR_REGION_RANGE_TYPE, blocks);
    if ((typeMask & MALLOC_PTR_IN_USE_RANGE_TYPE) !== 0) recorder(MALLOC_PTR_IN_USE_RANGE_TYPE, blocks);
  }

  function leaks(leakOptions: LeakOptions = {}): Leak[] {
    const live: Range[] = [];
    enumerate((_, ranges) => live.push(...ranges), MALLOC_PTR_IN_USE_RANGE_TYPE);
    return findLeaks(proc, live, (address) => stackLog.allocationSite(address), leakOptions);
  }

  return {
    base,
    options: resolved,
    functions,
    zone,
    guarded,
    malloc: (size) => functions.malloc(size),
    free: (ptr) => functions.free(ptr),
    realloc: (ptr, size) => functions.realloc(ptr, size),
    calloc: (count, size) => functions.calloc(count, size),
    usableSize,
    statistics,
    enumerate,
    check: checkAll,
    history: (address) => stackLog.history(address),
    mallocHistory: (address) => formatHistory(address, stackLog.history(address)),
    leaks,
    leaksReport: (leakOptions) => formatLeaks(leaks(leakOptions), base),
  };
}

export function createAllocator(proc: Process, options: DebugOptions & ZoneOptions = {}): DebugZone {
  return createDebugZone(proc, options);
}
