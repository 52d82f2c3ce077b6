// The message of a test not run because an earlier test of its file looped (loop-guard.ts), and
// how to tell one: such a test is no failure of its own, and check and grade count it apart.

export function notRunAfterLoop(looped: string): string {
  return `Not run: the test "${looped}" of this file looped without end (see its message); this one would most likely loop too.`;
}

/** Whether a test's message says it was not run after a loop (vitest may put `Error: ` before it). */
export function wasNotRunAfterLoop(message: string): boolean {
  return /^(Error: )?Not run: the test ".*" of this file looped without end/.test(message);
}
