import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { type Options, parseOptions, UsageError } from './options.ts';
import { CompileError, bench, chapterToGrade, compileErrorOf, extraTestsFolder, grade, isOurChart, trace } from './tools.ts';

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

/** `command` run with `args` as typed in the scratch folder. */
async function inScratch(command: (options: Options) => Promise<number>, args: string[]): Promise<number> {
  const before = process.env.INIT_CWD;
  process.env.INIT_CWD = scratch;
  try {
    return await command(parseOptions(args));
  } finally {
    if (before === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = before;
  }
}

describe('npm run grade, before any grading', () => {
  const run = (...args: string[]) => inScratch(grade, args);
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
    await expect(run('subs/alice', '--timeout', 'soon')).rejects.toThrow(
      new UsageError('--timeout takes the seconds each chapter may run, a number above 0 and at most 86400 (a day), such as --timeout 60; the default is 30.'),
    );
    // Past 2^31 − 1 ms, Node's timer fires at once: every chapter would be graded as timed out.
    await expect(run('subs/alice', '--timeout', '3000000')).rejects.toThrow(/^--timeout takes the seconds each chapter may run, a number above 0 and at most 86400/);
    await expect(run('subs/alice', '--memory', '3')).rejects.toBeInstanceOf(UsageError);
    await expect(run('subs/alice', '--points', 'grades.csv')).rejects.toBeInstanceOf(UsageError);
    writeFileSync(join(scratch, 'points.json'), '{ "bumpp": 3 }');
    const unknown = run('subs/alice', '--points', 'points.json');
    await expect(unknown).rejects.toBeInstanceOf(UsageError);
    await expect(unknown).rejects.toThrow(/^--points: there is no exercise 'bumpp'/);
    await expect(run('subs/alice', '--extra-tests', 'grades.csv')).rejects.toBeInstanceOf(UsageError);
  });

  it('reads --timeout and --memory in decimal, not 0x10 or 1e3', async () => {
    await expect(run('subs/alice', '--timeout', '0x10')).rejects.toThrow(/^--timeout takes the seconds each chapter may run/);
    await expect(run('subs/alice', '--memory', '1e3')).rejects.toThrow(/^--memory takes the MiB each chapter's tests may use/);
  });
});

describe('--svg, before any replay or measuring', () => {
  const short = resolve(ROOT, 'traces/short.rep');
  writeFileSync(join(scratch, 'bump.ts'), 'export const ALIGNMENT = 16;\n');

  it("refuses to write over a file that is not a chart of trace's or bench's, unless --force", async () => {
    await expect(inScratch(trace, ['bump', short, '--svg', 'bump.ts'])).rejects.toThrow(new UsageError('--svg bump.ts exists, and is not a chart trace or bench drew. Nothing was replayed. Pass --force to overwrite it, or name another file.'));
    await expect(inScratch(bench, ['--svg', 'bump.ts'])).rejects.toThrow(new UsageError('--svg bump.ts exists, and is not a chart trace or bench drew. Nothing was measured. Pass --force to overwrite it, or name another file.'));
    expect(readFileSync(join(scratch, 'bump.ts'), 'utf8')).toBe('export const ALIGNMENT = 16;\n');
    await expect(inScratch(trace, ['bump', short, '--force']), '--force alone would be ignored').rejects.toThrow(/^--force lets --svg write over a file that is not its chart; there is no --svg here/);
  });

  it('knows a chart it drew, which it draws again without asking', () => {
    const chart = join(scratch, 'heap.svg');
    writeFileSync(chart, '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 290" width="720" height="290">\n<title>Payload and footprint: bump</title>\n');
    expect(isOurChart(chart)).toBe(true);
    writeFileSync(chart, '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg">\n<title>A logo</title>\n');
    expect(isOurChart(chart)).toBe(false);
  });
});

describe('npm run trace and bench, before any work', () => {
  it('says the allocator comes first when the words are the other way round', async () => {
    await expect(inScratch(trace, [resolve(ROOT, 'traces/short.rep'), 'bump'])).rejects.toThrow(new UsageError(`The allocator comes first, then the traces: trace <allocator> <trace…>, here npm run trace -- bump ${resolve(ROOT, 'traces/short.rep')}.`));
    await expect(inScratch(trace, ['short.rep'])).rejects.toThrow(/^short\.rep is a trace, and the allocator comes first: trace <allocator> <trace…>, such as npm run trace -- bump short\.rep\. Known: bump,/);
  });

  it('refuses words after bench machine and bench threads, which take none', async () => {
    await expect(inScratch(bench, ['machine', 'extra'])).rejects.toThrow(new UsageError("bench machine takes no word after it, only options: what is 'extra'?"));
    await expect(inScratch(bench, ['threads', 'extra', 'words'])).rejects.toThrow(new UsageError("bench threads takes no word after it, only options: what is 'extra words'?"));
  });

  it('reads the counts of bench threads in decimal digits only', async () => {
    await expect(inScratch(bench, ['threads', '--ops', '0x10'])).rejects.toThrow(new UsageError("--ops takes a whole number from 1 to 10000000, written in decimal digits, not '0x10'."));
    await expect(inScratch(bench, ['threads', '--workers', '2.0'])).rejects.toBeInstanceOf(UsageError);
  });
});

describe('code that does not compile', () => {
  it("is named as the target's file, with the line framed and what to do next", () => {
    const staged = join(scratch, '.target-copy');
    mkdirSync(join(staged, '01-bump'), { recursive: true });
    writeFileSync(join(staged, '01-bump', 'bump.ts'), 'export const A = 1;\nconst x = ;\n');
    const error = new Error(`Transform failed with 1 error:\n${staged}/01-bump/bump.ts:2:10: ERROR: Unexpected ";"`);
    const explained = compileErrorOf(error, staged, join(scratch, 'alice'), 'bump');
    expect(explained).toBeInstanceOf(CompileError);
    const text = stripVTControlCharacters(explained!.message);
    expect(text).toContain(`${join(scratch, 'alice')}/01-bump/bump.ts does not compile, so bump cannot run:`);
    expect(text).toMatch(/\[ERROR\] Unexpected ";"/);
    expect(text).toMatch(/ 2 │ const x = ;\n/);
    expect(text).toContain(`Next: fix it in ${join(scratch, 'alice')}/01-bump/bump.ts, then run this command again (npm run check -- bump shows it too, with the tests).`);
    expect(text).not.toContain('.target-copy');
    expect(compileErrorOf(new Error('Cannot find module'), staged, scratch, 'bump'), 'any other error is left as it is').toBeUndefined();
  });
});
