import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from './options.ts';
import { chapterToGrade, extraTestsFolder, grade } from './tools.ts';

describe("grade's --chapters", () => {
  it('takes a chapter by number or folder', () => {
    expect(chapterToGrade('01')).toBe('01-bump');
    expect(chapterToGrade('5')).toBe('05-zones');
    expect(chapterToGrade('03-coalescing')).toBe('03-coalescing');
  });

  it('refuses an exercise, naming its chapter, and a chapter that does not exist, listing the chapters', () => {
    expect(() => chapterToGrade('bump')).toThrow(new UsageError('--chapters takes chapters, and bump is an exercise of chapter 01-bump: --chapters 01 grades it with the rest of its chapter.'));
    expect(() => chapterToGrade('09')).toThrow(/^--chapters: there is no chapter '09'\. The chapters: 00 \(00-the-process\), 01 \(01-bump\),/);
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'grade-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("grade's --extra-tests", () => {
  const hidden = join(scratch, 'hidden');
  mkdirSync(join(hidden, '01-bump'), { recursive: true });
  writeFileSync(join(hidden, '01-bump', 'more.test.ts'), '');

  it('takes a folder of chapter folders holding tests', () => {
    expect(extraTestsFolder(hidden, 'hidden')).toBe(hidden);
  });

  it('refuses a missing folder, a file, a folder that is no chapter, a test beside the chapters, and no test at all, saying what it takes', () => {
    expect(() => extraTestsFolder(join(scratch, 'nowhere'), 'nowhere')).toThrow(new UsageError("--extra-tests nowhere: there is no such folder. It takes a folder laid out like exercises/, its chapters' hidden tests in their folders (01-bump/more.test.ts)."));
    expect(() => extraTestsFolder(join(hidden, '01-bump', 'more.test.ts'), 'more.test.ts')).toThrow(/^--extra-tests more.test.ts is a file: it takes a folder laid out like exercises\//);
    const odd = join(scratch, 'odd');
    mkdirSync(join(odd, 'bump'), { recursive: true });
    expect(() => extraTestsFolder(odd, 'odd')).toThrow(/^--extra-tests odd: bump\/ is not a chapter folder\. The chapters: 00-the-process, 01-bump,/);
    const loose = join(scratch, 'loose');
    mkdirSync(loose);
    writeFileSync(join(loose, 'more.test.ts'), '');
    expect(() => extraTestsFolder(loose, 'loose')).toThrow('--extra-tests loose: more.test.ts is not in a chapter folder. Put each test in the folder of its chapter, such as loose/01-bump/more.test.ts.');
    const none = join(scratch, 'none');
    mkdirSync(join(none, '02-free-list'), { recursive: true });
    expect(() => extraTestsFolder(none, 'none')).toThrow(/^--extra-tests none holds no test file: it takes/);
  });
});

describe('npm run grade, before any grading', () => {
  const run = async (...args: string[]) => {
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = scratch;
    try {
      return await grade(parseOptions(args));
    } finally {
      if (before === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = before;
    }
  };
  mkdirSync(join(scratch, 'subs', 'alice', 'exercises', '00-the-process'), { recursive: true });
  mkdirSync(join(scratch, 'empty'));
  writeFileSync(join(scratch, 'grades.csv'), 'submission,total\nalice,15\n');

  it('refuses to overwrite the gradebook of an earlier run', async () => {
    await expect(run('--batch', 'subs', '--csv', 'grades.csv')).rejects.toThrow(/^--csv grades.csv exists: a gradebook of 1 submission, written .*\. Nothing was graded\. Pass --force to overwrite it, or name another file\.$/);
  });

  it('says a --batch folder holds no submission, and what one is', async () => {
    await expect(run('--batch', 'empty')).rejects.toThrow(/^--batch empty holds no submission: it is empty\. A submission is a folder holding/);
  });

  it('answers a wrong --timeout, --memory, --points or --extra-tests as a usage error, followed by where to read the options', async () => {
    await expect(run('subs/alice', '--timeout', 'soon')).rejects.toThrow(new UsageError('--timeout takes the seconds each chapter may run, a number above 0 (such as --timeout 60); the default is 30.'));
    await expect(run('subs/alice', '--memory', '3')).rejects.toBeInstanceOf(UsageError);
    await expect(run('subs/alice', '--points', 'grades.csv')).rejects.toBeInstanceOf(UsageError);
    writeFileSync(join(scratch, 'points.json'), '{ "bumpp": 3 }');
    const unknown = run('subs/alice', '--points', 'points.json');
    await expect(unknown).rejects.toBeInstanceOf(UsageError);
    await expect(unknown).rejects.toThrow(/^--points: there is no exercise 'bumpp'/);
    await expect(run('subs/alice', '--extra-tests', 'grades.csv')).rejects.toBeInstanceOf(UsageError);
  });
});
