// Chapter 0, warm-up 1: bytes in simulated memory, one load or store at a time.

import type { Process } from '../../machine/index.ts';

/** C's memset, by hand: sets `n` bytes at `addr` to `byte`, one store8 each. */
export function fill(proc: Process, addr: number, byte: number, n: number): void {
  for (let i = 0; i < n; i++) proc.store8(addr + i, byte);
}

/** C's strlen: how many bytes come before the first zero byte at `addr`. */
export function cstringLength(proc: Process, addr: number): number {
  let length = 0;
  while (proc.load8(addr + length) !== 0) length++;
  return length;
}

/** Writes `text` (ASCII) at `addr` followed by a zero byte, as C stores a string. */
export function writeCString(proc: Process, addr: number, text: string): void {
  for (let i = 0; i < text.length; i++) proc.store8(addr + i, text.charCodeAt(i));
  proc.store8(addr + text.length, 0);
}
