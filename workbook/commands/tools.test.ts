import { describe, expect, it } from 'vitest';
import { UsageError } from './options.ts';
import { chapterToGrade } from './tools.ts';

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
