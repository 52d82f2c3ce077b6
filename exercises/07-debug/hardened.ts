// Chapter 7, step 10: hardened free lists, after libmalloc's checksummed free-list pointers
// and scudo. An overrun out of one block lands first in the next one, and if that one is
// free, it lands on the link the allocator will follow at the next malloc: the allocator
// then hands out whatever address the overrun wrote. Here the tiny scale keeps its free
// lists with every link sealed: the block stores its next pointer XOR a per-process secret,
// and a check field computed from the block, the next pointer and the secret. malloc
// unseals the link before following it; bytes written over a free block break the seal,
// and malloc reports the block instead of following the link.
//
// Chapter 5's racks write their links inside rack.ts, with no hook to seal them, so this
// scale is a rack-like module of its own, after scudo's primary: a 64 KiB region holds
// blocks of one size class only, carved in order and kept on one singly linked list per
// class; requests above the tiny limit go to chapter 5's zone.
// Check your work with `npm run check -- hardened`; stuck? `npm run hint -- hardened`.
// Given: linkCheck (the seal's hash), the regions and their bits, tinyFree's checks, and the
// rest of the allocator around tinyMalloc and tinyFree.

import { ENOMEM, HeapCorruption, hex, requireSize, type Allocator, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { mapAligned } from '../05-zones/region.ts';
import { TINY_QUANTUM, quantaFor } from '../05-zones/size-classes.ts';
import { createZone, type Zone, type ZoneOptions } from '../05-zones/zone.ts';

// #region hardened-layout
export const HARDENED_REGION_SIZE = 1 << 16; // 64 KiB, aligned to its size
export const HARDENED_MAGIC = 0x5ea1ed16;
export const MAX_CLASSES = 64; // msize 1 … 63 quanta: up to 1008 bytes

/** The hardened scale's record in the data segment. */
export const HARDENED = {
  secret: 0, // u32, drawn when the process first uses the scale
  lists: 4, // u32[MAX_CLASSES]: the first free block of each class (plain: it is not in a block)
  current: 4 + MAX_CLASSES * 4, // u32[MAX_CLASSES]: the region each class carves from
  regionMap: 4 + MAX_CLASSES * 8, // one bit per 64 KiB of the address space: u32[2048]
} as const;
export const HARDENED_BYTES = HARDENED.regionMap + (2 ** 32 / HARDENED_REGION_SIZE / 8);

/** A region's header: then the blocks, from HEADER_BYTES on. */
export const HREGION = {
  magic: 0,
  msize: 4, // the class: every block of the region has msize quanta
  carved: 8, // blocks handed out at least once; the rest is untouched
  inUse: 12, // u32[128]: one bit per block, set while it is in use
} as const;
export const HEADER_BYTES = 12 + 128 * 4; // 524, rounded up below
export const FIRST_BLOCK = Math.ceil(HEADER_BYTES / TINY_QUANTUM) * TINY_QUANTUM; // 528

/** A free block's sealed link. */
export const SEALED = { next: 0, check: 4 } as const;
// #endregion hardened-layout

export interface HardenedZone extends Allocator {
  readonly zone: Zone;
  readonly base: number;
  usableSize(ptr: number): number;
  /** Every sealed link checked, then chapter 5's check(): the first problem, or ''. */
  check(): string;
}

export interface HardenedOptions extends ZoneOptions {
  /** The secret links are sealed with; random by default, fixed for a reproducible example. */
  secret?: number;
}

// #region seal
/** The check field of a link from `block` to `next`: changes if any bit of either changes. */
export function linkCheck(block: number, next: number, secret: number): number {
  let h = Math.imul(block ^ secret, 0x9e3779b1) ^ next;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}
// #endregion seal

export function createHardenedZone(proc: Process, options: HardenedOptions = {}): HardenedZone {
  const zone = createZone(proc, options);
  const base = proc.static('hardened_tiny', HARDENED_BYTES);
  if (proc.load32(base + HARDENED.secret) === 0) {
    proc.store32(base + HARDENED.secret, (options.secret ?? Math.floor(Math.random() * 2 ** 32)) >>> 0 || 1);
  }
  const secret = () => proc.load32(base + HARDENED.secret);
  const limit = zone.classes.tinyLimit;
  const head = (msize: number) => base + HARDENED.lists + msize * 4;
  const current = (msize: number) => base + HARDENED.current + msize * 4;
  const blockBytes = (region: number) => proc.load32(region + HREGION.msize) * TINY_QUANTUM;
  const capacity = (msize: number) => Math.min(128 * 32, Math.floor((HARDENED_REGION_SIZE - FIRST_BLOCK) / (msize * TINY_QUANTUM)));

  function regionOf(ptr: number): number {
    const index = Math.floor(ptr / HARDENED_REGION_SIZE);
    if (!(index >= 0 && index < 2 ** 32 / HARDENED_REGION_SIZE)) return 0;
    const word = proc.load32(base + HARDENED.regionMap + (index >>> 5) * 4);
    return (word >>> (index & 31)) & 1 ? index * HARDENED_REGION_SIZE : 0;
  }

  function inUseBit(region: number, index: number, on?: boolean): boolean {
    const word = region + HREGION.inUse + (index >>> 5) * 4;
    const bits = proc.load32(word);
    if (on !== undefined) proc.store32(word, (on ? bits | (1 << (index & 31)) : bits & ~(1 << (index & 31))) >>> 0);
    return ((bits >>> (index & 31)) & 1) === 1;
  }

  function seal(block: number, next: number): void {
    // TODO: store the link sealed: at SEALED.next, next XOR the secret (secret(), as an
    // unsigned u32: `>>> 0`); at SEALED.check, linkCheck(block, next, secret()).
    todo('seal(block, next): a link no overrun can forge');
  }

  /** The next block after free block `block` of class `msize`; a HeapCorruption if the seal is broken. */
  function unseal(block: number, msize: number, call: string): number {
    const dump = proc.hexdump(block - 16, 48, { from: block, to: block + 8 });
    // TODO: unseal the link (SEALED.next XOR secret(), `>>> 0`) and compare the block's
    // SEALED.check with linkCheck(block, next, secret()). When they differ, throw
    // new HeapCorruption(message, block, detail) with the message
    //   `${call}: corrupted free-list link in free block 0x… (N-byte class): its check field is 0x…, the link needs 0x…`
    // (N = msize * TINY_QUANTUM; addresses and words as hex() prints them) and the detail
    //   `Something wrote over the block after it was freed: an overrun from the block before it (0x…), or a use after free.`
    // (the block N bytes below), a newline, and the dump.
    const next: number = todo('unseal: the link back, and its check field tested');
    if (next !== 0) {
      const region = regionOf(next);
      const offset = next - region - FIRST_BLOCK;
      const index = offset / (msize * TINY_QUANTUM);
      if (region === 0 || proc.load32(region + HREGION.msize) !== msize || !Number.isInteger(index) || index >= proc.load32(region + HREGION.carved) || inUseBit(region, index)) {
        throw new HeapCorruption(`${call}: free block ${hex(block)} (${msize * TINY_QUANTUM}-byte class) links to ${hex(next)}, which is not a free block of its class`, block, dump);
      }
    }
    return next;
  }

  function newRegion(msize: number): number {
    const region = mapAligned(proc, HARDENED_REGION_SIZE, 'malloc tiny (hardened)');
    if (region === 0) return 0;
    proc.store32(region + HREGION.magic, HARDENED_MAGIC);
    proc.store32(region + HREGION.msize, msize);
    const index = region / HARDENED_REGION_SIZE;
    const word = base + HARDENED.regionMap + (index >>> 5) * 4;
    proc.store32(word, (proc.load32(word) | (1 << (index & 31))) >>> 0);
    proc.store32(current(msize), region);
    return region;
  }

  // #region hardened-malloc
  function tinyMalloc(msize: number): number {
    const first = proc.load32(head(msize));
    let block = first;
    if (block !== 0) {
      // TODO: the first free block of the class is taken: the list's head becomes its link,
      // unsealed (unseal, with the call 'malloc()'), never read as it is.
      todo('tinyMalloc: take the first free block, through its sealed link');
    } else {
      let region = proc.load32(current(msize));
      if (region === 0 || proc.load32(region + HREGION.carved) === capacity(msize)) region = newRegion(msize);
      if (region === 0) {
        proc.errno = ENOMEM;
        return 0;
      }
      const carved = proc.load32(region + HREGION.carved);
      proc.store32(region + HREGION.carved, carved + 1);
      block = region + FIRST_BLOCK + carved * msize * TINY_QUANTUM;
    }
    const region = regionOf(block);
    inUseBit(region, (block - region - FIRST_BLOCK) / blockBytes(region), true);
    return block;
  }

  function tinyFree(region: number, ptr: number, call: string): void {
    const bytes = blockBytes(region);
    const index = (ptr - region - FIRST_BLOCK) / bytes;
    if (!Number.isInteger(index) || index < 0 || index >= proc.load32(region + HREGION.carved)) {
      throw new HeapCorruption(`${call}: invalid pointer ${hex(ptr)} (hardened region ${hex(region)} of ${bytes}-byte blocks: not the start of a block)`, ptr);
    }
    if (!inUseBit(region, index)) throw new HeapCorruption(`${call}: double free detected: ${hex(ptr)} (${bytes}-byte class) is already free`, ptr);
    inUseBit(region, index, false);
    // TODO: push ptr on the free list of its class (msize = bytes / TINY_QUANTUM): its link,
    // sealed, to the list's head; the head, ptr.
    todo('tinyFree: push the block, with its link sealed');
  }
  // #endregion hardened-malloc

  function malloc(size: number): number {
    requireSize(size, `malloc(${size})`);
    return size <= limit ? tinyMalloc(quantaFor(size, TINY_QUANTUM)) : zone.malloc(size);
  }

  function free(ptr: number): void {
    if (ptr === 0) return;
    const region = regionOf(ptr);
    if (region === 0) zone.free(ptr);
    else tinyFree(region, ptr, 'free()');
  }

  function usableSize(ptr: number): number {
    const region = regionOf(ptr);
    return region === 0 ? zone.usableSize(ptr) : blockBytes(region);
  }

  function realloc(ptr: number, size: number): number {
    requireSize(size, `realloc(${hex(ptr)}, ${size})`);
    if (ptr === 0) return malloc(size);
    if (size === 0) {
      free(ptr);
      return 0;
    }
    if (regionOf(ptr) === 0 && size > limit) return zone.realloc(ptr, size);
    const have = usableSize(ptr);
    if (size <= have && size > have - TINY_QUANTUM) return ptr;
    const moved = malloc(size);
    if (moved === 0) return 0;
    proc.memcpy(moved, ptr, Math.min(size, have));
    free(ptr);
    return moved;
  }

  function calloc(count: number, size: number): number {
    requireSize(count, `calloc(${count}, ${size})`);
    requireSize(size, `calloc(${count}, ${size})`);
    if (count * size > limit) return zone.calloc(count, size);
    const ptr = malloc(count * size);
    if (ptr !== 0) proc.memset(ptr, 0, count * size);
    return ptr;
  }

  function check(): string {
    try {
      for (let msize = 1; msize < MAX_CLASSES; msize++) {
        let steps = 0;
        for (let block = proc.load32(head(msize)); block !== 0; block = unseal(block, msize, 'check()')) {
          if (++steps > 1_000_000) return `the free list of the ${msize * TINY_QUANTUM}-byte class does not end (a cycle?)`;
        }
      }
    } catch (error) {
      if (error instanceof HeapCorruption) return error.message;
      throw error;
    }
    return zone.check();
  }

  return { zone, base, malloc, free, realloc, calloc, usableSize, check };
}
