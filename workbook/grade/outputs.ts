// Where npm run grade writes its reports (--csv, --junit, --gradescope), checked before any
// grading starts: a mistyped folder found after an hour of grading would lose the class's
// results, and so would a report of an earlier run overwritten. Gradescope's report is one
// file for one submission, or a folder of one file each.

import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * The reports an earlier run left where this one would write (a gradebook, JUnit results, a
 * Gradescope file, or a Gradescope folder holding results files, this batch's students' or
 * others'), a sentence each saying what it holds; empty when nothing would be lost. Checked
 * before any grading, like the paths, and passed over with --force, as `npm run record` does.
 */
export function existingReports(paths: ReportPaths, here: string, names: readonly string[]): string[] {
  const found: string[] = [];
  const file = (option: string, path: string | undefined, holds: (text: string) => string) => {
    if (path === undefined) return;
    const full = resolve(here, path);
    if (!existsSync(full) || !statSync(full).isFile()) return;
    found.push(`--${option} ${path} exists: ${holds(readFileSync(full, 'utf8'))}, written ${written(full)}. Nothing was graded. Pass --force to overwrite it, or name another file.`);
  };
  file('csv', paths.csv, (text) => {
    const rows = csvRows(text) - 1;
    return rows < 0 ? 'an empty file' : `a gradebook of ${rows} submission${rows === 1 ? '' : 's'}`;
  });
  file('junit', paths.junit, (text) => {
    const suites = text.match(/<testsuite\b/g)?.length ?? 0;
    return `JUnit results of ${suites} test suite${suites === 1 ? '' : 's'}`;
  });
  const gradescope = paths.gradescope;
  if (gradescope === undefined) return found;
  const full = resolve(here, gradescope);
  if (!gradescopeIsFolder(gradescope, here, names.length)) {
    file('gradescope', gradescope, (text) => {
      const score = gradescopeScore(text);
      return score === undefined ? 'a file' : `Gradescope results, score ${score}`;
    });
    return found;
  }
  if (!existsSync(full) || !statSync(full).isDirectory()) return found;
  const results = readdirSync(full).filter((f) => f.endsWith('.json')).sort();
  if (results.length === 0) return found;
  const ours = results.filter((f) => names.includes(f.slice(0, -'.json'.length)));
  const others = results.filter((f) => !ours.includes(f));
  const holds = [
    ...(ours.length === 0 ? [] : [`${listed(ours)} of this batch's students (overwritten with --force)`]),
    ...(others.length === 0 ? [] : [`${listed(others)} of students not in this batch (left as they are with --force)`]),
  ];
  found.push(`--gradescope ${gradescope} holds results of an earlier run: ${holds.join('; ')}. Nothing was graded. Pass --force to write into it all the same, or name another folder.`);
  return found;
}

/** A few file names, and how many more. */
function listed(files: readonly string[]): string {
  return files.length <= 4 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
}

/** The lines of a CSV text, a quoted cell's line breaks inside its line. */
function csvRows(text: string): number {
  let rows = 0;
  let quoted = false;
  for (const c of text.replace(/\n$/, '')) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) rows++;
  }
  return text.trim() === '' ? 0 : rows + 1;
}

/** `12.5 of 15`, from a Gradescope results file, or undefined if it is not one. */
function gradescopeScore(text: string): string | undefined {
  try {
    const { score, max_score: max } = JSON.parse(text) as { score?: unknown; max_score?: unknown };
    return typeof score === 'number' && typeof max === 'number' ? `${score} of ${max}` : undefined;
  } catch {
    return undefined;
  }
}

/** When a file was last written, to the minute, in local time: 2026-11-24 12:40. */
function written(file: string): string {
  const t = statSync(file).mtime;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${two(t.getHours())}:${two(t.getMinutes())}`;
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
