// The report paths of npm run grade are checked before any grading, and a report that cannot
// be written says so without losing the others.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { earlierResults, gradescopeIsFolder, reportPathProblems, writeReport } from './outputs.ts';

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
});
