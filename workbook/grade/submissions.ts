// Which submissions `npm run grade` was given: paths named on the command line, and the
// entries of a --batch folder. Checked before any work starts, so that a typo costs nothing.

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ARCHIVE, displayName } from './grade.ts';

/** What a submission is, for the messages that say something is not one. */
const WHAT_A_SUBMISSION_IS = "A submission is a folder holding a student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one";

/** Why `path` (as the instructor typed it) cannot be a submission, or undefined if it can. */
export function submissionProblem(path: string, shown: string = path): string | undefined {
  if (!existsSync(path)) return `${shown}: there is no such file or folder. ${WHAT_A_SUBMISSION_IS}.`;
  if (statSync(path).isDirectory() || ARCHIVE.test(path)) return undefined;
  return `${shown} is a file, not a submission: give a folder holding the student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one.`;
}

export interface BatchListing {
  /** The folders and archives to grade, by name. */
  submissions: string[];
  /** Entries that are neither a folder nor an archive (a link to nothing too). */
  skipped: string[];
  /** Folders that hold only reports of an earlier grading (.json, .csv, .xml): no student's work. */
  notWorkbooks: string[];
}

/**
 * The submissions in a --batch folder: its folders and archives, by name, but for the
 * grader's own `reports` (absolute paths: a --gradescope folder or a --csv file written into
 * the batch folder by an earlier run), and the entries left out. A folder holding nothing but
 * reports (an earlier run's --gradescope folder under another name) is not a student's work;
 * any other folder is graded, even one laid out wrongly or empty, so that its student gets a
 * row with the reason. Throws when nothing is left to grade.
 */
export function batchSubmissions(folder: string, shown: string = folder, reports: readonly string[] = []): BatchListing {
  if (!existsSync(folder)) throw new Error(`--batch ${shown}: there is no such folder.`);
  if (!statSync(folder).isDirectory()) throw new Error(`--batch ${shown} is a file: --batch takes a folder with one submission in each of its folders or archives.`);
  const ours = new Set(reports.flatMap((r) => [resolve(r), realPath(r)]));
  const listing: BatchListing = { submissions: [], skipped: [], notWorkbooks: [] };
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue; // .DS_Store, .git: never a student
    const path = join(folder, entry.name);
    if (ours.has(resolve(path)) || ours.has(realPath(path))) continue;
    // stat, not the entry's own type: a link to a student's folder is that folder.
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats?.isDirectory() === true) (holdsOnlyReports(path) ? listing.notWorkbooks : listing.submissions).push(path);
    else if (stats?.isFile() === true && ARCHIVE.test(entry.name)) listing.submissions.push(path);
    else listing.skipped.push(entry.name);
  }
  if (listing.submissions.length === 0) throw new Error(`--batch ${shown} holds no submission: ${leftOutSaying(listing) ?? 'it is empty'}. ${WHAT_A_SUBMISSION_IS}; --batch takes the folder that holds them, one a student.`);
  return listing;
}

/** Why a batch's entries were left out, as a clause; undefined if none were. */
export function leftOutSaying({ skipped, notWorkbooks }: Pick<BatchListing, 'skipped' | 'notWorkbooks'>): string | undefined {
  const said = [
    ...(skipped.length === 0 ? [] : [`${skipped.join(', ')} ${skipped.length === 1 ? 'is' : 'are'} neither a folder nor an archive`]),
    ...(notWorkbooks.length === 0 ? [] : [`${notWorkbooks.map((f) => `${basename(f)}/`).join(', ')} ${notWorkbooks.length === 1 ? 'holds' : 'hold'} only reports of a grading (.json, .csv, .xml)`]),
  ];
  return said.length === 0 ? undefined : said.join('; ');
}

/** Whether `dir` holds files, and every one of them (but hidden ones) is a report the grader writes. */
function holdsOnlyReports(dir: string): boolean {
  const files = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  return files.length > 0 && files.every((e) => e.isFile() && /\.(json|csv|xml)$/.test(e.name));
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The submissions once each: two paths to the same folder or archive (a link beside it in a
 * --batch, or named twice) are graded once, by the first path; the others are returned with it.
 */
export function gradedOnce(submissions: readonly string[]): { once: string[]; repeated: Array<{ path: string; same: string }> } {
  const first = new Map<string, string>();
  const repeated: Array<{ path: string; same: string }> = [];
  for (const path of submissions) {
    const real = realPath(path);
    const same = first.get(real);
    if (same === undefined) first.set(real, path);
    else repeated.push({ path, same });
  }
  return { once: [...first.values()], repeated };
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
