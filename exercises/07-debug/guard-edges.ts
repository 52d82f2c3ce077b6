// Chapter 7, step 3: MallocGuardEdges. Each large block gets a mapping of its own with one
// PROT_NONE page on either side: [guard][the block's pages][guard] (MallocDoNotProtectPrelude
// and MallocDoNotProtectPostlude leave one side out). A loop that runs off the
// end of the block, or writes just before it, touches a guard page and faults on that very
// access, with the address, instead of quietly spoiling whatever lies next to it.
//
// Chapter 5's large blocks map exactly the block, so the guarded ones keep their own record:
// a table of (address, bytes) in mmap'd pages, searched from the start (a debugging zone
// has few large blocks and no hurry), with the same statistics counters as a scale.
// Check your work with `npm run check -- guard-edges`; stuck? `npm run hint -- guard-edges`.
// Given: the table (find, reserve, table.ts), sizeOf, blocks and check.

import { ENOMEM, MAP_FAILED, PAGE_SIZE, PROT_NONE, PROT_READ, PROT_WRITE, hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { COUNTERS_BYTES, countAllocated, countBlock } from '../05-zones/statistics.ts';
import { reserveEntry } from './table.ts';

// #region guarded-layout
/** The guarded blocks' record in the data segment (u32 each). */
export const GUARDED = {
  table: 0, // the entry table, or 0 before the first guarded block
  capacity: 4, // entries it has room for
  count: 8, // entries in use: entries 0 … count-1, in no order
  counters: 12, // statistics (05-zones/statistics.ts)
} as const;
export const GUARDED_BYTES = GUARDED.counters + COUNTERS_BYTES;

/** One entry: the block's first payload byte, its size in bytes (guards not counted), its guards. */
export const GUARDED_ENTRY = { address: 0, bytes: 4, guards: 8 } as const;
export const GUARDED_ENTRY_SIZE = 12;

/** Which guard pages a block has (GUARDED_ENTRY.guards). */
export const PRELUDE = 1;
export const POSTLUDE = 2;
export const BOTH_GUARDS = PRELUDE | POSTLUDE;
// #endregion guarded-layout

export interface GuardedBlocks {
  readonly base: number;
  /** `pages` fresh pages with the guard pages `guards` asks for, or 0 with errno = ENOMEM. */
  malloc(pages: number, guards?: number): number;
  /** The block's size in bytes, or 0 if `ptr` is not a live guarded block. */
  sizeOf(ptr: number): number;
  /** Unmaps the block and its guards; false if `ptr` is not a live guarded block. */
  free(ptr: number): boolean;
  /** The live guarded blocks, by address. */
  blocks(): { address: number; size: number; guards: number }[];
  /** The first broken invariant ('' when sound): each block mapped, each guard PROT_NONE. */
  check(): string;
}

export function createGuardedBlocks(proc: Process): GuardedBlocks {
  const base = proc.static('guarded_large_blocks', GUARDED_BYTES);
  const get = (field: keyof typeof GUARDED) => proc.load32(base + GUARDED[field]);
  const set = (field: keyof typeof GUARDED, value: number) => proc.store32(base + GUARDED[field], value);
  const counters = base + GUARDED.counters;
  const entry = (i: number) => get('table') + i * GUARDED_ENTRY_SIZE;

  function find(ptr: number): number {
    const count = get('count');
    for (let i = 0; i < count; i++) if (proc.load32(entry(i) + GUARDED_ENTRY.address) === ptr) return i;
    return -1;
  }

  const fields = { table: base + GUARDED.table, capacity: base + GUARDED.capacity, count: base + GUARDED.count };
  const reserve = () => reserveEntry(proc, fields, GUARDED_ENTRY_SIZE, Math.floor(PAGE_SIZE / GUARDED_ENTRY_SIZE), 'malloc guarded entries');

  // #region guarded-malloc
  function malloc(pages: number, guards = BOTH_GUARDS): number {
    // TODO: one mapping for the guard pages `guards` asks for (PRELUDE before, POSTLUDE after:
    // a page each) and the block's `pages` pages between them. 2^32 bytes or more in all, or
    // no room for an entry (reserve): errno = ENOMEM, return 0. Map it read-write named
    // 'malloc large (guarded)' (MAP_FAILED: return 0, mmap set errno), then make each guard
    // page PROT_NONE with mprotect. File the block in entry number `count` (GUARDED_ENTRY:
    // address, bytes, guards), count it (GUARDED.count, countBlock, countAllocated), return it.
    todo('malloc(pages, guards): a block between PROT_NONE pages');
  }

  function free(ptr: number): boolean {
    // TODO: find ptr's entry (-1: false). Fill its hole with the last entry, drop the count,
    // undo malloc's statistics, and unmap the whole mapping: the block and the guards it has.
    todo('free(ptr): the block and its guards back to the kernel');
  }
  // #endregion guarded-malloc

  function sizeOf(ptr: number): number {
    const i = find(ptr);
    return i === -1 ? 0 : proc.load32(entry(i) + GUARDED_ENTRY.bytes);
  }

  function blocks(): { address: number; size: number; guards: number }[] {
    const list: { address: number; size: number; guards: number }[] = [];
    for (let i = 0; i < get('count'); i++) {
      list.push({ address: proc.load32(entry(i) + GUARDED_ENTRY.address), size: proc.load32(entry(i) + GUARDED_ENTRY.bytes), guards: proc.load32(entry(i) + GUARDED_ENTRY.guards) });
    }
    return list.sort((a, b) => a.address - b.address);
  }

  function check(): string {
    const mappings = proc.mappingList();
    const protectionAt = (address: number) => mappings.find((m) => m.start <= address && address < m.end)?.prot;
    for (const { address, size, guards } of blocks()) {
      if (address % PAGE_SIZE !== 0 || size === 0 || size % PAGE_SIZE !== 0) return `guarded large block ${hex(address)} of ${size} bytes is not whole pages`;
      for (let page = address; page < address + size; page += PAGE_SIZE) {
        if (protectionAt(page) !== (PROT_READ | PROT_WRITE)) return `guarded large block ${hex(address)}: its page ${hex(page)} is not mapped read-write`;
      }
      if (guards & PRELUDE && protectionAt(address - PAGE_SIZE) !== PROT_NONE) return `guarded large block ${hex(address)}: the guard page before it (${hex(address - PAGE_SIZE)}) is not PROT_NONE`;
      if (guards & POSTLUDE && protectionAt(address + size) !== PROT_NONE) return `guarded large block ${hex(address)}: the guard page after it (${hex(address + size)}) is not PROT_NONE`;
    }
    return '';
  }

  return { base, malloc, sizeOf, free, blocks, check };
}
