// Chapter 0, warm-up 1: bytes in simulated memory, one load or store at a time.
// Check your work with `npm run check -- memory`; stuck? `npm run hint -- memory`.

import type { Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';

/** C's memset, by hand: sets `n` bytes at `addr` to `byte`, one store8 each. */
export function fill(proc: Process, addr: number, byte: number, n: number): void {
  // TODO: store `byte` into each of the n bytes that start at addr (proc.store8).
  todo('fill(proc, addr, byte, n): set n bytes to byte');
}

/** C's strlen: how many bytes come before the first zero byte at `addr`. */
export function cstringLength(proc: Process, addr: number): number {
  // TODO: read bytes from addr on (proc.load8) until you meet a zero; count the others.
  todo('cstringLength(proc, addr): count the bytes before the zero');
}

/** Writes `text` (ASCII) at `addr` followed by a zero byte, as C stores a string. */
export function writeCString(proc: Process, addr: number, text: string): void {
  // Given: the tests use it to lay out strings for cstringLength.
  for (let i = 0; i < text.length; i++) proc.store8(addr + i, text.charCodeAt(i));
  proc.store8(addr + text.length, 0);
}
