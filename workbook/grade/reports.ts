// The grader's reports: a table for the terminal, and files for the tools instructors use:
// Exercism's test-runner JSON (v3), a CSV gradebook, JUnit XML and Gradescope's results.json.

import pc from 'picocolors';
import { CHAPTERS } from '../exercises.ts';
import { renderTable } from '../trace/report.ts';
import { type GradedSubmission, displayName } from './grade.ts';

export function formatGradeTable(submissions: readonly GradedSubmission[]): string {
  const graded = submissions[0]?.chapters.map((c) => c.chapter) ?? CHAPTERS;
  const header = ['  submission', ...graded.map((c) => String(c.number).padStart(2, '0')), 'total'];
  const rows = submissions.map((s) => [
    `  ${displayName(s.submission)}`,
    ...s.chapters.map((c) => {
      const cell = `${c.points}/${c.maxPoints}`;
      return c.status === 'pass' ? pc.green(cell) : c.status === 'error' ? pc.yellow(cell) : c.points === 0 ? pc.red(cell) : cell;
    }),
    pc.bold(`${s.points}/${s.maxPoints}`),
  ]);
  const reasons = submissions.flatMap((s) =>
    s.chapters.filter((c) => c.reason !== '').map((c) => `  ${displayName(s.submission)}, chapter ${c.chapter.number}: ${c.reason.split('\n')[0]}`),
  );
  const missing = submissions.filter((s) => s.missing.length > 0).map((s) => `  ${displayName(s.submission)}: no ${s.missing.join(', ')} (the skeleton was graded)`);
  // For a few submissions, what failed: the instructor should not need --json to see it.
  const failures =
    submissions.length > 3
      ? []
      : submissions.flatMap((s) => {
          const failed = s.chapters.flatMap((c) => c.tests.filter((t) => t.status !== 'pass'));
          if (failed.length === 0) return [];
          const shown = failed.slice(0, 12).map((t) => `    ${pc.red('✗')} ${t.exercise}: ${t.name} — ${t.message.split('\n')[0]}`);
          const more = failed.length > 12 ? [`    … and ${failed.length - 12} more (--json has them all)`] : [];
          return ['', pc.bold(`${displayName(s.submission)}: ${failed.length} test${failed.length === 1 ? '' : 's'} failed`), ...shown, ...more];
        });
  return [
    renderTable(header, rows),
    ...failures,
    ...(reasons.length > 0 ? ['', pc.bold('Why chapters failed:'), ...reasons] : []),
    ...(missing.length > 0 ? ['', pc.bold('Missing files:'), ...missing] : []),
  ].join('\n');
}

/** Exercism's test-runner interface, version 3: one document per submission. */
export function toExercism(s: GradedSubmission) {
  const tests = s.chapters.flatMap((c) => c.tests);
  const status = tests.some((t) => t.status === 'error') ? 'error' : tests.every((t) => t.status === 'pass') ? 'pass' : 'fail';
  const failedWhole = s.chapters.filter((c) => c.reason !== '');
  return {
    version: 3,
    status,
    ...(failedWhole.length > 0 ? { message: failedWhole.map((c) => `chapter ${c.chapter.number}: ${c.reason}`).join('\n') } : {}),
    tests: tests.map((t) => ({
      name: t.name,
      status: t.status,
      ...(t.message !== '' ? { message: t.message } : {}),
      task_id: CHAPTERS.findIndex((c) => c.slug === t.chapter) + 1,
    })),
    submission: displayName(s.submission),
    points: s.points,
    max_points: s.maxPoints,
  };
}

/** One row per submission: a column per chapter and a total. */
export function toCsv(submissions: readonly GradedSubmission[]): string {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const graded = submissions[0]?.chapters.map((c) => c.chapter) ?? CHAPTERS;
  const header = ['submission', ...graded.map((c) => `chapter ${String(c.number).padStart(2, '0')} ${c.title}`), 'total', 'max'];
  const rows = submissions.map((s) => [displayName(s.submission), ...s.chapters.map((c) => String(c.points)), String(s.points), String(s.maxPoints)]);
  return `${[header, ...rows].map((row) => row.map(quote).join(',')).join('\n')}\n`;
}

export function toJunit(submissions: readonly GradedSubmission[]): string {
  const esc = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
  const suites = submissions.flatMap((s) =>
    s.chapters.map((c) => {
      const failures = c.tests.filter((t) => t.status === 'fail').length;
      const errors = c.tests.filter((t) => t.status === 'error').length;
      const cases = c.tests.map((t) => {
        const body = t.status === 'pass' ? '' : `<${t.status === 'error' ? 'error' : 'failure'} message="${esc(t.message.split('\n')[0])}">${esc(t.message)}</${t.status === 'error' ? 'error' : 'failure'}>`;
        return `    <testcase classname="${esc(`${displayName(s.submission)}.${c.chapter.slug}`)}" name="${esc(t.name)}">${body}</testcase>`;
      });
      return [`  <testsuite name="${esc(`${displayName(s.submission)} ${c.chapter.slug}`)}" tests="${c.tests.length}" failures="${failures}" errors="${errors}">`, ...cases, '  </testsuite>'].join('\n');
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Gradescope's results.json for one submission. */
export function toGradescope(s: GradedSubmission) {
  return {
    score: s.points,
    max_score: s.maxPoints,
    output: s.chapters.filter((c) => c.reason !== '').map((c) => `Chapter ${c.chapter.number}: ${c.reason}`).join('\n'),
    tests: s.chapters.flatMap((c) =>
      c.tests.map((t) => ({ name: t.name, score: Math.round(t.points * 100) / 100, max_score: Math.round(t.maxPoints * 100) / 100, status: t.status === 'pass' ? 'passed' : 'failed', output: t.message, tags: [c.chapter.slug] })),
    ),
  };
}
