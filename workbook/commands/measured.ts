// What the benchmarks and zone-stats measure: the book's reference in solutions/ unless
// --target names another, and how their headings say whose it is.

import { asTyped } from '../paths.ts';
import { targetName } from '../target.ts';
import type { Options } from './options.ts';

/** The target measured: `solutions` without --target, else `solutions`, `exercises` or a folder, however it was written. */
export function measuredTarget(options: Options): string {
  return options.targetGiven ? targetName(options.target) : 'solutions';
}

/**
 * Whose `what` (`zone`, `8 allocators`) a heading names, with where it is (`05-zones`):
 * the book's reference, the student's, or a folder's, as typed from `here`.
 */
export function whose(target: string, what: string, where: string, here: string): string {
  if (target === 'solutions') return `the book's reference ${what}, solutions/${where} (yours: --target exercises)`;
  if (target === 'exercises') return `your ${what}, exercises/${where}`;
  return `the ${what} of ${asTyped(here, target)}`;
}
