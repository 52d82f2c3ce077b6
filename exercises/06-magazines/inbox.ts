// Chapter 6, step 4 (given): a magazine's inbox. A thread that frees a block of another
// thread's magazine while that magazine's lock is held does not wait for the lock: it pushes
// the block onto the magazine's inbox and goes on. The inbox is a stack linked through the
// blocks' own first words (the program has freed them: their bytes are the allocator's), so
// pushing is one compare-and-swap on its head, and taking everything is one more. Whoever
// holds the magazine's lock empties the inbox as it lets go (release, cross-thread.ts).

import { hex, type Process } from '../../machine/index.ts';
import { REGION_BYTES } from '../05-zones/region.ts';
import type { MagazineSet } from './choose.ts';

// #region inbox
export const INBOX = {
  head: 0, // the block pushed last, or 0; each block's first u32 links to the one before
  pushed: 4, // how many frees went through the inbox (for the figures)
} as const;
export const INBOX_BYTES = 8;

/** Puts `block` on top of the inbox at `inbox`; never waits. */
export function pushInbox(proc: Process, inbox: number, block: number): void {
  for (let head = proc.atomicLoad32(inbox + INBOX.head); ; ) {
    proc.store32(block, head); // link first: once the exchange succeeds, others may take the block
    const seen = proc.atomicCompareExchange32(inbox + INBOX.head, head, block);
    if (seen === head) break;
    head = seen; // another block came in meanwhile: link to it instead
  }
  proc.atomicAdd32(inbox + INBOX.pushed, 1);
}

/** Takes every block in the inbox at once, leaving it empty: the last pushed, or 0. */
export function takeInbox(proc: Process, inbox: number): number {
  for (let head = proc.atomicLoad32(inbox + INBOX.head); head !== 0; ) {
    const seen = proc.atomicCompareExchange32(inbox + INBOX.head, head, 0);
    if (seen === head) return head;
    head = seen;
  }
  return 0;
}
// #endregion inbox

/** Every block in rack m's inbox is a block in use in a region of `set`, there once; the first that is not, or ''. */
export function checkInbox(proc: Process, set: MagazineSet, m: number): string {
  const inbox = set.inboxes[m];
  const seen = new Set<number>();
  for (let block = proc.load32(inbox + INBOX.head); block !== 0; block = proc.load32(block)) {
    const where = `${set.kind.name} ${m === 0 ? 'depot' : `magazine ${m}`}: its inbox at ${hex(inbox)} holds ${hex(block)}`;
    if (seen.has(block)) return `${where} twice, so its links loop: the block was freed twice`;
    seen.add(block);
    const region = set.racks[0].regionOf(block); // every rack of a set shares one region map
    const q = (block - region - REGION_BYTES) / set.reader.quantum;
    if (region === 0 || !Number.isInteger(q) || q < 0 || q >= set.reader.numQuanta || !set.reader.isStart(proc, region, q) || set.reader.isFree(proc, region, q)) {
      return `${where}, which is not a block in use in a ${set.kind.name} region: a block waiting in an inbox stays in use until its magazine frees it\n${proc.hexdump(block, 16)}`;
    }
  }
  return '';
}
