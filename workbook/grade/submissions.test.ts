import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchSubmissions, gradedOnce, reportNames, submissionProblem } from './submissions.ts';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A temporary folder, removed after the tests. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function batchFolder(): string {
  const dir = scratch('workbook-batch-');
  for (const name of ['bob', 'alice', '.git']) mkdirSync(join(dir, name));
  for (const name of ['nina.zip', 'omar.tar.gz', 'grades.csv', '.DS_Store']) writeFileSync(join(dir, name), '');
  return dir;
}

describe('the submissions npm run grade is given', () => {
  it('takes the folders and archives of a --batch folder, by name, and lists what it left out', () => {
    const dir = batchFolder();
    const { submissions, skipped } = batchSubmissions(dir);
    expect(submissions.map((s) => s.slice(dir.length + 1))).toEqual(['alice', 'bob', 'nina.zip', 'omar.tar.gz']);
    expect(skipped).toEqual(['grades.csv']);
  });

  it('takes a link to a folder or an archive as what it points to', () => {
    const dir = batchFolder();
    const elsewhere = scratch('workbook-elsewhere-');
    mkdirSync(join(elsewhere, 'carol'));
    writeFileSync(join(elsewhere, 'dan.zip'), '');
    symlinkSync(join(elsewhere, 'carol'), join(dir, 'carol'));
    symlinkSync(join(elsewhere, 'dan.zip'), join(dir, 'dan.zip'));
    symlinkSync(join(elsewhere, 'gone'), join(dir, 'erin'));
    const { submissions, skipped } = batchSubmissions(dir);
    expect(submissions.map((s) => s.slice(dir.length + 1))).toEqual(['alice', 'bob', 'carol', 'dan.zip', 'nina.zip', 'omar.tar.gz']);
    expect(skipped).toEqual(['erin', 'grades.csv']);
  });

  it("leaves out the grader's own reports, written into the batch folder by an earlier run", () => {
    const dir = batchFolder();
    mkdirSync(join(dir, 'results'));
    writeFileSync(join(dir, 'results', 'alice.json'), '{}');
    const { submissions, skipped, notWorkbooks } = batchSubmissions(dir, dir, [join(dir, 'results'), join(dir, 'grades.csv')]);
    expect(submissions.map((s) => s.slice(dir.length + 1))).toEqual(['alice', 'bob', 'nina.zip', 'omar.tar.gz']);
    expect([...skipped, ...notWorkbooks]).toEqual([]);
  });

  it("leaves out a folder of an earlier grading's reports, and grades every other folder, laid out wrongly or empty, so that its student gets a row with the reason", () => {
    const dir = batchFolder();
    mkdirSync(join(dir, 'old-results'));
    writeFileSync(join(dir, 'old-results', 'alice.json'), '{}');
    writeFileSync(join(dir, 'old-results', 'grades.csv'), '');
    mkdirSync(join(dir, 'flat'));
    writeFileSync(join(dir, 'flat', 'bump.ts'), ''); // no chapter folder: graded, and scores 0 saying why
    mkdirSync(join(dir, 'carol/malloc-workbook-main/exercises/01-bump'), { recursive: true });
    mkdirSync(join(dir, 'dan/01-bump'), { recursive: true });
    const { submissions, notWorkbooks } = batchSubmissions(dir);
    expect(submissions.map((s) => s.slice(dir.length + 1))).toEqual(['alice', 'bob', 'carol', 'dan', 'flat', 'nina.zip', 'omar.tar.gz']);
    expect(notWorkbooks).toEqual([join(dir, 'old-results')]);
  });

  it('refuses a --batch that holds no submission, saying what it holds and what a submission is', () => {
    const empty = scratch('workbook-batch-');
    expect(() => batchSubmissions(empty, 'bad/empty')).toThrow(
      "--batch bad/empty holds no submission: it is empty. A submission is a folder holding a student's exercises/ (or its chapter folders), or a .zip, .tar or .tar.gz of one; --batch takes the folder that holds them, one a student.",
    );
    writeFileSync(join(empty, 'readme.txt'), '');
    mkdirSync(join(empty, 'results'));
    writeFileSync(join(empty, 'results', 'a.json'), '');
    expect(() => batchSubmissions(empty, 'bad/stray')).toThrow('--batch bad/stray holds no submission: readme.txt is neither a folder nor an archive; results/ holds only reports of a grading (.json, .csv, .xml). A submission is');
  });

  it('grades a submission named twice once: by a link beside it, or the same path again', () => {
    const dir = batchFolder();
    symlinkSync(join(dir, 'alice'), join(dir, 'alice-link'));
    const { once, repeated } = gradedOnce([join(dir, 'alice'), join(dir, 'alice-link'), join(dir, 'bob'), join(dir, 'nina.zip'), `${join(dir, 'bob')}/`]);
    expect(once).toEqual([join(dir, 'alice'), join(dir, 'bob'), join(dir, 'nina.zip')]);
    expect(repeated).toEqual([
      { path: join(dir, 'alice-link'), same: join(dir, 'alice') },
      { path: `${join(dir, 'bob')}/`, same: join(dir, 'bob') },
    ]);
  });

  it('refuses a --batch that is missing or a file, saying what it takes', () => {
    const dir = batchFolder();
    expect(() => batchSubmissions(join(dir, 'nobody'), 'subs/nobody')).toThrow('--batch subs/nobody: there is no such folder.');
    expect(() => batchSubmissions(join(dir, 'grades.csv'), 'grades.csv')).toThrow('--batch grades.csv is a file: --batch takes a folder');
  });

  it('says why a named path cannot be a submission', () => {
    const dir = batchFolder();
    expect(submissionProblem(join(dir, 'alice'))).toBeUndefined();
    expect(submissionProblem(join(dir, 'nina.zip'))).toBeUndefined();
    expect(submissionProblem(join(dir, 'carol'), 'carol')).toMatch(/^carol: there is no such file or folder. A submission is a folder/);
    expect(submissionProblem(join(dir, 'grades.csv'), 'grades.csv')).toContain('grades.csv is a file, not a submission');
  });

  it('names per-student reports after the student, numbered when two are alike', () => {
    expect(reportNames(['/subs/alice/exercises', '/subs/nina.zip', '/late/alice', '/subs/bob'])).toEqual(['alice', 'nina', 'alice-2', 'bob']);
  });
});
