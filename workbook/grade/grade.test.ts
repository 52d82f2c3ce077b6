// The grader on real submissions: the reference (full marks), the skeletons (zero), and one
// submission for each way student code misbehaves. Each misbehaviour fails its chapter with
// the reason named, and grading goes on.

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { stripAnsi } from '../text.ts';
import { copyShippedExercises } from '../reset.ts';
import { type GradedSubmission, type GradedTest, displayName, gradeSubmission, misbehaviour } from './grade.ts';
import { formatGradeTable, toCsv, toExercism, toGradescope, toJunit } from './reports.ts';
import { scanSource, scanSubmission } from './scan.ts';

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

/** Processes whose command line matches `pattern`, from /proc. */
function runnersOn(pattern: RegExp): Array<{ pid: number; command: string }> {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return pattern.test(command) ? [{ pid: Number(pid), command }] : [];
      } catch {
        return [];
      }
    });
}

function sandboxOf(command: string): string {
  return /--root=(\S+)/.exec(command)?.[1] ?? '';
}

function chapterOne(graded: GradedSubmission) {
  return graded.chapters.find((c) => c.chapter.slug === '01-bump')!;
}

describe('grading', () => {
  // The reference's grade, made once by whichever test needs it first, so that each test also runs alone (-t).
  let reference: Promise<GradedSubmission> | undefined;
  const gradeReference = () => (reference ??= gradeSubmission(submission('reference')));
  /** What a test that may be the first to need the reference's grade allows for it (a minute alone on two quiet cores; CI runs test files side by side). */
  const REFERENCE_MS = 150_000;

  it('gives the reference full marks, the same on a second run', async () => {
    const full = await gradeReference();
    expect(full.points).toBe(full.maxPoints);
    expect(full.chapters.every((c) => c.status === 'pass')).toBe(true);
    const again = await gradeSubmission(submission('reference'));
    expect(JSON.stringify(toExercism(again))).toBe(JSON.stringify(toExercism(full)));
  }, 2 * REFERENCE_MS); // two gradings of the whole reference

  it('gives the untouched skeletons zero', async () => {
    const dir = join(scratch, 'skeletons');
    copyShippedExercises(dir);
    const graded = await gradeSubmission(dir, { chapters: ['00-the-process', '01-bump'] });
    expect(graded.points).toBe(0);
    expect(graded.chapters[0].reason).toBe("every exercise of the chapter is the skeleton as shipped (or missing): nothing of the student's to grade, so its tests were not run");
  }, 60_000);

  it("gives an exercise left as shipped nothing, whatever the code its skeleton gives passes, and the chapter's others their points", async () => {
    const dir = submission('batched-untouched');
    const shipped = join(scratch, 'shipped');
    copyShippedExercises(shipped);
    // Comments and blank lines added change nothing: it is still the skeleton's code.
    writeFileSync(join(dir, 'exercises/01-bump/batched.ts'), `// my notes\n\n${readFileSync(join(shipped, 'exercises/01-bump/batched.ts'), 'utf8')}\n\n`);
    const chapter = chapterOne(await gradeSubmission(dir, chapter1));
    expect(chapter.reason).toContain('batched is the skeleton as shipped (or missing): no points');
    const batched = chapter.tests.filter((t) => t.exercise === 'batched');
    expect(batched.length).toBeGreaterThan(5);
    expect(batched.every((t) => t.status !== 'pass' && t.points === 0 && t.message.startsWith("the exercise is the skeleton as shipped (or missing): nothing of the student's to grade"))).toBe(true);
    expect(chapter.tests.filter((t) => t.exercise === 'bump').every((t) => t.status === 'pass')).toBe(true);
  }, REFERENCE_MS);

  const cases: Array<[string, (bump: string) => string, RegExp, number | 'some']> = [
    // Only bump's points go: batched, its own exercise, still finishes when run alone.
    ['an infinite loop', inMalloc('while (size >= 0) size += 0;'), /the tests of bump did not finish within 24 s, run alone(, in the test "[^"]+")?: an infinite loop/, 'some'],
    ['process.exit(0)', inMalloc('if (size === 24) process.exit(0);'), /the tests of bump were stopped: called process\.exit\(0\)/, 'some'],
    ['a thrown string', inMalloc("if (size === 24) throw 'oops';"), /not an Error/, 'some'],
    ['a stack overflow', (b) => b.replace('  function malloc(size: number): number {', '  function malloc(size: number): number {\n    if (size === 24) return malloc(size);'), /overflowed the stack/, 'some'],
    ['its test runner killed', inMalloc("if (size === 24) process.kill(process.ppid, 'SIGKILL');"), /the tests of bump were stopped: the test process was killed by SIGKILL before it said anything: by the submission's own code/, 'some'],
    ['process.abort()', inMalloc('if (size === 24) process.abort();'), /the tests of bump were stopped: ran out of memory, or its worker died .*an abort or a signal/, 'some'],
    ['exhausting memory', inMalloc('if (size === 24) { const hog: number[][] = []; for (;;) hog.push(new Array(1e6).fill(size)); }'), /the tests of bump were stopped: ran out of memory/, 'some'],
    // The test file's name is built at run time, so that the run, not the scan of the source, catches it.
    ['editing its own test file', (b) => `import { writeFileSync } from 'node:fs';\n${inMalloc("if (size === 24) writeFileSync(new URL('./bump.te' + 'st.ts', import.meta.url), 'export {};');")(b)}`, /a file access or a program was refused \(first: FileSystemWrite of exercises\/01-bump\/bump\.test\.ts\): tests may write in their temporary folder only/, 'some'],
    ['deleting a file', (b) => `import { rmSync } from 'node:fs';\n${inMalloc("if (size === 24) rmSync(new URL('../../machine/format.ts', import.meta.url), { force: true });")(b)}`, /a file access or a program was refused/, 'some'],
    ['process.exit as it is imported', (b) => `process.exit(3);\n${b}`, /called process\.exit\(3\)/, 0],
    ['a throw as it is imported', (b) => `throw new Error('not finished');\n${b}`, /the tests of bump, batched could not run: Error: not finished/, 0],
    // Built at run time, so that the permission model, not the scan, catches it.
    ['reading the reference', (b) => `import { readFileSync } from 'node:fs';\n${inMalloc("if (size === 24) readFileSync(new URL('../../sol' + 'utions/01-bump/bump.ts', import.meta.url));")(b)}`, /a file access or a program was refused \(first: FileSystemRead of solutions\/01-bump\/bump\.ts\): .*read nothing of the reference solutions/, 'some'],
    ['a patched machine', inMalloc("(Object.getPrototypeOf(proc) as { sbrk: unknown }).sbrk = () => 16;"), /changed what the tests rely on: machine Process\.prototype\.sbrk was replaced/, 0],
    ['an import of the reference', () => "export * from '../../solutions/01-bump/bump.ts';", /01-bump\/bump\.ts:1 names the reference solutions/, 0],
    ['an import of the reference with its slashes escaped', () => "export * from '../../machine/x/..\\u002f..\\u002fsolutions/01-bump/bump.ts';", /01-bump\/bump\.ts:1 names the reference solutions \('\.\.\/\.\.\/machine\/x\/\.\.\/\.\.\/solutions\/01-bump\/bump\.ts', written '[^']*\\u002f/, 0],
    // Its name built at run time, so that the check after the tests, not the scan, catches it.
    ['an equality tester of its own', (b) => `const g = globalThis;\n(Reflect.get(g, Symbol.for('$$je' + 'st-matchers-object')) as { customEqualityTesters: unknown[] }).customEqualityTesters.push(() => true);\n${b}`, /changed what the tests rely on: vitest's list of custom equality testers was replaced/, 0],
    // Object.is would lie to the tests only, and the descriptor it would be found by say it is the old one: fixed while grading, it cannot be redefined.
    ['a patch that hides itself', (b) => `const realIs = Object.is;\nconst realDescribe = Reflect.getOwnPropertyDescriptor;\nconst saved = realDescribe(Object, 'is');\nObject.defineProperty(Object, 'is', { value: (a: unknown, c: unknown) => /\\.test\\./.test(new Error().stack ?? '') && !/integrity/.test(new Error().stack ?? '') ? true : realIs(a, c), writable: true, configurable: true });\nReflect.getOwnPropertyDescriptor = ((o: object, k: PropertyKey) => (o === Object && k === 'is' ? saved : realDescribe(o, k))) as typeof Reflect.getOwnPropertyDescriptor;\n${b}`, /Cannot redefine property: is/, 0],
    ['an import by a computed name', () => "const m = await import(new URL('../../sol' + 'utions/01-bump/bump.ts', import.meta.url).href);\nexport const { ALIGNMENT, createAllocator, bumpAllocatorFrom } = m;", /01-bump\/bump\.ts:1 imports a module by a computed name/, 0],
    ['an import of vitest', (b) => `import { expect } from 'vitest';\n${b}`, /01-bump\/bump\.ts:1 imports the test framework/, 0],
    ['a syntax error', (b) => b.replace('export const ALIGNMENT = 16;', 'export const ALIGNMENT = = 16;'), /does not compile: .*bump\.ts\(\d+,\d+\): error TS/, 0],
  ];

  it("costs a type error only its own exercise: the chapter's others keep their points", async () => {
    const graded = await gradeSubmission(submission('type-error', (b) => `${b}\nexport const unused: number = 'oops';\n`), chapter1);
    const chapter = chapterOne(graded);
    expect(chapter.reason).toMatch(/^bump does not compile: exercises\/01-bump\/bump\.ts\(\d+,\d+\): error TS2322/);
    const scores = (id: string) => chapter.tests.filter((t) => t.exercise === id).map((t) => [t.status, t.points === 0]);
    expect(new Set(scores('bump').map(String))).toEqual(new Set(['fail,true']));
    expect(chapter.tests.find((t) => t.exercise === 'bump')?.message).toMatch(/^does not compile: /);
    expect(new Set(scores('batched').map(String))).toEqual(new Set(['pass,false']));
  }, 60_000);

  for (const [what, patch, reason, points] of cases) {
    it(`fails chapter 1 of a submission with ${what}, naming the reason`, async () => {
      const graded = await gradeSubmission(submission(what.replace(/\W+/g, '-'), patch), chapter1);
      const chapter = chapterOne(graded);
      expect(chapter.reason).toMatch(reason);
      expect(chapter.status).not.toBe('pass');
      if (points === 0) expect(chapter.points).toBe(0);
      else expect(chapter.points).toBeLessThan(chapter.maxPoints);
    }, 90_000);
  }

  it('scores nothing for a built-in put in place for a moment: while grading the assignment throws, and the line is worth a look', async () => {
    // Put back at once, before any check after the tests could see it.
    const patch = inMalloc('const is = Object.is; Object.is = () => true; queueMicrotask(() => { Object.is = is; });');
    const graded = await gradeSubmission(submission('a-patched-built-in', patch), chapter1);
    const chapter = chapterOne(graded);
    const bump = chapter.tests.filter((t) => t.exercise === 'bump');
    // Every test whose malloc gets past its size check fails; malloc(-1) throws before it, and calloc's overflow never calls malloc.
    expect(bump.filter((t) => t.status === 'pass').map((t) => t.name)).toEqual([
      'malloc › throws a TypeError for a size that is not a non-negative integer',
      'calloc › returns NULL with ENOMEM when count * size overflows, without moving the break',
    ]);
    expect(bump.map((t) => t.message)).toEqual(expect.arrayContaining([expect.stringMatching(/Cannot assign to read only property 'is'/)]));
    expect(graded.review).toEqual(expect.arrayContaining([expect.stringMatching(/^01-bump\/bump\.ts:\d+: assigns over the built-in Object\.is$/)]));
  }, 60_000);

  it('fails a chapter whose exercise file is a link to the reference, without stopping', async () => {
    // A clone holds solutions/: a link to it would be graded as the reference.
    const dir = submission('linked');
    cpSync(resolve(ROOT, 'solutions/01-bump'), join(dir, 'solutions/01-bump'), { recursive: true });
    rmSync(join(dir, 'exercises/01-bump/bump.ts'));
    symlinkSync('../../solutions/01-bump/bump.ts', join(dir, 'exercises/01-bump/bump.ts'));
    const graded = await gradeSubmission(dir, chapter1);
    expect(chapterOne(graded).reason).toMatch(/01-bump\/bump\.ts is a symbolic link \(to \.\.\/\.\.\/solutions\/01-bump\/bump\.ts\), not a file of the submission's own/);
    expect(chapterOne(graded).points).toBe(0);
    // A linked chapter folder is found as well; the folder the instructor named may itself be a link.
    rmSync(join(dir, 'exercises/02-free-list'), { recursive: true });
    symlinkSync(resolve(ROOT, 'solutions/02-free-list'), join(dir, 'exercises/02-free-list'));
    symlinkSync(dir, join(scratch, 'linked-by-the-instructor'));
    const findings = scanSubmission(join(scratch, 'linked-by-the-instructor/exercises'), [], join(scratch, 'linked-by-the-instructor'));
    expect(findings.filter((f) => f.cheat).map((f) => f.where)).toEqual(['01-bump/bump.ts', '02-free-list/free-list.ts', '02-free-list/walk.ts']);
  }, 60_000);

  it('lets the tests write nowhere outside the sandbox, and names the refusal', async () => {
    const outside = join(scratch, 'written-by-a-submission.txt');
    const writes = inMalloc(`if (size === 24) writeFileSync(${JSON.stringify(outside)}, 'x');`);
    const graded = await gradeSubmission(submission('writes-outside', (b) => `import { writeFileSync } from 'node:fs';\n${writes(b)}`), chapter1);
    expect(existsSync(outside)).toBe(false);
    expect(chapterOne(graded).reason).toMatch(/a file access or a program was refused \(first: FileSystemWrite of \/[^)]*written-by-a-submission\.txt\): tests may write in their temporary folder only, read nothing of the reference solutions, and start no program/);
    expect(chapterOne(graded).points).toBeLessThan(chapterOne(graded).maxPoints);
  }, 60_000);

  it("lets the tests write neither over the submission's own files nor through the sandbox's link to node_modules", async () => {
    const marker = `.written-by-a-submission-${process.pid}`;
    const copy = [
      "import * as fs from 'node:fs';",
      // The one in the grader's checkout: every submission after would run with it.
      `try { fs.writeFileSync(new URL('../../node_modules/${marker}', import.meta.url), 'x'); } catch {}`,
      // The reference's batched over the submission's skeleton, before batched.test.ts imports it.
      "try { fs.copyFileSync(new URL('../../sol' + 'utions/01-bump/batched.ts', import.meta.url), new URL('./batched.ts', import.meta.url)); } catch {}",
    ].join('\n');
    const dir = submission('rewrites', (b) => `${copy}\n${b}`);
    copyShippedExercises(join(scratch, 'shipped'));
    cpSync(join(scratch, 'shipped/exercises/01-bump/batched.ts'), join(dir, 'exercises/01-bump/batched.ts'));
    const graded = await gradeSubmission(dir, chapter1);
    const written = existsSync(resolve(ROOT, 'node_modules', marker));
    rmSync(resolve(ROOT, 'node_modules', marker), { force: true });
    expect(written).toBe(false);
    expect(chapterOne(graded).tests.filter((t) => t.exercise === 'batched' && t.status === 'pass')).toEqual([]);
  }, 60_000);

  it("keeps the reports small when a student's error message is not", async () => {
    const graded = await gradeSubmission(submission('long-message', inMalloc("if (size === 24) throw new Error('x'.repeat(1_000_000));")), chapter1);
    const failed = chapterOne(graded).tests.filter((t) => t.status !== 'pass');
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) expect(t.message.length).toBeLessThan(13_000);
    expect(failed[0].message, 'cut once, where the test ran: the count is the message\'s own').toContain('… (990000 more characters)');
    expect(JSON.stringify(toExercism(graded)).length).toBeLessThan(200_000);
    expect(Math.max(...stripAnsi(formatGradeTable([graded])).split('\n').map((line) => line.length))).toBeLessThan(500);
  }, 60_000);

  it('lists what is worth a look without taking points, and names the file and line', async () => {
    const dir = submission('uses-node-util', (b) => `import { inspect } from 'node:util';\nexport const show = inspect;\n${b}`);
    // Chapter 2's file is not graded with --chapters 01: what it reaches for is not listed.
    const walk = join(dir, 'exercises/02-free-list/walk.ts');
    writeFileSync(walk, `import { inspect } from 'node:util';\n${readFileSync(walk, 'utf8')}`);
    const graded = await gradeSubmission(dir, chapter1);
    expect(graded.points).toBe(graded.maxPoints);
    expect(graded.review).toEqual(["01-bump/bump.ts:1: imports Node's util module"]);
    expect(formatGradeTable([graded])).toMatch(/Worth a look[^\n]*\n\s+uses-node-util, 01-bump\/bump\.ts:1: imports Node's util module/);
  }, 60_000);

  it('grades a .zip or .tar.gz of a submission as its folder, named without the extension', async () => {
    const dir = submission('packed');
    execFileSync('tar', ['-czf', join(scratch, 'packed.tar.gz'), '-C', dir, 'exercises']);
    execFileSync('zip', ['-qr', join(scratch, 'packed.zip'), '.'], { cwd: dir });
    for (const archive of ['packed.tar.gz', 'packed.zip']) {
      const graded = await gradeSubmission(join(scratch, archive), { chapters: ['00-the-process'], timeoutMs: 30_000 });
      expect([displayName(graded.submission), graded.missing, graded.points]).toEqual(['packed', [], graded.maxPoints]);
    }
  }, 120_000);

  it('finds the exercises one folder down in a folder, as in an archive: an unpacked download', async () => {
    const dir = join(scratch, 'unpacked/malloc-workbook-main');
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(dir, 'exercises/00-the-process'), { recursive: true });
    mkdirSync(join(scratch, 'unpacked/.hidden'));
    const graded = await gradeSubmission(join(scratch, 'unpacked'), { chapters: ['00-the-process'] });
    expect([displayName(graded.submission), graded.empty, graded.missing, graded.points]).toEqual(['unpacked', false, [], graded.maxPoints]);
  }, 60_000);

  it("finds the exercises beside other folders, never in a clone's solutions/, and says when there are two sets", async () => {
    const dir = join(scratch, 'beside');
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(dir, 'malloc-workbook-main/exercises/00-the-process'), { recursive: true });
    mkdirSync(join(dir, 'screenshots'));
    const graded = await gradeSubmission(dir, { chapters: ['00-the-process'] });
    expect([graded.missing, graded.points]).toEqual([[], graded.maxPoints]);
    // A clone without its exercises/ holds the reference in solutions/: nothing of the student's.
    const clone = join(scratch, 'no-exercises');
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(clone, 'solutions/00-the-process'), { recursive: true });
    mkdirSync(join(clone, 'machine'));
    expect(await gradeSubmission(clone, { chapters: ['00-the-process'] })).toMatchObject({ empty: true, points: 0 });
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(dir, 'old-copy/exercises/00-the-process'), { recursive: true });
    const two = await gradeSubmission(dir, { chapters: ['00-the-process'] });
    expect(two.chapters[0].reason).toBe('it holds 2 sets of exercises (malloc-workbook-main/exercises, old-copy/exercises): grade the one meant, by its folder');
    // A copy one level below the exercises/ of a folder is a second set too, not a folder to ignore.
    const nested = join(scratch, 'nested');
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(nested, 'exercises/00-the-process'), { recursive: true });
    cpSync(resolve(ROOT, 'solutions/00-the-process'), join(nested, 'exercises-copy/exercises/00-the-process'), { recursive: true });
    mkdirSync(join(nested, 'chapters/examples'), { recursive: true });
    expect((await gradeSubmission(nested, { chapters: ['00-the-process'] })).chapters[0].reason).toBe('it holds 2 sets of exercises (exercises, exercises-copy/exercises): grade the one meant, by its folder');
  }, 60_000);

  it('refuses bad input before any work, saying what to do', async () => {
    writeFileSync(join(scratch, 'notes.txt'), 'not a submission');
    await expect(gradeSubmission(join(scratch, 'notes.txt'))).rejects.toThrow(/notes\.txt is a file, not a folder: a submission is a folder holding the student's exercises\//);
    await expect(gradeSubmission(join(scratch, 'nobody'))).rejects.toThrow(/nobody: there is no such file or folder/);
    await expect(gradeSubmission(scratch, { timeoutMs: Number('abc') * 1000 })).rejects.toThrow(/--timeout takes the seconds each chapter may run/);
    await expect(gradeSubmission(scratch, { memoryMb: -5 })).rejects.toThrow(/--memory takes/);
    await expect(gradeSubmission(scratch, { chapters: ['42'] })).rejects.toThrow(/--chapters: there is no chapter 42/);
    await expect(gradeSubmission(scratch, { points: { bumpp: 20 } })).rejects.toThrow(/--points: there is no exercise 'bumpp'. The exercises: memory, vmmap, /);
    await expect(gradeSubmission(scratch, { points: { bump: 'ten' as unknown as number } })).rejects.toThrow('--points: the points of bump are a number from 0 (such as "bump": 10), not "ten".');
    await expect(gradeSubmission(scratch, { points: { bump: -5 } })).rejects.toThrow(/the points of bump are a number from 0/);
    await expect(gradeSubmission(scratch, { points: [20] as unknown as Record<string, number> })).rejects.toThrow(/--points takes a JSON object of points per exercise id/);
  });

  it('scores an archive that does not unpack 0, saying why, instead of stopping the batch it is in', async () => {
    writeFileSync(join(scratch, 'broken.zip'), 'half an upload');
    const graded = await gradeSubmission(join(scratch, 'broken.zip'), { chapters: ['00-the-process', '01-bump'] });
    expect([graded.points, graded.maxPoints, graded.chapters.map((c) => c.status)]).toEqual([0, 30, ['error', 'error']]);
    const table = stripAnsi(formatGradeTable([graded]));
    // One line for both chapters, and unzip's reason rather than the archive's name it starts with.
    expect(table).toMatch(/\n  broken, chapters 0, 1: could not unpack broken\.zip with unzip \(End-of-central-directory signature not found\): is it a whole archive\?/);
    expect(table.match(/could not unpack/g)).toHaveLength(1);
  });

  it('says so when a folder holds no exercise at all, once, without running the skeletons', async () => {
    mkdirSync(join(scratch, 'empty'));
    writeFileSync(join(scratch, 'empty/notes.txt'), 'my notes');
    const started: string[] = [];
    const graded = await gradeSubmission(join(scratch, 'empty'), { chapters: ['00-the-process', '01-bump'], onChapter: (c) => started.push(c.slug) });
    expect([graded.points, graded.maxPoints, graded.empty, started]).toEqual([0, 30, true, []]);
    const table = stripAnsi(formatGradeTable([graded]));
    expect(table).toMatch(/\n  empty, chapters 0, 1: no exercise file at all: nothing was submitted, or this is not the folder/);
    expect(table).not.toMatch(/✗|Missing files/); // not 30 failed tests of skeletons, nor the same news twice
  }, 60_000);

  it('costs a hang only its own exercise, named once in the table with the test it hung in', async () => {
    const graded = await gradeSubmission(submission('loops-once', inMalloc('while (size >= 0) size += 0;')), chapter1);
    const chapter = chapterOne(graded);
    // Each of bump's tests is lost with it, by name: as many tests as the reference's, for the same points.
    const bump = chapter.tests.filter((t) => t.exercise === 'bump');
    expect(bump.map((t) => t.name)).toEqual(chapterOne(await gradeReference()).tests.filter((t) => t.exercise === 'bump').map((t) => t.name));
    expect(bump.every((t) => t.status === 'error' && t.points === 0 && t.message.startsWith('did not finish within 24 s, run alone'))).toBe(true);
    expect(chapter.tests.filter((t) => t.exercise === 'batched').every((t) => t.status === 'pass')).toBe(true);
    expect(chapter.points).toBeGreaterThan(0);
    const table = stripAnsi(formatGradeTable([graded])); // CI=true turns picocolors on
    // The test running when time ran out is named, if one had started: on a busy machine, perhaps not the looping one yet.
    expect(table.match(/✗ bump: the tests did not finish \(\d+ tests\) — did not finish within 24 s, run alone(, in the test "[^"]+")?: an infinite loop/g)).toHaveLength(1);
    expect(toCsv([graded]).split('\n')[1]).toMatch(/"chapter 1: the tests of bump did not finish within 24 s, run alone(, in the test ""[^"]+"")?: an infinite loop/);
  }, 90_000 + REFERENCE_MS);

  it('runs again alone only the test files a hang kept from finishing, and says so', async () => {
    // bump's tests, the larger file, run first and finish; batched's loop stops the chapter.
    const dir = submission('batched-loops');
    const batched = join(dir, 'exercises/01-bump/batched.ts');
    writeFileSync(batched, readFileSync(batched, 'utf8').replace('    requireSize(size, `malloc(${size})`);', '    requireSize(size, `malloc(${size})`);\n    while (size >= 0) size += 0;'));
    const reruns: string[][] = [];
    const graded = await gradeSubmission(dir, { ...chapter1, onRerun: (_, files, why) => reruns.push([why, ...files]) });
    expect(reruns).toEqual([[expect.stringMatching(/^did not finish within 8 s/), 'exercises/01-bump/batched.test.ts']]);
    const chapter = chapterOne(graded);
    expect(chapter.tests.filter((t) => t.exercise === 'bump').every((t) => t.status === 'pass')).toBe(true);
    const batchedTests = chapterOne(await gradeReference()).tests.filter((t) => t.exercise === 'batched').map((t) => t.name);
    expect(chapter.tests.filter((t) => t.exercise === 'batched')).toEqual(batchedTests.map((name) => expect.objectContaining({ name, status: 'error', points: 0 })));
  }, 90_000 + REFERENCE_MS);

  it('costs an exit or running out of memory only its own exercise, as a hang', async () => {
    const graded = await gradeSubmission(submission('exits-once', inMalloc('if (size === 24) process.exit(0);')), chapter1);
    const chapter = chapterOne(graded);
    const bumpTests = chapterOne(await gradeReference()).tests.filter((t) => t.exercise === 'bump').map((t) => t.name);
    expect(chapter.tests.filter((t) => t.exercise === 'bump')).toEqual(bumpTests.map((name) => expect.objectContaining({ name, status: 'error', points: 0 })));
    expect(chapter.tests.filter((t) => t.exercise === 'batched').every((t) => t.status === 'pass')).toBe(true);
    expect(chapter.points).toBe(5);
    expect(stripAnsi(formatGradeTable([graded]))).toMatch(/exits-once, chapter 1: the tests of bump were stopped: called process\.exit\(0\) while the tests ran/);
  }, 60_000 + REFERENCE_MS);

  it('runs a chapter of one test file that hung again, with three times the time, each of its tests named', async () => {
    const dir = submission('realloc-loops');
    const realloc = join(dir, 'exercises/04-realloc/realloc.ts');
    writeFileSync(realloc, readFileSync(realloc, 'utf8').replace('    requireSize(size, `malloc(${size})`);', '    requireSize(size, `malloc(${size})`);\n    while (size >= 0) size += 0;'));
    const reruns: string[][] = [];
    const graded = await gradeSubmission(dir, { chapters: ['04-realloc'], timeoutMs: 8_000, memoryMb: 256, onRerun: (_, files) => reruns.push(files) });
    expect(reruns).toEqual([['exercises/04-realloc/realloc.test.ts']]);
    const names = (await gradeReference()).chapters.find((c) => c.chapter.slug === '04-realloc')!.tests.map((t) => t.name);
    const tests = graded.chapters[0].tests;
    expect(tests.map((t) => t.name)).toEqual(names);
    expect(tests.every((t) => t.status === 'error' && t.points === 0 && t.message.startsWith('did not finish within 24 s, run alone'))).toBe(true);
    expect(stripAnsi(formatGradeTable([graded]))).toMatch(new RegExp(`✗ realloc: the tests did not finish \\(${names.length} tests\\) — did not finish within 24 s, run alone`));
  }, 90_000 + REFERENCE_MS);

  it("grades a student's own helper module beside an exercise, and reads it for what it reaches", async () => {
    const dir = submission('helper', (b) => b.replace('export const ALIGNMENT = 16;', "import { ALIGNMENT } from './align.ts';\nexport { ALIGNMENT };"));
    writeFileSync(join(dir, 'exercises/01-bump/align.ts'), "import { env } from 'node:process';\nexport const ALIGNMENT = env.NEVER_SET === undefined ? 16 : 8;\n");
    writeFileSync(join(dir, 'exercises/01-bump/zone-testing.ts'), 'export {};\n'); // not a shipped file of this chapter: comes too, harmlessly
    // A folder of helpers comes too, and a link to nothing is left out.
    mkdirSync(join(dir, 'exercises/01-bump/lib'));
    writeFileSync(join(dir, 'exercises/01-bump/lib/round.ts'), "import { alignUp } from '../../../machine/index.ts';\nexport const round = (n: number) => alignUp(n, 16);\n");
    writeFileSync(join(dir, 'exercises/common.ts'), 'export const one = 1;\n');
    writeFileSync(join(dir, 'exercises/01-bump/bump.ts'), `import { round } from './lib/round.ts';\nimport { one } from '../common.ts';\nexport const sixteen = round(one);\n${readFileSync(join(dir, 'exercises/01-bump/bump.ts'), 'utf8')}`);
    symlinkSync(join(dir, 'nowhere.ts'), join(dir, 'exercises/01-bump/dangling.ts'));
    const graded = await gradeSubmission(dir, chapter1);
    expect(graded.points).toBe(graded.maxPoints);
    expect(graded.review).toEqual(["01-bump/align.ts:1: imports Node's process module"]);
  }, 60_000);

  it('stops the tests of a looping submission and removes its sandbox when the grader is interrupted', async () => {
    const dir = submission('interrupted', inMalloc('while (size >= 0) size += 0;'));
    const script = join(scratch, 'grade-one.mts');
    writeFileSync(script, `import { gradeSubmission } from ${JSON.stringify(resolve(ROOT, 'workbook/grade/grade.ts'))};\nawait gradeSubmission(${JSON.stringify(dir)}, { chapters: ['01-bump'], timeoutMs: 600_000 });\n`);
    const grader = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'ignore' });
    const runners = () => runnersOn(/workbook-grade-/).filter((r) => r.command.includes(`--root=`) && sandboxOf(r.command) !== '' && existsSync(join(sandboxOf(r.command), 'exercises/01-bump/bump.ts')) && readFileSync(join(sandboxOf(r.command), 'exercises/01-bump/bump.ts'), 'utf8').includes('size += 0'));
    let found: Array<{ pid: number; command: string }> = [];
    for (let i = 0; i < 600 && found.length === 0; i++) {
      await new Promise((done) => setTimeout(done, 100));
      found = runners();
    }
    expect(found, 'the test runner of the looping submission started').not.toEqual([]);
    const sandbox = sandboxOf(found[0].command);
    const exited = new Promise((done) => grader.once('exit', done));
    grader.kill('SIGINT');
    await exited;
    expect(runnersOn(new RegExp(`--root=${sandbox}\\b`))).toEqual([]);
    expect(existsSync(sandbox)).toBe(false);
  }, 120_000);

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
        // A slow test is stopped by the chapter's limit alone, never by vitest's 20 s per test.
        `it("may take the chapter's whole time", ({ task }) => { expect(task.timeout).toBe(${chapter1.timeoutMs}); });`,
        // A fixture beside the hidden tests, read where the instructor keeps it.
        "import { readFileSync } from 'node:fs';",
        `it('reads its fixture', () => { expect(readFileSync(${JSON.stringify(join(extra, 'fixture.txt'))}, 'utf8')).toBe('16'); });`,
      ].join('\n'),
    );
    writeFileSync(join(extra, 'fixture.txt'), '16');
    const graded = await gradeSubmission(submission('hidden'), { ...chapter1, extraTests: join(scratch, 'hidden-tests') });
    const hidden = chapterOne(graded).tests.filter((t) => t.name.startsWith('hidden: '));
    expect(hidden.map((t) => [t.name, t.status, t.message])).toEqual([
      ['hidden: serves 1000 blocks of 1 byte', 'pass', ''],
      ["hidden: may take the chapter's whole time", 'pass', ''],
      ['hidden: reads its fixture', 'pass', ''],
    ]);
  }, 60_000);

  it('writes the reports: Exercism v3, a CSV gradebook, JUnit, Gradescope', async () => {
    const full = await gradeReference();
    const exercism = toExercism(full);
    expect(exercism).toMatchObject({ version: 3, status: 'pass' });
    expect(exercism.tests[0]).toMatchObject({ status: 'pass', task_id: 1 });
    const csv = toCsv([full]).trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[0].split(',').slice(-4)).toEqual(['total', 'max', 'notes', 'path']);
    expect(csv[1].split(',').slice(-4)).toEqual([String(full.points), String(full.maxPoints), '', full.submission]);
    expect(toJunit([full])).toMatch(/^<\?xml[\s\S]*<testsuite name="[^"]+ 01-bump" tests="\d+" failures="0" errors="0">/m);
    expect(toGradescope(full)).toMatchObject({ score: full.points, max_score: full.maxPoints });
  }, REFERENCE_MS);
});

describe('what a chapter did besides failing', () => {
  const test = (name: string, message: string): GradedTest => ({ name, message, status: 'fail', exercise: 'pool', chapter: '05-zones', points: 0, maxPoints: 1 });
  it('names a loop the machine stopped, with the line of the student it ran in, and the tests not run after it', () => {
    const looped = test('pops a slot', 'RunawayLoop: Endless loop? This process has made 300,000,000 loads and stores, at least ten times what the book\'s own allocator needs here…\n    at createPool (exercises/05-zones/pool.ts:45:12)');
    const notRun = test('pushes it back', 'Error: Not run: the test "pops a slot" of this file looped without end (see its message); this one would most likely loop too.');
    expect(misbehaviour([looped, notRun, { ...notRun, name: 'again' }, test('other', 'expected 1 to be 2')])).toBe('1 test looped without end (at exercises/05-zones/pool.ts:45), and 2 tests after it were not run');
    expect(misbehaviour([test('other', 'expected 1 to be 2')])).toBe('');
  });
});

describe('the reports of a class', () => {
  it('tell two submissions of the same name apart, as the Gradescope files do: alice, alice-2', () => {
    const graded = (submission: string, points: number): GradedSubmission => ({ submission, chapters: [], points, maxPoints: 10, missing: [], empty: false, review: [] });
    const submissions = [graded('/subs/alice', 3), graded('/subs/alice.zip', 9), graded('/subs/bob', 5)];
    expect(toCsv(submissions).split('\n').slice(1, 4).map((row) => row.split(',').slice(0, 2).join(','))).toEqual(['alice,3', 'alice-2,9', 'bob,5']);
    expect(stripAnsi(formatGradeTable(submissions))).toMatch(/ alice +3\/10\n {2}alice-2 +9\/10\n/);
  });
});

describe('the table', () => {
  it("shows a student's message with its control characters written out, so that it cannot rewrite the lines above", () => {
    const message = 'oops\r\u001b[2K  alice 310/310\u0007';
    const chapter = { chapter: { number: 1, slug: '01-bump', title: 'A bump allocator' }, status: 'fail' as const, reason: `the tests of bump could not run: Error: ${message}`, points: 0, maxPoints: 10, tests: [{ name: 'bump: it', exercise: 'bump', chapter: '01-bump', status: 'fail' as const, message, points: 0, maxPoints: 10 }] };
    const table = formatGradeTable([{ submission: '/subs/alice', chapters: [chapter], points: 0, maxPoints: 10, missing: [], empty: false, review: [] }]);
    expect(table).not.toMatch(/[\r\u0007]|\u001b\[2K/);
    expect(table).toContain('oops\\x0d\\x1b[2K  alice 310/310\\x07');
  });
});

describe('the JUnit report', () => {
  it('stays well-formed XML whatever a message holds: control characters are written out', () => {
    const message = 'bad byte \u0000 and \u001b[31mcolour\u001b[0m <here> & "there"';
    const chapter = { chapter: { number: 1, slug: '01-bump', title: 'A bump allocator' }, status: 'fail' as const, reason: '', points: 0, maxPoints: 10, tests: [{ name: 'bump: it', exercise: 'bump', chapter: '01-bump', status: 'fail' as const, message, points: 0, maxPoints: 10 }] };
    const xml = toJunit([{ submission: '/subs/alice', chapters: [chapter], points: 0, maxPoints: 10, missing: [], empty: false, review: [] }]);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).toContain('bad byte \\x00 and \\x1b[31mcolour\\x1b[0m &lt;here&gt; &amp; &quot;there&quot;');
  });
});

describe('reading a submission before it runs', () => {
  it('calls an import from anywhere but the exercises, the machine and todo.ts a cheat', () => {
    const source = [
      "import { Process } from '../../machine/index.ts';",
      "import { todo } from '../../workbook/todo.ts';",
      "import { TINY } from '../05-zones/tiny-region.ts';",
      "import { align } from './align.ts';",
      "import { inspect } from 'util';",
      '// @ts-ignore: written by bump.ts as the tests ran',
      "export * from '../../.tmp/batched.ts';",
      "import { x } from '/tmp/elsewhere.ts';",
      "import { transformSync } from 'esbuild'; // to compile the reference for new Function",
      "import { Malloc } from '@thi.ng/malloc';",
    ].join('\n');
    expect(scanSource(source, '01-bump/batched.ts').map((f) => [f.line, f.cheat, f.what])).toEqual([
      [5, false, "imports Node's util module"],
      [7, true, "imports from outside the exercises and the machine ('../../.tmp/batched.ts')"],
      [8, true, "imports from outside the exercises and the machine ('/tmp/elsewhere.ts')"],
      [9, true, "imports a package ('esbuild'), which no exercise needs"],
      [10, true, "imports a package ('@thi.ng/malloc'), which no exercise needs"],
    ]);
  });

  it('lists a built-in or a method of the process put in place, even for a moment, or a property deleted, as worth a look', () => {
    const source = [
      'const is = Object.is; Object.is = () => true; queueMicrotask(() => { Object.is = is; });',
      'proc.load8 = (address: number) => 7;',
      "Object.defineProperty(proc, 'bytes', { value: () => [] });",
      'proc.errno = ENOMEM; if (Object.is(a, b) === true) return;',
      "const p = proc; delete p.load8; console.log('Math.max = 3'); x.Object.y = 1; Error.stackTraceLimit = 50;",
    ].join('\n');
    expect(scanSource(source).map((f) => [f.line, f.cheat, f.what])).toEqual([
      [1, false, 'assigns over the built-in Object.is'],
      [2, false, 'assigns over proc.load8, on the process the tests read memory through'],
      [3, false, 'redefines or deletes properties (Object.defineProperty)'],
      [5, false, 'redefines or deletes properties (delete)'],
    ]);
  });

  it('counts a cheat in a helper against every chapter that imports it, directly or not', () => {
    const root = join(scratch, 'helpers');
    mkdirSync(join(root, '05-zones'), { recursive: true });
    mkdirSync(join(root, '06-magazines'));
    mkdirSync(join(root, '01-bump'));
    // Chapter 5 left undone, its helper serves chapter 6 the reference through a chapter-6 file.
    writeFileSync(join(root, '05-zones/helper.ts'), "export * from '../../solutions/06-magazines/magazines.ts';\n");
    writeFileSync(join(root, '06-magazines/via.ts'), "export * from '../05-zones/helper.ts';\n");
    writeFileSync(join(root, '06-magazines/magazines.ts'), "export * from './via.ts';\n");
    writeFileSync(join(root, 'common.ts'), "export * from '../solutions/01-bump/bump.ts';\n");
    writeFileSync(join(root, '01-bump/bump.ts'), "export * from '../common.ts';\n");
    const findings = scanSubmission(root, ['05-zones/helper.ts', '06-magazines/via.ts', 'common.ts']).filter((f) => f.cheat);
    expect(findings.map((f) => [f.where, f.chapters])).toEqual([
      ['05-zones/helper.ts:1', ['05-zones', '06-magazines']],
      ['common.ts:1', ['01-bump']],
    ]);
  });

  it('finds nothing in the reference solutions or the skeletons', () => {
    expect(scanSubmission(resolve(ROOT, 'solutions'))).toEqual([]);
    expect(scanSubmission(resolve(ROOT, 'exercises'))).toEqual([]);
  });

  it('calls reaching for the reference, the framework, the tests, a computed module or code from a string a cheat; Node modules and hooks worth a look', () => {
    const source = [
      "import { x } from '../../solutions/01-bump/bump.ts'; // the reference",
      "import { expect } from '@vitest/expect';",
      "const t = new URL('./bump.test.ts', import.meta.url);",
      'const m = await import(name);',
      "import { readFileSync } from 'node:fs';",
      'process.on("exit", () => {});',
      '// import { y } from "../../solutions/02-free-list/walk.ts" in a comment is fine',
      "const s = 'a // not a comment'; globalThis.x = 1;",
      "import { loadAllocator } from '../../workbook/allocators.ts'; // loadAllocator('bump', 'sol' + 'utions')",
      "import { todo } from '../../workbook/todo.ts'; // the skeletons' own",
      "const load = createRequire(import.meta.url); const n = require(name);",
      "const mod = process.getBuiltinModule('module'); const r = mod['create' + 'Require'](import.meta.url);",
      "const run = Reflect.construct(Function, ['return 1']); eval('2'); new Function('return 3');",
      "const ref = await __vite_ssr_dynamic_import__('/sol' + 'utions/01-bump/bump.ts');",
      "const found = import.meta.glob('../../s*/01-bump/bump.ts'); const w = (globalThis as Record<string, unknown>)['__vi' + 'test_worker__'];",
      // Only in strings, or a type: an honest file's words, no finding.
      "throw new Error('Function (malloc) got a bad size'); console.log(`eval (${n})`); let callback: Function;",
    ].join('\n');
    expect(scanSource(source).map((f) => [f.line, f.cheat, f.what.split(' (')[0]])).toEqual([
      [1, true, 'names the reference solutions'],
      [2, true, 'imports the test framework'],
      [3, true, 'names a test or the grader'],
      [4, true, 'imports a module by a computed name'],
      [5, false, "imports Node's fs module"],
      [6, false, 'uses process.on'],
      [8, false, 'reaches into the global object'],
      [9, true, "imports the workbook's own tools"],
      [11, true, 'requires a module by a computed name'],
      [11, true, 'makes a require() of its own, which loads any module'],
      [11, false, 'calls require()'],
      [12, false, "imports Node's module module"],
      [12, true, 'uses process.getBuiltinModule, which loads a module by a name made at run time'],
      [13, true, 'runs code built from a string, which no exercise needs'],
      [14, true, "reaches into vitest's module loader"],
      [15, true, "reaches into vitest's module loader"],
      [15, true, 'reads the global object by a computed name'],
      [15, false, 'reaches into the global object'],
    ]);
  });

  it('reads a string continued on the next line and a name written with escapes as the program does', () => {
    const source = [
      "export * from '../../sol\\",
      "utions/01-bump/bump.ts';",
      "const run = \\u0046unction('return 1');",
      'const w = glob\\u{61}lThis[key];',
      "const home = Reflect.get(globalThis, Symbol.for('$$jest-matchers-object'));",
    ].join('\n');
    expect(scanSource(source).map((f) => [f.line, f.cheat, f.what.split(' (')[0]])).toEqual([
      [1, true, 'names the reference solutions'],
      [3, true, 'runs code built from a string, which no exercise needs'],
      [4, true, 'reads the global object by a computed name'],
      [4, false, 'reaches into the global object'],
      [5, true, "names vitest's own state"],
      [5, false, 'reaches into the global object'],
    ]);
  });

  it("lists code that reaches into the process's private bookkeeping, which the tests read, for a look", () => {
    const source = ['export function createAllocator(proc: Process) {', '  (proc as any).kernel.syscalls.sbrk = 0;', "  (proc as any)['readTable'].fill(0);", '  const spent = proc.stats().memoryOps + proc.stats().bytesMoved;', '}'].join('\n');
    expect(scanSource(source).map((f) => [f.line, f.cheat, f.what])).toEqual([
      [2, false, "reaches into the process's private state (kernel)"],
      [3, false, "reaches into the process's private state (readTable)"],
    ]);
  });
});
