// Chapter 5, step 6: large blocks. A request above the small limit gets whole pages of its
// own from mmap, and free gives them straight back with munmap. The block has no header:
// its payload starts on the page, so the zone remembers each large block in a hash table
// (address → bytes) that lives in its own mmap'd pages, as macOS's large entries do.
// free looks the pointer up there: a miss means it was never a large block, or no longer is.
//
// The table uses open addressing with linear probing, grows by doubling at ¾ full, and
// deletes by shifting later entries back, so a lookup never needs tombstones.

import { ENOMEM, MAP_FAILED, PAGE_SIZE, PROT_READ, PROT_WRITE, type Process } from '../../machine/index.ts';
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
    const capacity = get('capacity');
    if (capacity === 0 || address <= 0 || address % PAGE_SIZE !== 0 || address >= 2 ** 32) return -1;
    for (let i = home(address, capacity); ; i = (i + 1) & (capacity - 1)) {
      const held = proc.load32(slotAddress(i) + ENTRY.address);
      if (held === address) return i;
      if (held === 0) return -1;
    }
  }

  function place(table: number, capacity: number, address: number, bytes: number): void {
    let i = home(address, capacity);
    while (proc.load32(table + i * ENTRY_SIZE + ENTRY.address) !== 0) i = (i + 1) & (capacity - 1);
    proc.store32(table + i * ENTRY_SIZE + ENTRY.address, address);
    proc.store32(table + i * ENTRY_SIZE + ENTRY.bytes, bytes);
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
    const bytes = pages * PAGE_SIZE;
    if (bytes >= 2 ** 32 || !reserve()) {
      proc.errno = ENOMEM;
      return 0;
    }
    const block = proc.mmap(bytes, PROT_READ | PROT_WRITE, { name: 'malloc large' });
    if (block === MAP_FAILED) return 0; // mmap set errno = ENOMEM
    place(get('table'), get('capacity'), block, bytes);
    set('count', get('count') + 1);
    countBlock(proc, counters, bytes, 1);
    countAllocated(proc, counters, bytes);
    return block;
  }

  function free(ptr: number): boolean {
    const slot = find(ptr);
    if (slot === -1) return false;
    const bytes = proc.load32(slotAddress(slot) + ENTRY.bytes);
    remove(slot);
    set('count', get('count') - 1);
    countBlock(proc, counters, bytes, -1);
    countAllocated(proc, counters, -bytes);
    proc.munmap(ptr, bytes);
    return true;
  }
  // #endregion large-malloc

  function sizeOf(ptr: number): number {
    const slot = find(ptr);
    return slot === -1 ? 0 : proc.load32(slotAddress(slot) + ENTRY.bytes);
  }

  function shrink(ptr: number, pages: number): void {
    const slot = find(ptr);
    if (slot === -1) return;
    const bytes = proc.load32(slotAddress(slot) + ENTRY.bytes);
    const keep = pages * PAGE_SIZE;
    if (keep >= bytes) return;
    proc.munmap(ptr + keep, bytes - keep);
    proc.store32(slotAddress(slot) + ENTRY.bytes, keep);
    countBlock(proc, counters, bytes, -1);
    countBlock(proc, counters, keep, 1);
    countAllocated(proc, counters, keep - bytes);
  }

  return { base, malloc, sizeOf, free, shrink };
}
