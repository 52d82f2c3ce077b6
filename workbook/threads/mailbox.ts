// A mailbox in simulated memory, through which one worker hands blocks to another: a ring of
// (pointer, size) slots with a head the sender advances and a tail the receiver advances.
// One sender and one receiver per mailbox, so two atomic counters are all the locking needed.

import type { Process } from '../../machine/index.ts';

export const MAILBOX = { head: 0, tail: 4, slots: 16 } as const;
export const MAILBOX_SLOTS = 1024;
export const MAILBOX_BYTES = MAILBOX.slots + MAILBOX_SLOTS * 8;

/** Posts a block; false if the mailbox is full (the sender keeps the block and frees it itself). */
export function post(proc: Process, box: number, ptr: number, size: number): boolean {
  const head = proc.atomicLoad32(box + MAILBOX.head);
  if (head - proc.atomicLoad32(box + MAILBOX.tail) >= MAILBOX_SLOTS) return false;
  const slot = box + MAILBOX.slots + (head % MAILBOX_SLOTS) * 8;
  proc.store32(slot, ptr);
  proc.store32(slot + 4, size);
  proc.atomicStore32(box + MAILBOX.head, head + 1); // publishes the slot
  return true;
}

/** Takes the oldest block posted, or undefined if there is none. */
export function take(proc: Process, box: number): { ptr: number; size: number } | undefined {
  const tail = proc.atomicLoad32(box + MAILBOX.tail);
  if (tail === proc.atomicLoad32(box + MAILBOX.head)) return undefined;
  const slot = box + MAILBOX.slots + (tail % MAILBOX_SLOTS) * 8;
  const block = { ptr: proc.load32(slot), size: proc.load32(slot + 4) };
  proc.atomicStore32(box + MAILBOX.tail, tail + 1); // frees the slot
  return block;
}
