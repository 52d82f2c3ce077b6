// A setup file of every test run: a process that makes 300 million loads and stores is taken
// for an endless loop and stopped with a RunawayLoop, whose stack names the student's line.
// The heaviest test makes under 30 million in one process with the reference; 300 million
// take 2 to 10 s (through cstruct, the slowest way), inside the time a test file is given
// before it is stopped as a hang, which names only the test. Once one test of a file has
// looped, the file's later tests fail at once, naming it: each would loop as long again, and
// together they would reach that time limit, which loses every result of the file.

import { afterEach, beforeEach } from 'vitest';
import { Process } from '../machine/index.ts';

Process.loopGuard = 300_000_000;

let looped: string | undefined;

afterEach(({ task }) => {
  if (looped === undefined && task.result?.errors?.some((error) => error.name === 'RunawayLoop')) looped = task.name;
});

beforeEach(() => {
  if (looped !== undefined) throw new Error(`Not run: the test "${looped}" of this file looped without end (see its message); this one would most likely loop too.`);
});
