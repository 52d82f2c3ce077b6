// Chapter 2: a heap walker. It reads the heap from its bytes alone: the global
// `global_base`, then each block_meta header and its `next` pointer.

import { HeapCorruption, hex, type Process } from '../../machine/index.ts';
import { BlockMeta, GLOBAL_BASE, MAGIC_FREE, MAGIC_USED, META_SIZE } from './free-list.ts';

export interface HeapBlock {
  /** The address of the header. */
  header: number;
  /** The address malloc returned: header + META_SIZE. */
  payload: number;
  size: number;
  free: boolean;
}

/** Every block in list order, checking each header as it goes. */
export function walkHeap(proc: Process): HeapBlock[] {
  const blocks: HeapBlock[] = [];
  let header = proc.load64(proc.static(GLOBAL_BASE, 8));
  let previous = 0;
  while (header !== 0) {
    if (header < proc.heapStart || header + META_SIZE > proc.currentBreak || header <= previous) {
      throw new HeapCorruption(`heap walk: the block after ${hex(previous)} is at ${hex(header)}, outside the heap or out of order`, header);
    }
    const broken = (what: string) => new HeapCorruption(`heap walk: the header at ${hex(header)} ${what}`, header, proc.hexdump(header, META_SIZE, { from: header, to: header + META_SIZE }));
    // The magic first: the other fields of a smashed header may not even read as numbers.
    const magic = BlockMeta.read(proc, header, 'magic');
    if (magic !== MAGIC_USED && magic !== MAGIC_FREE) throw broken('has no valid magic');
    const size = BlockMeta.read(proc, header, 'size');
    const free = BlockMeta.read(proc, header, 'free');
    if (size % 16 !== 0 || size === 0) throw broken(`has size ${size}, not a positive multiple of 16`);
    if (free !== 0 && free !== 1) throw broken(`has free = ${free}, not 0 or 1`);
    if (previous !== 0 && previous + META_SIZE + BlockMeta.read(proc, previous, 'size') > header) throw broken(`starts inside the block before it`);
    blocks.push({ header, payload: header + META_SIZE, size, free: free === 1 });
    previous = header;
    header = BlockMeta.read(proc, header, 'next');
  }
  return blocks;
}

/**
 * One line per block, such as `0x01000020      48 bytes  used`: the payload's address (hex, 8
 * digits), two spaces, the size right-aligned in 6 characters, ` bytes  `, then `free` or `used`.
 */
export function formatHeap(proc: Process): string {
  return walkHeap(proc)
    .map((b) => `${hex(b.payload)}  ${String(b.size).padStart(6)} bytes  ${b.free ? 'free' : 'used'}`)
    .join('\n');
}
