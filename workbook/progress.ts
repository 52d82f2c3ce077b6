// The student's progress in one small text file at the root (`.workbook-progress`): hints
// seen, exercises done, where watch mode resumes. Plain lines, safe to copy between
// machines, and ignored by git.
//
//   hint bump 2
//   done memory
//   current bump

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { EXERCISES } from './exercises.ts';
import { PROGRESS_FILE } from './paths.ts';

export interface Progress {
  /** Hints seen per exercise id. */
  hints: Map<string, number>;
  /** Exercises whose tests all passed when the student moved on. */
  done: Set<string>;
  /** Where watch mode resumes. */
  current: string | undefined;
}

export function readProgress(file = PROGRESS_FILE): Progress {
  const progress: Progress = { hints: new Map(), done: new Set(), current: undefined };
  if (!existsSync(file)) return progress;
  if (statSync(file).isDirectory()) {
    throw new Error(`${file} is a folder, where the workbook keeps its progress (hints seen, exercises done) in a file of that name. Move the folder away, then run the command again.`);
  }
  const known = new Set(EXERCISES.map((e) => e.id));
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [word, id, count] = line.trim().split(/\s+/);
    if (id === undefined || !known.has(id)) continue; // an exercise from another version: ignore
    if (word === 'hint' && /^\d+$/.test(count ?? '')) progress.hints.set(id, Number(count));
    else if (word === 'done') progress.done.add(id);
    else if (word === 'current') progress.current = id;
  }
  return progress;
}

export function writeProgress(progress: Progress, file = PROGRESS_FILE): void {
  const lines = ['# malloc workbook progress: hints seen, exercises done, where watch mode resumes. Safe to copy or delete.'];
  for (const [id, count] of [...progress.hints].sort()) lines.push(`hint ${id} ${count}`);
  for (const id of [...progress.done].sort()) lines.push(`done ${id}`);
  if (progress.current !== undefined) lines.push(`current ${progress.current}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Changes the progress file in one step: read, change, write. */
export function updateProgress(change: (progress: Progress) => void, file = PROGRESS_FILE): Progress {
  const progress = readProgress(file);
  change(progress);
  writeProgress(progress, file);
  return progress;
}
