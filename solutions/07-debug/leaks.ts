// Chapter 7, step 9: leaks. A block is leaked when nothing the program can reach points into
// it any more. Like macOS's `leaks`, the search is conservative: it cannot tell a pointer from
// an integer that happens to look like one, so it treats every aligned 32-bit word as a
// possible pointer. It starts from the roots (the data segment, where globals live, and any
// addresses the caller names, standing in for registers and the stack), marks every block a
// root points into, then scans the marked blocks the same way until nothing new is found.
// What is never marked is leaked. A word that looks like a pointer may keep a dead block
// alive (a leak missed), but a block reported is truly unreachable.

import { LAYOUT, hex, type Process } from '../../machine/index.ts';

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
  const reached = new Uint8Array(blocks.length);
  const pending: number[] = [];
  const reach = (value: number) => {
    const index = blockIndex(blocks, value);
    if (index !== -1 && reached[index] === 0) {
      reached[index] = 1;
      pending.push(index);
    }
  };
  for (const root of options.roots ?? []) reach(root);
  for (let word = LAYOUT.dataStart; word < LAYOUT.dataStart + LAYOUT.dataSize; word += 4) reach(proc.load32(word));
  while (pending.length > 0) {
    const { address, size } = blocks[pending.pop()!]!;
    for (let word = address; word + 4 <= address + size; word += 4) reach(proc.load32(word));
  }
  return blocks.filter((_, i) => reached[i] === 0).map((block) => ({ ...block, stack: siteOf(block.address) }));
}
// #endregion find-leaks

/** The report, in the shape of macOS's `leaks`. */
export function formatLeaks(leaks: Leak[], zone: number): string {
  const total = leaks.reduce((sum, leak) => sum + leak.size, 0);
  const lines = [`Process: ${leaks.length} leak${leaks.length === 1 ? '' : 's'} for ${total} total leaked bytes.`];
  for (const leak of leaks) {
    lines.push('', `Leak: ${hex(leak.address)}  size=${leak.size}  zone: debug_${hex(zone)}`);
    if (leak.stack !== undefined) {
      lines.push('  Call stack:');
      for (const frame of leak.stack.split('\n')) lines.push(`    ${frame}`);
    }
  }
  return lines.join('\n');
}
