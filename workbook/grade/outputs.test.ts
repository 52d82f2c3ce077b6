// The report paths of npm run grade are checked before any grading, and a report that cannot
// be written says so without losing the others.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { earlierResults, existingReports, gradescopeIsFolder, reportPathProblems, writeReport } from './outputs.ts';

const here = mkdtempSync(join(tmpdir(), 'grade-outputs-'));
afterAll(() => rmSync(here, { recursive: true, force: true }));
mkdirSync(join(here, 'out'));
writeFileSync(join(here, 'results.json'), '{}');

describe('report paths', () => {
  it('accept files in folders that exist, and a folder for Gradescope', () => {
    expect(reportPathProblems({ csv: 'grades.csv', junit: 'out/grades.xml', gradescope: 'out/' }, here, 6)).toEqual([]);
    expect(reportPathProblems({ gradescope: 'results.json' }, here, 1)).toEqual([]);
    expect(reportPathProblems({ gradescope: 'new-folder' }, here, 3), 'a folder to be made, beside ones that exist').toEqual([]);
  });

  it('refuse a missing folder, a folder where a file goes, and a file where a folder goes, saying what to do', () => {
    expect(reportPathProblems({ csv: 'nowhere/grades.csv' }, here, 1)).toEqual(['--csv nowhere/grades.csv: there is no folder nowhere to write it in. Make it first, or name a file in a folder that exists.']);
    expect(reportPathProblems({ junit: 'out' }, here, 1)).toEqual(['--junit out is a folder: name a file in it, such as out/grades.xml.']);
    expect(reportPathProblems({ gradescope: 'results.json' }, here, 2)).toEqual(['--gradescope results.json is a file, and 2 submissions need a folder, a results file each: name a folder, such as out/.']);
    expect(reportPathProblems({ gradescope: 'nowhere/deeper/' }, here, 2)[0]).toMatch(/^--gradescope nowhere\/deeper\/: there is no folder nowhere.* Make it first/);
    // Not there yet, but named as a file: it would become a folder called two.json.
    expect(reportPathProblems({ gradescope: 'two.json' }, here, 2)).toEqual(['--gradescope two.json names a file, and 2 submissions need a folder, a results file each: name a folder, such as out/.']);
  });

  it('Gradescope takes a folder for several submissions, an existing folder, or a path ending in /', () => {
    expect(gradescopeIsFolder('results.json', here, 1)).toBe(false);
    expect(gradescopeIsFolder('results.json', here, 2)).toBe(true);
    expect(gradescopeIsFolder('out', here, 1)).toBe(true);
    expect(gradescopeIsFolder('later/', here, 1)).toBe(true);
  });

  it("finds the results files an earlier run left in a Gradescope folder", () => {
    writeFileSync(join(here, 'out', 'ann.json'), '{}');
    writeFileSync(join(here, 'out', 'carol.json'), '{}');
    expect(earlierResults(join(here, 'out'), ['ann', 'bob'])).toEqual(['carol.json']);
    expect(earlierResults(join(here, 'nowhere'), ['ann'])).toEqual([]);
  });

  it('a report that cannot be written is said, and returns false', () => {
    const said: string[] = [];
    expect(writeReport(here, 'out/g.csv', 'a,b\n', (line) => said.push(line))).toBe(true);
    expect(readFileSync(join(here, 'out/g.csv'), 'utf8')).toBe('a,b\n');
    expect(writeReport(here, 'out', 'x', (line) => said.push(line))).toBe(false);
    expect(said).toEqual(['wrote out/g.csv', expect.stringMatching(/^could not write out: EISDIR/)]);
  });

  describe('reports of an earlier run', () => {
    const earlier = join(here, 'earlier');
    mkdirSync(join(earlier, 'gradescope'), { recursive: true });
    writeFileSync(join(earlier, 'grades.csv'), 'submission,total,notes\nann,3,"chapter 1: hung\nthen more"\nbob,5,\n');
    writeFileSync(join(earlier, 'grades.xml'), '<testsuites>\n  <testsuite name="ann 01-bump">\n  </testsuite>\n  <testsuite name="ann 02-free-list">\n</testsuites>\n');
    writeFileSync(join(earlier, 'results.json'), '{ "score": 12.5, "max_score": 15 }');
    mkdirSync(join(earlier, 'empty'));

    it('are refused before any grading, each saying what it holds and to pass --force or another name', () => {
      const when = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d';
      const said = existingReports({ csv: 'grades.csv', junit: 'grades.xml', gradescope: 'results.json' }, earlier, ['ann']);
      expect(said).toHaveLength(3);
      expect(said[0]).toMatch(new RegExp(`^--csv grades.csv exists: a gradebook of 2 submissions, written ${when}\\. Nothing was graded\\. Pass --force to overwrite it, or name another file\\.$`));
      expect(said[1]).toMatch(/^--junit grades.xml exists: JUnit results of 2 test suites, written /);
      expect(said[2]).toMatch(/^--gradescope results.json exists: Gradescope results, score 12.5 of 15, written /);
    });

    it("refuse a Gradescope folder holding results files, this batch's or other students'", () => {
      writeFileSync(join(earlier, 'gradescope', 'ann.json'), '{}');
      writeFileSync(join(earlier, 'gradescope', 'carol.json'), '{}');
      expect(existingReports({ gradescope: 'gradescope' }, earlier, ['ann', 'bob'])).toEqual([
        "--gradescope gradescope holds results of an earlier run: ann.json of this batch's students (overwritten with --force); carol.json of students not in this batch (left as they are with --force). Nothing was graded. Pass --force to write into it all the same, or name another folder.",
      ]);
    });

    it('let new files and an empty folder be written', () => {
      expect(existingReports({ csv: 'new.csv', junit: 'new.xml', gradescope: 'empty' }, earlier, ['ann', 'bob'])).toEqual([]);
      expect(existingReports({ gradescope: 'new-folder/' }, earlier, ['ann'])).toEqual([]);
    });
  });
});
