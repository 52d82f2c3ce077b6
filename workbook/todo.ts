// What a skeleton calls where the student's code goes.

import { forwardSlashes } from './text.ts';

/** Thrown by a skeleton's unfinished part; its message says where and what to do. */
export class NotImplemented extends Error {
  override name = 'NotImplemented';
}

/**
 * Marks a hole in a skeleton: throws, naming the task and the file and line to open. The
 * place comes from the caller's stack frame, or from `this` when a browser bundle passes it
 * (site/heap-embed.ts), since a stack in the page names only the bundle.
 */
export function todo(this: string | void, task: string): never {
  const frame = new Error().stack?.split('\n')[2] ?? '';
  // The file as the test runner sees it: exercises/…, or a staged copy of a student's folder; a
  // Windows frame says exercises\01-bump\bump.ts, shown with forward slashes as everywhere else.
  const found = /((?:exercises|\.target-[^\\/]+)[\\/][^):]+:\d+)/.exec(frame)?.[1];
  // Given by the page's bundle (todo.call("exercises/…:12", …)); outside strict code it comes boxed.
  const given: unknown = this;
  const where = typeof given === 'string' || given instanceof String ? String(given) : found === undefined ? 'the exercise file' : forwardSlashes(found);
  throw new NotImplemented(`Not written yet: ${task}\n  Open ${where}, replace the todo(…) call with your code, and run the check again.`);
}
