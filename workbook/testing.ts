// Helpers for the chapters' tests: messages that show the student the bytes.

import { hex, type Process } from '../machine/index.ts';

/** A hex dump of the bytes around `addr`, with [addr, addr + length) underlined. */
export function around(proc: Process, addr: number, length = 16, context = 16): string {
  const from = Math.max(0, addr - context);
  return proc.hexdump(from, addr - from + length + context, { from: addr, to: addr + length });
}

/** The byte that `fillPattern` writes at offset `i` of block number `seed`. */
export function patternByte(seed: number, i: number): number {
  return (seed * 37 + i * 11 + 1) & 0xff;
}

/** Fills `n` bytes at `ptr` with a pattern that differs from block to block. */
export function fillPattern(proc: Process, ptr: number, n: number, seed: number): void {
  for (let i = 0; i < n; i++) proc.store8(ptr + i, patternByte(seed, i));
}

/** The address of the first byte that no longer holds the pattern, or undefined. */
export function findPatternDamage(proc: Process, ptr: number, n: number, seed: number): number | undefined {
  for (let i = 0; i < n; i++) if (proc.load8(ptr + i) !== patternByte(seed, i)) return ptr + i;
  return undefined;
}

/** `malloc(24) = 0x01000010`, for a list of calls in a message. */
export function describeCalls(calls: Array<[string, number]>): string {
  return calls.map(([call, result]) => `  ${call} = ${hex(result)}`).join('\n');
}

/**
 * Puts `replacement` in place of the process's method `name`, for a test's or a tool's wrapper: a
 * Process's methods cannot be assigned over (`proc.wait32 = …` throws), so it defines it anew.
 */
export function replaceMethod<K extends keyof Process>(proc: Process, name: K, replacement: Process[K]): void {
  Object.defineProperty(proc, name, { value: replacement, writable: false, configurable: true });
}
