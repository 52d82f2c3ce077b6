// Chapter 7, step 4: MallocCheckHeapStart and MallocCheckHeapEach. The zone counts its
// operations (malloc, free, realloc, calloc) in its record, and after operation #start, and
// every #each after it, walks the whole heap with check(). A stray write is then caught
// within `each` operations of happening, instead of whenever the damaged block is next
// used: bisect with smaller numbers until the check fails right after the culprit.

import { HeapCorruption, type Process } from '../../machine/index.ts';
import { DEBUG } from './options.ts';

/** The first line of the report, as macOS prints it (without its "*** "). */
export function checkFailedMessage(operation: number): string {
  return `MallocCheckHeap: FAILED check at operation #${operation}`;
}

// #region count-operation
/**
 * Counts one operation; if the options ask for a check after it, runs `check` and throws a
 * HeapCorruption naming the operation and what broke. Returns the operation's number.
 */
export function countOperation(proc: Process, base: number, check: () => string): number {
  const operation = proc.load32(base + DEBUG.operations) + 1;
  proc.store32(base + DEBUG.operations, operation);
  const start = proc.load32(base + DEBUG.checkStart);
  if (start === 0 || operation < start) return operation;
  if ((operation - start) % proc.load32(base + DEBUG.checkEach) !== 0) return operation;
  const broken = check();
  if (broken !== '') {
    const address = Number(/0x[0-9a-f]+/i.exec(broken)?.[0] ?? 0);
    throw new HeapCorruption(checkFailedMessage(operation), address, broken);
  }
  return operation;
}
// #endregion count-operation
