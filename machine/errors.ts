// The errors a simulated process can raise. Each carries structured fields for tools
// and a message a student can act on.

import { LAYOUT } from './constants.ts';
import { hex } from './format.ts';

export type AccessKind = 'read' | 'write';

/** A mapping as /proc/self/maps shows it. */
export interface Mapping {
  start: number;
  end: number; // exclusive
  prot: number;
  name: string; // '[heap]', '[stack]', a path, or '' for anonymous memory
}

/** Why an access faulted: nothing mapped there, or the mapping forbids this access. */
export type FaultReason = 'unmapped' | 'protected';

/** An access to a byte that is not mapped, or mapped without the needed permission (SIGSEGV). */
export class SegmentationFault extends Error {
  override name = 'SegmentationFault';
  constructor(
    /** The first byte of the access that faulted. */
    readonly address: number,
    readonly access: AccessKind,
    /** Width of the whole access in bytes (1, 2, 4, 8, or the length of a memset/memcpy). */
    readonly width: number,
    readonly reason: FaultReason,
    /** The mapping holding the address (when protected) or the closest one to it. */
    readonly nearest: Mapping | undefined,
    /** Where the access began, when it started on an earlier, valid byte. */
    readonly accessStart: number = address,
  ) {
    super(describeFault(address, access, width, reason, nearest, accessStart));
  }
}

function describeFault(
  address: number,
  access: AccessKind,
  width: number,
  reason: FaultReason,
  nearest: Mapping | undefined,
  accessStart: number,
): string {
  const what = `${access} of ${width} byte${width === 1 ? '' : 's'} at ${hex(accessStart)}`;
  const where = accessStart === address ? '' : ` reached ${hex(address)}`;
  const inNullPage = reason === 'unmapped' && Math.abs(address) < LAYOUT.nullGuardEnd;
  const inKernelHalf = reason === 'unmapped' && address >= LAYOUT.userSpaceEnd && address < LAYOUT.addressSpaceEnd;
  const why =
    reason === 'protected'
      ? `, which lies in a mapping that does not allow ${access === 'read' ? 'reading' : 'writing'}`
      : inNullPage
        ? ', in the null page (is a pointer NULL, or a small offset from NULL?)'
        : inKernelHalf
          ? `, in the kernel's half of the address space (from ${hex(LAYOUT.userSpaceEnd)}), which a program never gets (is it a size, or a pointer read from the wrong bytes?)`
          : ', which is not mapped';
  let near = '';
  // Beside NULL or in the kernel's half, the nearest mapping is no clue: the pointer is no pointer at all.
  if (nearest !== undefined && !inNullPage && !inKernelHalf) {
    const where =
      address < nearest.start
        ? nearest.start - address === 1
          ? 'the byte just below its start'
          : `${nearest.start - address} bytes below its start`
        : address >= nearest.end
          ? address === nearest.end
            ? 'the first byte past its end'
            : `${address - nearest.end} bytes past its end`
          : 'inside it';
    const label = where === 'inside it' ? 'in mapping' : 'nearest mapping';
    const suffix = where === 'inside it' ? '' : ` (${where})`;
    near = `\n  ${label}: ${hex(nearest.start)}-${hex(nearest.end)} ${protString(nearest.prot)} ${nearest.name || '(anonymous)'}${suffix}`;
  }
  return `Segmentation fault: ${what}${where}${why}.${near}`;
}

/** `rw-p` as /proc/self/maps prints a protection. */
export function protString(prot: number): string {
  return `${prot & 1 ? 'r' : '-'}${prot & 2 ? 'w' : '-'}${prot & 4 ? 'x' : '-'}p`;
}

/**
 * An allocator found its heap in a state that a correct program cannot produce:
 * a double free, a pointer that malloc never returned, a smashed header.
 * Messages follow glibc's (`free(): double free detected`).
 */
export class HeapCorruption extends Error {
  override name = 'HeapCorruption';
  constructor(
    message: string,
    /** The address the allocator was given or was looking at. */
    readonly address: number,
    /** Extra lines for the student: a hex dump, the header as decoded, a hint. */
    readonly details: string = '',
  ) {
    super(details === '' ? message : `${message}\n${details}`);
  }
}

/** The simulated machine has no physical memory left for a page that was touched. */
export class OutOfPhysicalMemory extends Error {
  override name = 'OutOfPhysicalMemory';
}

/**
 * An atomic access at an address that is not a multiple of its width. x86 would split it
 * across cache lines and lose its atomicity; ARM raises SIGBUS, and so does the simulator.
 */
export class BusError extends Error {
  override name = 'BusError';
  constructor(
    readonly address: number,
    /** The operation, such as `atomicAdd32`. */
    readonly operation: string,
    readonly width: number,
  ) {
    super(
      `Bus error: ${operation}(${hex(address)}) is not ${width}-byte aligned (it is ${address % width} past a multiple of ${width}); ` +
        `an atomic access needs an aligned word (cstruct aligns a u32 field to 4 bytes).`,
    );
  }
}

/**
 * A logical thread waits (wait32) for a word to change, but with logical threads nothing
 * else runs while it waits, so nothing ever will: a lock taken twice, or never released.
 */
export class Deadlock extends Error {
  override name = 'Deadlock';
  constructor(
    readonly thread: number,
    readonly address: number,
    /** The value the word holds, which the thread waits to see change. */
    readonly value: number,
  ) {
    super(
      `Deadlock: thread ${thread} waits at ${hex(address)} (which holds ${value}) for a value only another thread could change, ` +
        `and with logical threads nothing else runs while it waits. Is a lock taken twice, or taken and never released ` +
        `(an early return, an exception)? In a Process made with { shared: true }, wait32 really sleeps until notify32.`,
    );
  }
}

/** How RunawayLoop's message begins: grading counts the tests it stopped by it. */
export const RUNAWAY_LOOP_OPENING = 'Endless loop? This process has made';

/**
 * More loads and stores than the process may make (Process.loopGuard): code that loops for
 * ever, stopped where it runs, so that the stack names the line instead of a test timing out.
 */
export class RunawayLoop extends Error {
  override name = 'RunawayLoop';
  constructor(readonly limit: number) {
    super(
      `${RUNAWAY_LOOP_OPENING} ${limit.toLocaleString('en-US')} loads and stores, at least ten times what the book's own allocator needs here, ` +
        `so it was stopped where it ran: the first line of yours in the stack below is in the loop (or in far too slow a search). ` +
        `A free list that leads back into itself, or a walk that adds a size of 0 to its pointer, never ends.`,
    );
  }
}
