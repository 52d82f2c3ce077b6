// Chapter 5, step 6: large blocks. A request above the small limit gets whole pages of its
// own from mmap, and free gives them straight back with munmap. The block has no header:
// its payload starts on the page, so the zone remembers each large block in a hash table
// (address → bytes) that lives in its own mmap'd pages, as macOS's large entries do.
// free looks the pointer up there: a miss means it was never a large block, or no longer is.
//
// The table uses open addressing with linear probing, grows by doubling at ¾ full, and
// deletes by shifting later entries back, so a lookup never needs tombstones.
// Check your work with `npm run check -- large`; stuck? `npm run hint -- large`.
// Builds on statistics.ts (step 3) for the counters. Given: home (the hash), reserve (the
// table's growth, which calls your place) and remove (deletion by shifting back).

import { ENOMEM, MAP_FAILED, PAGE_SIZE, PROT_READ, PROT_WRITE, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { countAllocated, countBlock } from './statistics.ts';

// #region large-layout
/** The large-block bookkeeping in the data segment (u32 each). */
export const LARGE = {
  table: 0, // address of the entry table, or 0 before the first large block
  capacity: 4, // entries the table has room for: a power of two
  count: 8, // entries in use: the large blocks
  counters: 12, // statistics (statistics.ts): 16 bytes
} as const;
export const LARGE_BYTES = 28;

/** One table entry: the block's address (0 for an empty slot) and its size in bytes. */
export const ENTRY = { address: 0, bytes: 4 } as const;
export const ENTRY_SIZE = 8;
export const FIRST_CAPACITY = PAGE_SIZE / ENTRY_SIZE; // one page of entries
// #endregion large-layout

export interface LargeBlocks {
  readonly base: number;
  /** `pages` fresh pages, or 0 with errno = ENOMEM. */
  malloc(pages: number): number;
  /** The block's size in bytes, or 0 if `ptr` is not a live large block. */
  sizeOf(ptr: number): number;
  /** Unmaps the live large block `ptr`; false if it is not one. */
  free(ptr: number): boolean;
  /** Gives back the pages of `ptr` beyond `pages`. */
  shrink(ptr: number, pages: number): void;
}

export function createLargeBlocks(proc: Process): LargeBlocks {
  const base = proc.static('large_blocks', LARGE_BYTES);
  const get = (name: keyof typeof LARGE) => proc.load32(base + LARGE[name]);
  const set = (name: keyof typeof LARGE, value: number) => proc.store32(base + LARGE[name], value);
  const counters = base + LARGE.counters;

  // #region hash
  /** The home slot of `address`: Fibonacci hashing of its page number. */
  function home(address: number, capacity: number): number {
    return Math.imul(address >>> 12, 0x9e3779b1) >>> (32 - Math.log2(capacity));
  }

  function slotAddress(index: number): number {
    return get('table') + index * ENTRY_SIZE;
  }

  /** The slot holding `address`, or -1. */
  function find(address: number): number {
    // TODO: only a page-aligned address above 0 and below 2^32 can be in the table, and only
    // once there is a table (capacity > 0): otherwise -1. Probe from the address's home slot
    // (home), one slot on at a time, wrapping at capacity (a power of two: `& (capacity - 1)`):
    // the slot holding the address is the answer; an empty slot (address 0) ends the run: -1.
    todo('find(address): the slot of a large block in the table');
  }

  function place(table: number, capacity: number, address: number, bytes: number): void {
    // TODO: write the entry (ENTRY.address, ENTRY.bytes; ENTRY_SIZE bytes a slot) into the
    // first empty slot from the address's home slot in `table` of `capacity` slots, probing as
    // find does. The caller has made sure there is room.
    todo('place(table, capacity, address, bytes): file an entry');
  }

  /** Makes room for one more entry; false if the bigger table cannot be mapped. */
  function reserve(): boolean {
    const capacity = get('capacity');
    if ((get('count') + 1) * 4 <= capacity * 3) return true;
    const bigger = capacity === 0 ? FIRST_CAPACITY : capacity * 2;
    const table = proc.mmap(bigger * ENTRY_SIZE, PROT_READ | PROT_WRITE, { name: 'malloc large entries' });
    if (table === MAP_FAILED) return false;
    const old = get('table');
    for (let i = 0; i < capacity; i++) {
      const address = proc.load32(old + i * ENTRY_SIZE + ENTRY.address);
      if (address !== 0) place(table, bigger, address, proc.load32(old + i * ENTRY_SIZE + ENTRY.bytes));
    }
    if (old !== 0) proc.munmap(old, capacity * ENTRY_SIZE);
    set('table', table);
    set('capacity', bigger);
    return true;
  }

  /** Empties slot `index`, moving back later entries of the same run whose home slot allows it. */
  function remove(index: number): void {
    const capacity = get('capacity');
    const mask = capacity - 1;
    let hole = index;
    for (let j = (index + 1) & mask; ; j = (j + 1) & mask) {
      const address = proc.load32(slotAddress(j) + ENTRY.address);
      if (address === 0) break;
      const want = home(address, capacity);
      // The entry may fill the hole if its home slot is not cyclically in (hole, j].
      const stays = hole <= j ? want > hole && want <= j : want > hole || want <= j;
      if (stays) continue;
      proc.store32(slotAddress(hole) + ENTRY.address, address);
      proc.store32(slotAddress(hole) + ENTRY.bytes, proc.load32(slotAddress(j) + ENTRY.bytes));
      hole = j;
    }
    proc.store32(slotAddress(hole) + ENTRY.address, 0);
    proc.store32(slotAddress(hole) + ENTRY.bytes, 0);
  }
  // #endregion hash

  // #region large-malloc
  function malloc(pages: number): number {
    // TODO: a block of `pages` pages. More than the 32-bit address space holds (2^32 bytes or
    // more), or no room for one more entry (reserve): errno = ENOMEM, return 0. Map the pages
    // (proc.mmap with PROT_READ | PROT_WRITE; MAP_FAILED means no memory, and mmap has set
    // errno: return 0). File the block (place), count it in LARGE.count, in the statistics
    // (countBlock) and as memory from the kernel (countAllocated), and return it.
    todo('malloc(pages): whole pages from mmap, filed in the table');
  }

  function free(ptr: number): boolean {
    // TODO: find the block; false if it is not in the table. Otherwise take it out (remove),
    // undo malloc's counts, unmap its pages, and return true.
    todo('free(ptr): out of the table, back to the kernel');
  }
  // #endregion large-malloc

  function sizeOf(ptr: number): number {
    // TODO: the bytes recorded for ptr, or 0 if ptr is not a live large block.
    todo('sizeOf(ptr): the size of a large block');
  }

  function shrink(ptr: number, pages: number): void {
    // TODO: keep the first `pages` pages of the live block ptr and unmap the rest; record the
    // new size in its entry and move the statistics from the old size to the new
    // (countBlock, countAllocated). Nothing to do if ptr is not live or would not shrink.
    todo('shrink(ptr, pages): give back the pages beyond');
  }

  return { base, malloc, sizeOf, free, shrink };
}
