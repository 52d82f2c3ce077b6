// The real programs the book recorded (traces/README.md describes each). Chapter 8's examples
// and its chart replay exactly these: a trace a reader records beside them, with
// `npm run record`, is theirs to replay, and changes neither the book's figures nor its tests.

import { join } from 'node:path';

export const SHIPPED_RECORDINGS = ['git-log.rep', 'ls.rep', 'python3.rep', 'sort.rep'] as const;

/** The shipped recordings' paths under `root`, in name order. */
export function shippedRecordings(root: string): string[] {
  return SHIPPED_RECORDINGS.map((file) => join(root, 'traces', 'recorded', file));
}
