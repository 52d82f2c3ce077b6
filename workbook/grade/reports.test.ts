// The grade table an instructor reads, on made-up results: what a class's summary says.

import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../exercises.ts';
import { stripAnsi } from '../text.ts';
import { type GradedChapter, type GradedSubmission, type GradedTest, UNTOUCHED } from './grade.ts';
import { formatGradeTable, pointsInCents, toCsv, toExercism, toGradescope } from './reports.ts';

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

  it("lists two tests of an exercise at most, and none of an exercise left as shipped", () => {
    const many = (pass: boolean) => ['a', 'b', 'c', 'd'].map((n) => test('batched', `batched › ${n}`, pass));
    const untouched = [aligned(false), overlap(false)].map((t) => ({ ...t, message: `${UNTOUCHED}\nexpected 1 to be 2` }));
    const table = stripAnsi(formatGradeTable(['ann', 'ben', 'cat', 'dan'].map((name) => submission(name, chapter([...untouched, ...many(false)])))));
    expect(table).toContain('Failed most often:\n  4 of 4  batched: batched › a\n  4 of 4  batched: batched › b');
    expect(table).not.toMatch(/batched › c|bump: malloc/);
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
  const sixteenths = Array.from({ length: 16 }, (_, i) => ({ ...aligned(i % 3 !== 0), points: i % 3 !== 0 ? 10 / 16 : 0, maxPoints: 10 / 16 }));
  const ch1: GradedChapter = { chapter: one, status: 'fail', reason: '', tests: sixteenths, points: 6.25, maxPoints: 10 };
  const results = toGradescope({ ...submission('ada', ch1), points: 16.25, maxPoints: 20 });
  const ours = results.tests.filter((t) => t.tags.includes(one.slug));
  const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;

  it('give a passed test its whole max_score, and a failed one 0', () => {
    expect(ours.filter((t) => t.status === 'passed').every((t) => t.score === t.max_score)).toBe(true);
    expect(ours.filter((t) => t.status === 'failed').every((t) => t.score === 0)).toBe(true);
  });

  it("give each test points in cents that add up to the exercise's, as the score does", () => {
    expect(sum(ours.map((t) => t.max_score))).toBe(10);
    expect(ours.every((t) => t.max_score === 0.62 || t.max_score === 0.63)).toBe(true);
    expect(sum(ours.map((t) => t.score))).toBe(6.25); // 10 of 16 tests passed: 6.25 points
  });

  it("add up per exercise, whatever passed: the maxima to the exercise's points, the scores to what it earned", () => {
    const tests = (exercise: string, points: number, count: number, passed: (i: number) => boolean) =>
      Array.from({ length: count }, (_, i) => ({ ...test(exercise, `t${i}`, passed(i)), points: passed(i) ? points / count : 0, maxPoints: points / count }));
    for (const [points, count] of [[10, 3], [7, 6], [20, 7], [0.29, 1], [5, 9]]) {
      for (let passing = 0; passing <= count; passing++) {
        const all = [...tests('bump', points, count, (i) => i < passing), ...tests('batched', 3, 7, (i) => i % 2 === 0)];
        const cents = pointsInCents(all);
        const of = (exercise: string) => cents.filter((_, i) => all[i].exercise === exercise);
        expect(sum(of('bump').map((c) => c.maxPoints)), `${points} points over ${count} tests`).toBe(points);
        expect(sum(of('bump').map((c) => c.points)), `${passing} of ${count} passed`).toBe(Math.round(((points * passing) / count) * 100) / 100);
        expect(sum(of('batched').map((c) => c.points))).toBe(1.71); // 4 of 7 tests of 3 points
        expect(cents.every((c, i) => c.points === (all[i].status === 'pass' ? c.maxPoints : 0))).toBe(true);
      }
    }
  });
});

describe('the JSON and the CSV', () => {
  const graded = submission('ada', chapter([aligned(true), overlap(false), batched(true)], ''));

  it("give each test its exercise and points, and the submission's path, beside Exercism's fields", () => {
    const document = toExercism(graded);
    expect(document).toMatchObject({ version: 3, status: 'fail', submission: 'ada', path: '/class/ada', points: 20, max_points: 25 });
    expect(document.tests.map((t) => [t.name, t.status, t.task_id, t.exercise, t.points, t.max_points])).toEqual([
      ['malloc › returns 16-byte aligned pointers', 'pass', 2, 'bump', 5, 5],
      ['malloc › gives blocks that do not overlap', 'fail', 2, 'bump', 0, 5],
      ['makes one syscall for many small mallocs', 'pass', 2, 'batched', 5, 5],
    ]);
  });

  it('end each row of the CSV with the submission\'s path, after the columns that were there before', () => {
    const [header, row] = toCsv([graded, submission('bob', chapter([aligned(true)]))]).split('\n');
    expect(header.split(',').slice(0, 3)).toEqual(['submission', 'chapter 00 The process and its memory', 'chapter 01 A bump allocator']);
    expect(header.split(',').slice(-4)).toEqual(['total', 'max', 'notes', 'path']);
    expect(row).toBe('ada,10,10,20,25,,/class/ada');
  });
});

describe('the failures of a few submissions', () => {
  it('count the chapters that failed as a whole beside the failed tests', () => {
    const hung = chapter([{ ...aligned(false), message: 'did not finish' }, { ...overlap(false), message: 'did not finish' }], 'did not finish');
    const zeroFailed: GradedChapter = { chapter: zero, status: 'fail', reason: '', tests: [{ ...aligned(false), chapter: zero.slug }, { ...overlap(false), chapter: zero.slug }], points: 0, maxPoints: 10 };
    const dave: GradedSubmission = { ...submission('dave', hung), chapters: [zeroFailed, hung] };
    expect(stripAnsi(formatGradeTable([dave]))).toContain('\ndave: 2 tests failed; chapter 1 failed as a whole (see below)\n');
    const eve = submission('eve', hung);
    expect(stripAnsi(formatGradeTable([eve]))).toContain('\neve: chapter 1 failed as a whole (see below)\n');
  });
});

describe('submissions of the same name', () => {
  it('are listed with their paths under the table', () => {
    const ch1 = chapter([aligned(true)]);
    const table = stripAnsi(formatGradeTable([{ ...submission('alice', ch1), submission: '/subs/alice' }, { ...submission('alice', ch1), submission: '/subs4/alice.zip' }, submission('bob', ch1)]));
    expect(table).toContain('Submissions of the same name:\n  alice    /subs/alice\n  alice-2  /subs4/alice.zip');
    expect(table).not.toMatch(/ {2}bob {2}\/class\/bob/);
  });
});
