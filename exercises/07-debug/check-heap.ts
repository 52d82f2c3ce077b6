// Chapter 7, step 4: MallocCheckHeapStart and MallocCheckHeapEach. The zone counts its
// operations (malloc, free, realloc, calloc) in its record, and after operation #start, and
// every #each after it, walks the whole heap with check(). A stray write is then caught
// within `each` operations of happening, instead of whenever the damaged block is next
// used: bisect with smaller numbers until the check fails right after the culprit.
// Check your work with `npm run check -- check-heap`; stuck? `npm run hint -- check-heap`.
// The options are in the debug record (options.ts): DEBUG.checkStart, DEBUG.checkEach, DEBUG.operations.

import { HeapCorruption, type Process } from '../../machine/index.ts';
import { todo } from '../../workbook/todo.ts';
import { DEBUG } from './options.ts';

/** The first line of the report, as macOS prints it (without its "*** "). */
export function checkFailedMessage(operation: number): string {
  // TODO: 'MallocCheckHeap: FAILED check at operation #' and the number.
  todo('checkFailedMessage(operation): the first line of the report');
}

// #region count-operation
/**
 * Counts one operation; if the options ask for a check after it, runs `check` and throws a
 * HeapCorruption naming the operation and what broke. Returns the operation's number.
 */
export function countOperation(proc: Process, base: number, check: () => string): number {
  // TODO: add one to DEBUG.operations. With checkStart 0, or before operation #checkStart,
  // that is all. From there on, check after #start, #start + each, #start + 2·each, …: call
  // check(); '' means sound. Otherwise throw new HeapCorruption(checkFailedMessage(operation),
  // address, what check() said), with the first 0x… address in what it said (0 if none).
  // Return the operation's number.
  todo('countOperation(proc, base, check): count, and check when due');
}
// #endregion count-operation
