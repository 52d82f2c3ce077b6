// Which submissions `npm run grade` was given: paths named on the command line, and the
// entries of a --batch folder. Checked before any work starts, so that a typo costs nothing.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHIVE, displayName } from './grade.ts';

/** Why `path` (as the instructor typed it) cannot be a submission, or undefined if it can. */
export function submissionProblem(path: string, shown: string = path): string | undefined {
  if (!existsSync(path)) return `${shown}: there is no such file or folder. A submission is a folder holding the student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one.`;
  if (statSync(path).isDirectory() || ARCHIVE.test(path)) return undefined;
  return `${shown} is a file, not a submission: give a folder holding the student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one.`;
}

/** The submissions in a --batch folder (its folders and archives, by name), and the entries left out. */
export function batchSubmissions(folder: string, shown: string = folder): { submissions: string[]; skipped: string[] } {
  if (!existsSync(folder)) throw new Error(`--batch ${shown}: there is no such folder.`);
  if (!statSync(folder).isDirectory()) throw new Error(`--batch ${shown} is a file: --batch takes a folder with one submission in each of its folders or archives.`);
  const submissions: string[] = [];
  const skipped: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue; // .DS_Store, .git: never a student
    // stat, not the entry's own type: a link to a student's folder is that folder.
    const stats = statSync(join(folder, entry.name), { throwIfNoEntry: false });
    if (stats?.isDirectory() === true || (stats?.isFile() === true && ARCHIVE.test(entry.name))) submissions.push(join(folder, entry.name));
    else skipped.push(entry.name);
  }
  return { submissions, skipped };
}

/** A file name per submission for per-student reports: its display name, numbered when two are alike. */
export function reportNames(submissions: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return submissions.map((s) => {
    const name = displayName(s);
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}-${count}`;
  });
}
