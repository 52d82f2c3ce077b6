import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchSubmissions, reportNames, submissionProblem } from './submissions.ts';

function batchFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workbook-batch-'));
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
    const elsewhere = mkdtempSync(join(tmpdir(), 'workbook-elsewhere-'));
    mkdirSync(join(elsewhere, 'carol'));
    writeFileSync(join(elsewhere, 'dan.zip'), '');
    symlinkSync(join(elsewhere, 'carol'), join(dir, 'carol'));
    symlinkSync(join(elsewhere, 'dan.zip'), join(dir, 'dan.zip'));
    symlinkSync(join(elsewhere, 'gone'), join(dir, 'erin'));
    const { submissions, skipped } = batchSubmissions(dir);
    expect(submissions.map((s) => s.slice(dir.length + 1))).toEqual(['alice', 'bob', 'carol', 'dan.zip', 'nina.zip', 'omar.tar.gz']);
    expect(skipped).toEqual(['erin', 'grades.csv']);
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
