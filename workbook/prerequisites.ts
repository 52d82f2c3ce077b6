// Which earlier exercises an exercise builds on: the exercise files its file imports, directly or
// through the given files beside them (chapter 6's magazines.ts imports chapter 5's rack.ts,
// through check.ts too). A failure in a later chapter often starts in one of them.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES, type Exercise, exerciseOfFile } from './exercises.ts';
import { relativeImports } from './imports.ts';
import { readProgress } from './progress.ts';
import { targetRoot } from './target.ts';

/**
 * The earlier exercises `exercise` imports, directly or not, in the book's order; `root` is the
 * target's exercises folder. Only earlier ones: a file may take a later one's layout constants
 * (statistics.ts reads RACK's offsets), which is no code to build on.
 */
export function prerequisitesOf(exercise: Exercise, root: string): Exercise[] {
  const seen = new Set<string>();
  const found = new Set<string>();
  // `file` is relative to root, '/'-separated; a path leaving root is the machine or the workbook's tools.
  const visit = (file: string) => {
    if (seen.has(file) || file.startsWith('../') || !existsSync(join(root, file))) return;
    seen.add(file);
    // Type-only imports run nothing: a file that names another's types does not build on its code.
    for (const imported of relativeImports(readFileSync(join(root, file), 'utf8'), file, { runtimeOnly: true })) {
      const owner = exerciseOfFile(imported);
      if (owner !== undefined && owner.id !== exercise.id) found.add(owner.id);
      visit(imported);
    }
  };
  visit(`${exercise.chapter}/${exercise.file}`);
  const before = EXERCISES.slice(0, EXERCISES.indexOf(exercise));
  return before.filter((e) => found.has(e.id));
}

/**
 * For a failing exercise of the student's: the earlier exercises it runs that have not been
 * seen to pass (npm run check, watch mode), and where to start; undefined when there are none.
 */
export function unfinishedNote(exercise: Exercise, done: ReadonlySet<string> = readProgress().done): string | undefined {
  const pending = prerequisitesOf(exercise, targetRoot('exercises')).filter((e) => !done.has(e.id));
  if (pending.length === 0) return undefined;
  const ids = pending.map((e) => e.id);
  const named = ids.length <= 4 ? ids.join(', ') : `${ids.slice(0, 4).join(', ')} and ${ids.length - 4} more`;
  const one = ids.length === 1;
  return `This exercise runs your code of ${named}, which ${one ? 'has' : 'have'} not passed ${one ? 'its' : 'their'} own tests in a check yet (not checked, or failing): a failure here may start there. Check first: npm run check -- ${ids[0]}`;
}
