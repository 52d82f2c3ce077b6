// Chapter 7, step 9: leaks. A block is leaked when nothing the program can reach points into
// it any more. Like macOS's `leaks`, the search is conservative: it cannot tell a pointer from
// an integer that happens to look like one, so it treats every aligned 32-bit word as a
// possible pointer. It starts from the roots (the data segment, where globals live, and any
// addresses the caller names, standing in for registers and the stack), marks every block a
// root points into, then scans the marked blocks the same way until nothing new is found.
// What is never marked is leaked. A word that looks like a pointer may keep a dead block
// alive (a leak missed), but a block reported is truly unreachable.
// Check your work with `npm run check -- leaks`; stuck? `npm run hint -- leaks`.
// Given: blockIndex (the block holding an address, interior pointers included).

import { LAYOUT, hex, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

export interface Block {
  address: number;
  size: number;
}

export interface Leak extends Block {
  /** Where the block was allocated, when MallocStackLogging recorded it. */
  stack: string | undefined;
}

export interface LeakOptions {
  /** Extra roots: addresses the program still holds outside memory (its registers, its stack). */
  roots?: number[];
}

/** The block holding `address` (interior pointers count), by binary search; -1 if none. */
function blockIndex(blocks: Block[], address: number): number {
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const block = blocks[middle]!;
    if (address < block.address) high = middle - 1;
    else if (address >= block.address + block.size) low = middle + 1;
    else return middle;
  }
  return -1;
}

// #region find-leaks
export function findLeaks(proc: Process, liveBlocks: Block[], siteOf: (address: number) => string | undefined, options: LeakOptions = {}): Leak[] {
  const blocks = [...liveBlocks].sort((a, b) => a.address - b.address);
  // TODO: mark and scan, over `blocks` (sorted by address above: blockIndex's binary search
  // needs them in that order). A value reaches the block holding it (blockIndex); a block reached for
  // the first time is marked and queued. Reach from each of options.roots, then from every
  // aligned u32 of the data segment (LAYOUT.dataStart, LAYOUT.dataSize bytes); then, until the
  // queue is empty, from every aligned u32 inside each queued block. The blocks never marked
  // are the leaks, by address, each with its stack: siteOf(address).
  todo('findLeaks: the blocks nothing reachable points into');
}
// #endregion find-leaks

/** The report, in the shape of macOS's `leaks`. */
export function formatLeaks(leaks: Leak[], zone: number): string {
  // TODO: 'Process: N leak(s) for B total leaked bytes.' ('1 leak', '0 leaks', '2 leaks'), then
  // for each leak an empty line and 'Leak: 0x…  size=N  zone: debug_0x…' (two spaces between
  // fields), and when its stack is known, '  Call stack:' and each frame indented by four.
  // Lines joined by '\n'.
  todo('formatLeaks(leaks, zone): the report');
}
