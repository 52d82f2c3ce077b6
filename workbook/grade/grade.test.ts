// The grader on real submissions: the reference (full marks), the skeletons (zero), and one
// submission for each way student code misbehaves. Each misbehaviour fails its chapter with
// the reason named, and grading goes on.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { copyShippedExercises } from '../reset.ts';
import { type GradedSubmission, gradeSubmission } from './grade.ts';
import { toCsv, toExercism, toGradescope, toJunit } from './reports.ts';

const scratch = mkdtempSync(join(tmpdir(), 'grade-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A submission: the reference solutions, with `bump.ts` changed by `patch`. */
function submission(name: string, patch: (bump: string) => string = (s) => s): string {
  const dir = join(scratch, name);
  cpSync(resolve(ROOT, 'solutions'), join(dir, 'exercises'), { recursive: true });
  const bump = join(dir, 'exercises/01-bump/bump.ts');
  writeFileSync(bump, patch(readFileSync(bump, 'utf8')));
  return dir;
}

const IN_MALLOC = '    requireSize(size, `malloc(${size})`);';
const inMalloc = (code: string) => (bump: string) => bump.replace(IN_MALLOC, `${IN_MALLOC}\n    ${code}`);
const chapter1 = { chapters: ['01-bump'], timeoutMs: 8_000, memoryMb: 256 };

function chapterOne(graded: GradedSubmission) {
  return graded.chapters.find((c) => c.chapter.slug === '01-bump')!;
}

describe('grading', () => {
  let full: GradedSubmission;

  it('gives the reference full marks, the same on a second run', async () => {
    const dir = submission('reference');
    full = await gradeSubmission(dir);
    expect(full.points).toBe(full.maxPoints);
    expect(full.chapters.every((c) => c.status === 'pass')).toBe(true);
    const again = await gradeSubmission(dir);
    expect(JSON.stringify(toExercism(again))).toBe(JSON.stringify(toExercism(full)));
  }, 120_000);

  it('gives the untouched skeletons zero', async () => {
    const dir = join(scratch, 'skeletons');
    copyShippedExercises(dir);
    const graded = await gradeSubmission(dir, { chapters: ['00-the-process', '01-bump'] });
    expect(graded.points).toBe(0);
  }, 60_000);

  const cases: Array<[string, (bump: string) => string, RegExp, number | 'some']> = [
    ['an infinite loop', inMalloc('while (size >= 0) size += 0;'), /did not finish within 8 s/, 0],
    ['process.exit(0)', inMalloc('if (size === 24) process.exit(0);'), /called process\.exit\(0\)/, 0],
    ['a thrown string', inMalloc("if (size === 24) throw 'oops';"), /not an Error/, 'some'],
    ['a stack overflow', (b) => b.replace('  function malloc(size: number): number {', '  function malloc(size: number): number {\n    if (size === 24) return malloc(size);'), /overflowed the stack/, 'some'],
    ['exhausting memory', inMalloc('if (size === 24) { const hog: number[][] = []; for (;;) hog.push(new Array(1e6).fill(size)); }'), /ran out of memory/, 0],
    ['editing its own test file', inMalloc("if (size === 24) process.getBuiltinModule('node:fs').writeFileSync(new URL('./bump.test.ts', import.meta.url), 'export {};');"), /changed or deleted files .*bump\.test\.ts/, 0],
    ['deleting a file', inMalloc("if (size === 24) process.getBuiltinModule('node:fs').rmSync(new URL('../../machine/format.ts', import.meta.url), { force: true });"), /changed or deleted files .*machine\/format\.ts/, 0],
    ['a syntax error', (b) => b.replace('export const ALIGNMENT = 16;', 'export const ALIGNMENT = = 16;'), /does not compile: .*bump\.ts\(\d+,\d+\): error TS/, 0],
  ];

  for (const [what, patch, reason, points] of cases) {
    it(`fails chapter 1 of a submission with ${what}, naming the reason`, async () => {
      const graded = await gradeSubmission(submission(what.replace(/\W+/g, '-'), patch), chapter1);
      const chapter = chapterOne(graded);
      expect(chapter.reason).toMatch(reason);
      expect(chapter.status).not.toBe('pass');
      if (points === 0) expect(chapter.points).toBe(0);
      else expect(chapter.points).toBeLessThan(chapter.maxPoints);
    }, 60_000);
  }

  it('runs hidden tests from --extra-tests with the chapter', async () => {
    const extra = join(scratch, 'hidden-tests/01-bump');
    mkdirSync(extra, { recursive: true });
    writeFileSync(
      join(extra, 'huge.test.ts'),
      [
        "import { expect, it } from 'vitest';",
        "import { Process } from '../../machine/index.ts';",
        "import { loadAllocator } from '../../workbook/allocators.ts';",
        "const { createAllocator } = await loadAllocator('bump');",
        "it('serves 1000 blocks of 1 byte', () => { const heap = createAllocator(new Process()); for (let i = 0; i < 1000; i++) expect(heap.malloc(1)).not.toBe(0); });",
      ].join('\n'),
    );
    const graded = await gradeSubmission(submission('hidden'), { ...chapter1, extraTests: join(scratch, 'hidden-tests') });
    const hidden = chapterOne(graded).tests.filter((t) => t.name.startsWith('hidden: '));
    expect(hidden.map((t) => [t.name, t.status])).toEqual([['hidden: serves 1000 blocks of 1 byte', 'pass']]);
  }, 60_000);

  it('writes the reports: Exercism v3, a CSV gradebook, JUnit, Gradescope', () => {
    const exercism = toExercism(full);
    expect(exercism).toMatchObject({ version: 3, status: 'pass' });
    expect(exercism.tests[0]).toMatchObject({ status: 'pass', task_id: 1 });
    const csv = toCsv([full]).trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1].split(',').slice(-2)).toEqual([String(full.points), String(full.maxPoints)]);
    expect(toJunit([full])).toMatch(/^<\?xml[\s\S]*<testsuite name="[^"]+ 01-bump" tests="\d+" failures="0" errors="0">/m);
    expect(toGradescope(full)).toMatchObject({ score: full.points, max_score: full.maxPoints });
  });
});
