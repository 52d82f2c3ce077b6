// The grade table an instructor reads, on made-up results: what a class's summary says.

import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../exercises.ts';
import { stripAnsi } from '../text.ts';
import type { GradedChapter, GradedSubmission, GradedTest } from './grade.ts';
import { formatGradeTable, toGradescope } from './reports.ts';

const [zero, one] = CHAPTERS;

function test(exercise: string, name: string, pass: boolean): GradedTest {
  return { name, exercise, chapter: one.slug, status: pass ? 'pass' : 'fail', message: pass ? '' : 'expected 16, got 8', points: pass ? 5 : 0, maxPoints: 5 };
}

function chapter(tests: GradedTest[], reason = ''): GradedChapter {
  const points = tests.reduce((n, t) => n + t.points, 0);
  return { chapter: one, status: points === 15 ? 'pass' : 'fail', reason, tests, points, maxPoints: 15 };
}

function submission(name: string, ch1: GradedChapter): GradedSubmission {
  const ch0: GradedChapter = { chapter: zero, status: 'pass', reason: '', tests: [], points: 10, maxPoints: 10 };
  return { submission: `/class/${name}`, chapters: [ch0, ch1], points: 10 + ch1.points, maxPoints: 25, missing: [], empty: false, review: [] };
}

const aligned = (pass: boolean) => test('bump', 'malloc › returns 16-byte aligned pointers', pass);
const overlap = (pass: boolean) => test('bump', 'malloc › gives blocks that do not overlap', pass);
const batched = (pass: boolean) => test('batched', 'makes one syscall for many small mallocs', pass);

describe('the grade table of a class', () => {
  const hung = chapter([{ ...aligned(false), message: 'did not finish' }, { ...overlap(false), message: 'did not finish' }, { ...batched(false), message: 'did not finish' }], 'did not finish');
  const classOf = [
    submission('ada', chapter([aligned(true), overlap(true), batched(true)])),
    submission('bob', chapter([aligned(false), overlap(true), batched(true)])),
    submission('cy', chapter([aligned(false), overlap(false), batched(true)])),
    submission('dee', chapter([aligned(false), overlap(true), batched(false)])),
    submission('eve', hung),
  ];

  it('gives each chapter its average and full marks, and the tests most of the class failed', () => {
    const table = stripAnsi(formatGradeTable(classOf));
    expect(table).toContain('The class: 5 submissions');
    expect(table).toMatch(/\n {2}00 +10\/10 +5 of 5 +█{20}\n/);
    expect(table).toMatch(/\n {2}01 +7\/15 +1 of 5 +█{9}░{11}\n/);
    // eve's hang is her chapter's one reason, not three failed tests; a test one student failed is not "most often".
    expect(table).toContain('Failed most often:\n  3 of 5  bump: malloc › returns 16-byte aligned pointers');
    expect(table).not.toMatch(/of 5 {2}batched|of 5 {2}bump: malloc › gives blocks/);
  });

  it('leaves a submission with nothing in it out of the figures, and says so', () => {
    const nothing = { ...submission('zed', hung), empty: true };
    const table = stripAnsi(formatGradeTable([...classOf, nothing]));
    expect(table).toContain('The class: 5 submissions (and 1 with nothing submitted, left out of these figures)');
    expect(table).toMatch(/\n {2}01 +7\/15 +1 of 5 /);
  });

  it('is left out for three submissions or fewer, whose failures are listed one by one', () => {
    expect(stripAnsi(formatGradeTable(classOf.slice(0, 3)))).not.toContain('The class');
  });
});

describe("Gradescope's results", () => {
  it("give each test points in cents that add up to the chapter's, as the score does", () => {
    const sixteenths = Array.from({ length: 16 }, (_, i) => ({ ...aligned(i % 3 !== 0), points: i % 3 !== 0 ? 10 / 16 : 0, maxPoints: 10 / 16 }));
    const ch1: GradedChapter = { chapter: one, status: 'fail', reason: '', tests: sixteenths, points: 6.25, maxPoints: 10 };
    const results = toGradescope({ ...submission('ada', ch1), points: 16.25, maxPoints: 20 });
    const ours = results.tests.filter((t) => t.tags.includes(one.slug));
    const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;
    expect(sum(ours.map((t) => t.max_score))).toBe(10);
    expect(ours.every((t) => t.max_score === 0.62 || t.max_score === 0.63)).toBe(true);
    expect(sum(ours.map((t) => t.score))).toBe(6.25); // 10 of 16 tests passed: 6.25 points
  });
});
