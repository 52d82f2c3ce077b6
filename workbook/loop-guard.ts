// A setup file of every test run: a process that makes far more loads and stores than any
// test needs is taken for an endless loop and stopped with a RunawayLoop, whose stack names
// the student's line. The limit is ten times the most any test of the chapter makes in one
// process with the reference: under 300,000 in chapters 0 to 2, under 3 million in 3 and 4
// (their random runs), under 30 million from 5 on. Low, it stops a loop in well under a
// second, before the time limit a test file is given, which names only the test; even a loop
// that also fills an array (a walk pushing every block it visits) is stopped before that array
// grows too big to matter. Once one test of a file has looped, the file's later tests fail at
// once, naming it: each would loop as long again, and together they would reach that time
// limit, which loses every result of the file.

import { afterEach, beforeEach } from 'vitest';
import { Process } from '../machine/index.ts';
import { notRunAfterLoop } from './not-run.ts';

/** The loop guard of a test file, by its chapter folder's number (`exercises/03-coalescing/…` → 3). */
export function loopLimitFor(testFile: string): number {
  const chapter = /(?:^|[/\\])(\d\d)-[\w-]+[/\\][^/\\]+$/.exec(testFile)?.[1];
  if (chapter === undefined) return 300_000_000;
  const n = Number(chapter);
  return n <= 2 ? 3_000_000 : n <= 4 ? 30_000_000 : 300_000_000;
}

// Processes made as a test file loads, before any test: the most any chapter allows.
Process.loopGuard = 300_000_000;

let looped: string | undefined;

afterEach(({ task }) => {
  if (looped === undefined && task.result?.errors?.some((error) => error.name === 'RunawayLoop')) looped = task.name;
});

beforeEach(({ task }) => {
  Process.loopGuard = loopLimitFor(task.file.filepath);
  if (looped !== undefined) throw new Error(notRunAfterLoop(looped));
});
