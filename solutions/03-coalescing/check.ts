// Chapter 3: a heap checker. It walks the heap by address from its bytes alone and names
// the first broken invariant: the tests run it after every step of the student's allocator.

import { PAGE_SIZE, alignUp, hex, type Process } from '../../machine/index.ts';
import { FOOTER_SIZE, FreeLinks, GLOBALS, HEADER_SIZE, Header, MAGIC, MIN_BLOCK, PREV_FREE, USED } from './coalescing.ts';

export interface CheckedBlock {
  header: number;
  size: number;
  free: boolean;
}

export interface HeapReport {
  blocks: CheckedBlock[];
  /** The first broken invariant, with the address and the bytes; empty if the heap is sound. */
  problem: string;
}

const LIMIT = 1_000_000; // blocks or list entries: more means a cycle

export function checkHeap(proc: Process): HeapReport {
  try {
    return walk(proc);
  } catch (error) {
    // A header so broken that reading it fails (a size that is not a number, an address
    // outside memory) is a finding too.
    return { blocks: [], problem: `the heap cannot be walked: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function walk(proc: Process): HeapReport {
  const blocks: CheckedBlock[] = [];
  const start = proc.load64(proc.static(GLOBALS.heapStart, 8));
  const epilogue = proc.load64(proc.static(GLOBALS.epilogue, 8));
  const fail = (problem: string, at: number, length = HEADER_SIZE): HeapReport => ({
    blocks,
    problem: `${problem}\n${proc.hexdump(Math.max(start, at - 16), length + 32, { from: at, to: at + length })}`,
  });
  if (start === 0) return { blocks, problem: '' };

  let previousFree = false;
  let previousBlock = 0;
  let block = start;
  while (block !== epilogue) {
    if (block > epilogue || blocks.length > LIMIT) return fail(`block at ${hex(block)} runs past the epilogue at ${hex(epilogue)}`, block);
    const size = Header.read(proc, block, 'size');
    const flags = Header.read(proc, block, 'flags');
    if (Header.read(proc, block, 'magic') !== MAGIC) return fail(`block at ${hex(block)}: the header's magic is not ${hex(MAGIC)} (overwritten?)`, block);
    if (size < MIN_BLOCK) return fail(`block at ${hex(block)}: size ${size} is below MIN_BLOCK (${MIN_BLOCK}), the room a free block needs for its header, links and footer`, block);
    if (size % 16 !== 0) return fail(`block at ${hex(block)}: size ${size} is not a multiple of 16, so the next block's header would not be aligned`, block);
    if (block % 16 !== 0) return fail(`block at ${hex(block)} is not 16-byte aligned, so neither is its payload`, block);
    const free = (flags & USED) === 0;
    // Two free neighbours first: a free that did not merge backwards usually also wrote PREV_FREE clear.
    if (free && previousFree) {
      const flag = flags & PREV_FREE
        ? ''
        : '. Its PREV_FREE is clear too, though the block before it is free: a header rewritten with flags 0 (in free, or in coalesce when it found nothing to merge) loses the flag, and when the flag is set, coalesce merges with the block before, found through its footer';
      return fail(`block at ${hex(block)} is free and so is the block before it, at ${hex(previousBlock)}: they should have been coalesced into one free block${flag}`, block);
    }
    if (Boolean(flags & PREV_FREE) !== previousFree) {
      const before = previousBlock === 0 ? 'it is the first block, with nothing free before it' : `the block before it, at ${hex(previousBlock)}, is ${previousFree ? 'free' : 'in use'}`;
      return fail(`block at ${hex(block)}: PREV_FREE is ${flags & PREV_FREE ? 'set' : 'clear'}, but ${before}`, block);
    }
    if (free && proc.load64(block + size - FOOTER_SIZE) !== size) {
      return fail(`free block at ${hex(block)}: its footer says ${proc.load64(block + size - FOOTER_SIZE)}, its header ${size}`, block + size - FOOTER_SIZE, FOOTER_SIZE);
    }
    blocks.push({ header: block, size, free });
    previousFree = free;
    previousBlock = block;
    block += size;
  }
  const endFlags = Header.read(proc, epilogue, 'flags');
  if (Header.read(proc, epilogue, 'size') !== 0 || !(endFlags & USED)) return fail(`the epilogue at ${hex(epilogue)} is not a used header of size 0`, epilogue);
  if (Boolean(endFlags & PREV_FREE) !== previousFree) return fail(`the epilogue's PREV_FREE is wrong: the last block is ${previousFree ? 'free' : 'in use'}`, epilogue);

  // The free list holds every free block once, with consistent back links.
  const freeBlocks = new Set(blocks.filter((b) => b.free).map((b) => b.header));
  const seen = new Set<number>();
  let prev = 0;
  const headers = new Set(blocks.map((b) => b.header));
  for (let entry = proc.load64(proc.static(GLOBALS.freeList, 8)); entry !== 0; entry = FreeLinks.read(proc, entry + HEADER_SIZE, 'next')) {
    if (!freeBlocks.has(entry)) {
      const what = entry === epilogue ? 'the epilogue: a block trimmed away, or merged into another, is still on the list' : headers.has(entry) ? 'a block in use: one taken from the list without removeFree' : 'no block\'s header at all';
      return fail(`the free list holds ${hex(entry)}, which is ${what}`, entry);
    }
    // A block on the list twice (inserted again, or merged without leaving the list) loops: say so before its links.
    if (seen.has(entry) || seen.size > LIMIT) return fail(`the free list meets ${hex(entry)} twice: it has a cycle (a block put on the list while it was already there?)`, entry);
    const linked = FreeLinks.read(proc, entry + HEADER_SIZE, 'prev');
    if (linked === entry) return fail(`free block ${hex(entry)}: its prev link points at itself, so it was put on the list twice (inserted again, or merged without removeFree)`, entry + HEADER_SIZE + 8, 8);
    if (linked !== prev) {
      const before = prev === 0 ? 'it is first on the list, so its prev link should be 0' : `the block before it on the list is ${hex(prev)}`;
      return fail(`free block ${hex(entry)}: its prev link is ${hex(linked)}, but ${before}`, entry + HEADER_SIZE + 8, 8);
    }
    seen.add(entry);
    prev = entry;
  }
  for (const header of freeBlocks) if (!seen.has(header)) return fail(`free block at ${hex(header)} is not on the free list`, header);
  // Chapter 4's calloc trusts zero_from: every heap byte from it up is zero. That includes the
  // rest of the page holding the break: those bytes stay, and come back when the break grows.
  const zeroFrom = proc.load64(proc.static(GLOBALS.zeroFrom, 8));
  const breakPageEnd = alignUp(proc.currentBreak, PAGE_SIZE);
  // One read of the range, the heap's pages only: no fault, no access counted.
  const from = Math.max(zeroFrom, proc.heapStart);
  const span = zeroFrom === 0 || from >= breakPageEnd ? undefined : proc.peekBytes(from, breakPageEnd - from);
  const dirty = span === undefined ? -1 : span.findIndex((byte) => byte !== 0);
  if (dirty !== -1) {
    const at = from + dirty;
    const byte = (span as Uint8Array)[dirty];
    const where = at < proc.currentBreak
      ? `above it, below the break at ${hex(proc.currentBreak)},`
      : `past the break at ${hex(proc.currentBreak)}, on the page that holds the break,`;
    return fail(
      `zero_from is ${hex(zeroFrom)}, but the byte at ${hex(at)} ${where} is ${hex(byte, 2)}: zero_from promises that every heap byte ` +
        `from it to the end of the break's page (${hex(breakPageEnd)}) is zero, and chapter 4's calloc skips clearing them` +
        (at < proc.currentBreak ? '' : `. Moving the break down gives back only whole pages; the rest of the break's page keeps its old bytes, so after a trim zero_from goes up to the next page boundary`),
      at,
      1,
    );
  }
  const rover = proc.load64(proc.static(GLOBALS.rover, 8));
  if (rover !== 0 && !seen.has(rover)) return fail(`the next-fit rover points at ${hex(rover)}, which is not on the free list (move it on when its block leaves the list)`, rover);
  return { blocks, problem: '' };
}
