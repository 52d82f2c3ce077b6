// The grader's reports: a table for the terminal, and files for the tools instructors use:
// Exercism's test-runner JSON (v3), a CSV gradebook, JUnit XML and Gradescope's results.json.

import pc from 'picocolors';
import { CHAPTERS, EXERCISES } from '../exercises.ts';
import { escapeControls } from '../text.ts';
import { renderTable } from '../trace/report.ts';
import { type GradedSubmission, type GradedTest, UNTOUCHED, displayName, whatStopped } from './grade.ts';
import { reportNames } from './submissions.ts';

export function formatGradeTable(submissions: readonly GradedSubmission[]): string {
  const name = namer(submissions);
  const graded = submissions[0]?.chapters.map((c) => c.chapter) ?? CHAPTERS;
  const header = ['  submission', ...graded.map((c) => String(c.number).padStart(2, '0')), 'total'];
  const rows = submissions.map((s) => [
    `  ${name(s)}`,
    ...s.chapters.map((c) => {
      const cell = `${c.points}/${c.maxPoints}`;
      return c.status === 'pass' ? pc.green(cell) : c.status === 'error' ? pc.yellow(cell) : c.points === 0 ? pc.red(cell) : cell;
    }),
    pc.bold(`${s.points}/${s.maxPoints}`),
  ]);
  const reasons = submissions.flatMap((s) => chapterReasons(s).map((line) => `  ${name(s)}, ${printable(line)}`));
  const missing = submissions.filter((s) => s.missing.length > 0).map((s) => `  ${name(s)}: ${describeMissing(s)}`);
  const review = submissions.flatMap((s) => s.review.map((line) => `  ${name(s)}, ${line}`));
  // For a few submissions, what failed: the instructor should not need --json to see it.
  // A chapter that failed as a whole is named once, under "Why chapters failed".
  const failures =
    submissions.length > 3
      ? []
      : submissions.flatMap((s) => {
          const failed = s.chapters.filter((c) => !failedWhole(c)).flatMap((c) => c.tests.filter((t) => t.status !== 'pass'));
          const whole = s.chapters.filter(failedWhole).map((c) => c.chapter.number);
          if (failed.length === 0 && whole.length === 0) return [];
          const lines = failureLines(failed);
          const shown = lines.slice(0, 12).map(({ label, message }) => `    ${pc.red('✗')} ${label} — ${printable(message.split('\n')[0])}`);
          const more = lines.length > 12 ? [`    … and ${lines.length - 12} more (--json has them all)`] : [];
          return ['', pc.bold(`${name(s)}: ${failureCount(failed.length, whole)}`), ...shown, ...more];
        });
  return [
    renderTable(header, rows),
    ...classSummary(submissions),
    ...failures,
    ...(reasons.length > 0 ? ['', pc.bold('Why chapters failed:'), ...reasons] : []),
    ...(missing.length > 0 ? ['', pc.bold('Missing files (the skeleton was graded in their place):'), ...missing] : []),
    ...(review.length > 0 ? ['', pc.bold('Worth a look (no points taken):'), ...review] : []),
    ...sameNames(submissions, name),
  ].join('\n');
}

/**
 * For a class (more than three submissions, when each one's failures are no longer listed):
 * each chapter's average and full marks, with a bar, and the tests most of them failed: what
 * to go over again in the next class.
 */
function classSummary(all: readonly GradedSubmission[]): string[] {
  if (all.length <= 3) return [];
  // A folder with nothing in it is named above; it would only pull the averages down.
  const submissions = all.filter((s) => !s.empty);
  const empty = all.length - submissions.length;
  if (submissions.length === 0) return [];
  const count = submissions.length;
  const chapters = submissions[0].chapters.map((c, i) => {
    const graded = submissions.map((s) => s.chapters[i]).filter((x) => x !== undefined);
    const average = graded.reduce((sum, x) => sum + x.points, 0) / graded.length;
    const full = graded.filter((x) => x.maxPoints > 0 && x.points === x.maxPoints).length;
    const share = c.maxPoints === 0 ? 0 : average / c.maxPoints;
    const bar = `${'█'.repeat(Math.round(share * 20))}${pc.dim('░'.repeat(20 - Math.round(share * 20)))}`;
    return [`  ${String(c.chapter.number).padStart(2, '0')}`, `${round1(average)}/${c.maxPoints}`, `${full} of ${graded.length}`, bar];
  });
  // A test a whole chapter failed for one reason (a hang) is counted under that reason, not as a test.
  // So is a test lost with its exercise's (a hang in another test): once, as the exercise's.
  const failedBy = new Map<string, number>();
  for (const s of submissions) {
    // An exercise left as shipped failed every test and says nothing about which is hard.
    const failed = s.chapters.filter((x) => !failedWhole(x)).flatMap((c) => c.tests.filter((t) => t.status !== 'pass' && !t.message.startsWith(UNTOUCHED)));
    for (const { label } of failureLines(failed)) failedBy.set(label, (failedBy.get(label) ?? 0) + 1);
  }
  // Two lines at most an exercise: its tests tie when the same students fail them all.
  const perExercise = new Map<string, number>();
  const most = [...failedBy]
    .filter(([, n]) => n > 1)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .filter(([label]) => {
      const exercise = label.split(':')[0];
      perExercise.set(exercise, (perExercise.get(exercise) ?? 0) + 1);
      return perExercise.get(exercise)! <= 2;
    })
    .slice(0, 8);
  return [
    '',
    pc.bold(`The class: ${count} submission${count === 1 ? '' : 's'}${empty === 0 ? '' : ` (and ${empty} with nothing submitted, left out of these figures)`}`),
    renderTable(['  chapter', 'average', 'full marks', ''], chapters),
    ...(most.length === 0 ? [] : ['', pc.bold('Failed most often:'), ...most.map(([name, n]) => `  ${String(n).padStart(String(count).length)} of ${count}  ${printable(name)}`)]),
  ];
}

const round1 = (x: number) => String(Math.round(x * 10) / 10);

/**
 * What a submission lost, counted: its failed tests, and the chapters that failed as a whole
 * (a cheat, a compile error, a hang), whose tests are not counted one by one.
 */
export function failureCount(tests: number, wholeChapters: readonly number[]): string {
  const counted = tests === 0 ? [] : [`${tests} test${tests === 1 ? '' : 's'} failed`];
  if (wholeChapters.length > 0) counted.push(`chapter${wholeChapters.length === 1 ? '' : 's'} ${wholeChapters.join(', ')} failed as a whole (see below)`);
  return counted.join('; ');
}

/** A test as the table names it: `bump: malloc › …`, its exercise first unless its name has it already. */
function testLabel(t: GradedTest): string {
  return t.name.startsWith(`${t.exercise}: `) ? t.name : `${t.exercise}: ${t.name}`;
}

/**
 * Failed tests a line each, but for the tests of an exercise that did not run to its end (a
 * hang, an exit): they share one line, `bump: the tests did not finish (16 tests)`.
 */
function failureLines(failed: readonly GradedTest[]): { label: string; message: string }[] {
  const lines: { label: string; message: string; exercise: string; count: number }[] = [];
  for (const t of failed) {
    const last = lines.at(-1);
    if (t.status !== 'error') lines.push({ label: testLabel(t), message: t.message, exercise: t.exercise, count: 0 });
    else if (last !== undefined && last.count > 0 && last.exercise === t.exercise && last.message === t.message) last.count++;
    else lines.push({ label: '', message: t.message, exercise: t.exercise, count: 1 });
  }
  return lines.map(({ label, message, exercise, count }) =>
    count === 0 ? { label, message } : { label: `${exercise}: ${whatStopped(message)}${count === 1 ? '' : ` (${count} tests)`}`, message },
  );
}

/** A student's text as the terminal shows it, its control characters written out: a \r or an escape code could rewrite the lines above. */
function printable(text: string): string {
  // One line of a table, not a screenful: the reports have the rest.
  if (text.length > 300) text = `${text.slice(0, 300)}…`;
  return escapeControls(text, '\t\n');
}

/** Submissions of the same name (alice, alice-2), each with its path: the table's names alone do not tell which is which. */
function sameNames(submissions: readonly GradedSubmission[], name: (s: GradedSubmission) => string): string[] {
  const alike = submissions.filter((s) => submissions.some((other) => other !== s && displayName(other.submission) === displayName(s.submission)));
  if (alike.length === 0) return [];
  const width = Math.max(...alike.map((s) => name(s).length));
  return ['', pc.bold('Submissions of the same name:'), ...alike.map((s) => `  ${name(s).padEnd(width)}  ${printable(s.submission)}`)];
}

/** Each submission's name in a report of them all: its folder's, numbered when two are alike (alice, alice-2), as Gradescope's files are. */
function namer(submissions: readonly GradedSubmission[]): (s: GradedSubmission) => string {
  const names = reportNames(submissions.map((s) => s.submission));
  return (s) => names[submissions.indexOf(s)];
}

/**
 * Why a submission's chapters failed as a whole, a line per reason: chapters that failed for
 * the same one (an archive that would not unpack fails them all) share a line, `chapters 0, 1: …`.
 */
function chapterReasons(s: GradedSubmission, full = false): string[] {
  const byReason = new Map<string, number[]>();
  for (const c of s.chapters.filter((c) => c.reason !== '')) {
    const reason = full ? c.reason : c.reason.split('\n')[0];
    byReason.set(reason, [...(byReason.get(reason) ?? []), c.chapter.number]);
  }
  return [...byReason].map(([reason, numbers]) => `chapter${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}: ${reason}`);
}

/** Whether every test of a chapter failed for the chapter's one reason (a hang, a cheat), not on its own. */
function failedWhole(chapter: GradedSubmission['chapters'][number]): boolean {
  return chapter.reason !== '' && chapter.tests.every((t) => t.message === chapter.reason);
}

/** The files a submission lacked, a whole chapter in one word. */
export function describeMissing(s: GradedSubmission): string {
  const byChapter = CHAPTERS.map((c) => {
    const all = EXERCISES.filter((e) => e.chapter === c.slug).map((e) => `${e.chapter}/${e.file}`);
    const gone = all.filter((f) => s.missing.includes(f));
    return gone.length === 0 ? '' : gone.length === all.length ? `${c.slug}/ (all of it)` : gone.join(', ');
  });
  return `no ${byChapter.filter((x) => x !== '').join(', ')}`;
}

/** What an instructor should know beside the score: chapters failed as a whole, missing files, lines worth a look. */
function notes(s: GradedSubmission, full = false): string[] {
  return [
    ...chapterReasons(s, full),
    ...(s.missing.length > 0 ? [`missing: ${describeMissing(s)}`] : []),
    ...(s.review.length > 0 ? [`worth a look: ${s.review.join('; ')}`] : []),
  ];
}

/**
 * Exercism's test-runner interface, version 3: one document per submission, and beyond it
 * each test's exercise and points (in cents, as Gradescope's), the submission's name, its
 * path and points. `name` tells two submissions of one name apart (alice-2), as the table does.
 */
export function toExercism(s: GradedSubmission, name = displayName(s.submission)) {
  const tests = s.chapters.flatMap((c) => c.tests);
  const cents = s.chapters.flatMap((c) => pointsInCents(c.tests));
  const status = tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  const whole = chapterReasons(s, true);
  return {
    version: 3,
    status,
    ...(whole.length > 0 ? { message: whole.join('\n') } : {}),
    tests: tests.map((t, i) => ({
      name: t.name,
      status: t.status,
      ...(t.message !== '' ? { message: t.message } : {}),
      task_id: CHAPTERS.findIndex((c) => c.slug === t.chapter) + 1,
      exercise: t.exercise,
      points: cents[i].points,
      max_points: cents[i].maxPoints,
    })),
    submission: name,
    path: s.submission,
    points: s.points,
    max_points: s.maxPoints,
    missing: s.missing,
    review: s.review,
  };
}

/**
 * One row per submission: a column per chapter, a total, notes (why chapters failed, what is
 * missing, what to look at), and last the submission's path, which tells alice from alice-2.
 */
export function toCsv(submissions: readonly GradedSubmission[]): string {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const graded = submissions[0]?.chapters.map((c) => c.chapter) ?? CHAPTERS;
  const header = ['submission', ...graded.map((c) => `chapter ${String(c.number).padStart(2, '0')} ${c.title}`), 'total', 'max', 'notes', 'path'];
  const name = namer(submissions);
  const rows = submissions.map((s) => [name(s), ...s.chapters.map((c) => String(c.points)), String(s.points), String(s.maxPoints), notes(s).join(' | '), s.submission]);
  return `${[header, ...rows].map((row) => row.map(quote).join(',')).join('\n')}\n`;
}

export function toJunit(submissions: readonly GradedSubmission[]): string {
  const name = namer(submissions);
  // Control characters (a student's message may hold any) are not allowed in XML at all, even escaped.
  const esc = (text: string) =>
    escapeControls(text, '\t\n\r').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
  const suites = submissions.flatMap((s) =>
    s.chapters.map((c) => {
      const failures = c.tests.filter((t) => t.status === 'fail').length;
      const errors = c.tests.filter((t) => t.status === 'error').length;
      const cases = c.tests.map((t) => {
        const body = t.status === 'pass' ? '' : `<${t.status === 'error' ? 'error' : 'failure'} message="${esc(t.message.split('\n')[0])}">${esc(t.message)}</${t.status === 'error' ? 'error' : 'failure'}>`;
        return `    <testcase classname="${esc(`${name(s)}.${c.chapter.slug}`)}" name="${esc(t.name)}">${body}</testcase>`;
      });
      return [`  <testsuite name="${esc(`${name(s)} ${c.chapter.slug}`)}" tests="${c.tests.length}" failures="${failures}" errors="${errors}">`, ...cases, '  </testsuite>'].join('\n');
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Gradescope's results.json for one submission: each test's score is its max_score if it passed, 0 if not. */
export function toGradescope(s: GradedSubmission) {
  return {
    score: s.points,
    max_score: s.maxPoints,
    output: notes(s, true).map((n) => n.charAt(0).toUpperCase() + n.slice(1)).join('\n'),
    tests: s.chapters.flatMap((c) => {
      const cents = pointsInCents(c.tests);
      return c.tests.map((t, i) => ({ name: t.name, score: cents[i].points, max_score: cents[i].maxPoints, status: t.status === 'pass' ? 'passed' : 'failed', output: t.message, tags: [c.chapter.slug] }));
    }),
  };
}

/**
 * Each test's points and maximum in cents, for the reports that list them. A passed test
 * scores its whole maximum and a failed one 0; the maxima of an exercise's tests add up to
 * its points, and the scores to the points it earned, as closely as cents allow: 10 points
 * over 16 tests are 0.63 or 0.62 each (not 0.63 each, 10.08 in all), and when 10 of them
 * pass, the cents above 0.62 go first to those 10, so that they earn 6.25, as the table says.
 */
export function pointsInCents(tests: readonly GradedTest[]): { points: number; maxPoints: number }[] {
  const cents = tests.map(() => ({ points: 0, maxPoints: 0 }));
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const byExercise = new Map<string, number[]>();
  tests.forEach((t, i) => byExercise.set(t.exercise, [...(byExercise.get(t.exercise) ?? []), i]));
  for (const indices of byExercise.values()) {
    const exact = indices.map((i) => tests[i].maxPoints * 100);
    const floor = exact.map((x) => Math.floor(x + 1e-6)); // 0.29 * 100 is 28.999999999999996
    for (const [k, i] of indices.entries()) cents[i].maxPoints = floor[k];
    // The cents the floors leave, at most one a test: those with the largest fractions first.
    const spare = Math.round(sum(exact)) - sum(floor);
    const order = indices.map((i, k) => ({ i, fraction: exact[k] - floor[k] })).sort((a, b) => b.fraction - a.fraction).map((x) => x.i);
    const passed = order.filter((i) => tests[i].status === 'pass');
    const failed = order.filter((i) => tests[i].status !== 'pass');
    const earned = Math.round(sum(passed.map((i) => tests[i].points * 100)));
    const toPassed = Math.max(0, Math.min(spare, passed.length, earned - sum(passed.map((i) => cents[i].maxPoints))));
    const toFailed = Math.min(spare - toPassed, failed.length);
    const extra = [...passed.slice(0, toPassed), ...failed.slice(0, toFailed), ...passed.slice(toPassed, toPassed + spare - toPassed - toFailed)];
    for (const i of extra) cents[i].maxPoints++;
    for (const i of passed) cents[i].points = cents[i].maxPoints;
  }
  return cents.map((c) => ({ points: c.points / 100, maxPoints: c.maxPoints / 100 }));
}
