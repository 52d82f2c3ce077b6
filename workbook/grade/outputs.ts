// Where npm run grade writes its reports (--csv, --junit, --gradescope), checked before any
// grading starts: a mistyped folder found after an hour of grading would lose the class's
// results. Gradescope's report is one file for one submission, or a folder of one file each.

import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ReportPaths {
  csv?: string;
  junit?: string;
  gradescope?: string;
}

/** Whether --gradescope names a folder: for several submissions, or an existing folder, or a path ending in /. */
export function gradescopeIsFolder(path: string, here: string, submissions: number): boolean {
  const full = resolve(here, path);
  return submissions > 1 || /[/\\]$/.test(path) || (existsSync(full) && statSync(full).isDirectory());
}

/** What is wrong with the report paths, as a sentence a line each; empty when they can be written. */
export function reportPathProblems(paths: ReportPaths, here: string, submissions: number): string[] {
  const problems: string[] = [];
  const file = (option: string, path: string | undefined) => {
    if (path === undefined) return;
    const full = resolve(here, path);
    if (existsSync(full) && statSync(full).isDirectory()) problems.push(`--${option} ${path} is a folder: name a file in it, such as ${join(path, option === 'junit' ? 'grades.xml' : 'grades.csv')}.`);
    else if (!existsSync(dirname(full))) problems.push(noFolder(option, path, 'write it in'));
  };
  file('csv', paths.csv);
  file('junit', paths.junit);
  const gradescope = paths.gradescope;
  if (gradescope !== undefined) {
    const full = resolve(here, gradescope);
    const folder = gradescopeIsFolder(gradescope, here, submissions);
    const needsFolder = `${submissions} submissions need a folder, a results file each: name a folder, such as out/.`;
    // A name that looks like a file would become a folder called results.json.
    if (folder && !existsSync(full) && /\.json$/i.test(gradescope)) problems.push(`--gradescope ${gradescope} names a file, and ${needsFolder}`);
    else if (folder && existsSync(full) && !statSync(full).isDirectory()) problems.push(`--gradescope ${gradescope} is a file, and ${needsFolder}`);
    else if (!existsSync(dirname(full))) problems.push(noFolder('gradescope', gradescope, folder ? 'make it in' : 'write it in'));
  }
  return problems;
}

/** A report path whose folder does not exist, and what to do. */
function noFolder(option: string, path: string, purpose: 'write it in' | 'make it in'): string {
  return `--${option} ${path}: there is no folder ${dirname(path) || '.'} to ${purpose}. Make it first, or name a ${purpose === 'make it in' ? 'folder' : 'file'} in a folder that exists.`;
}

/** The results files in a --gradescope folder that are not this batch's `names`: an earlier run's. */
export function earlierResults(folder: string, names: readonly string[]): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.json') && !names.includes(f.slice(0, -'.json'.length))).sort();
}

/** Writes one report; a failure is said and returned, so that the other reports and the table still come out. */
export function writeReport(here: string, path: string, text: string, say: (line: string) => void): boolean {
  try {
    mkdirSync(dirname(resolve(here, path)), { recursive: true });
    writeFileSync(resolve(here, path), text);
    say(`wrote ${path}`);
    return true;
  } catch (error) {
    say(`could not write ${path}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
