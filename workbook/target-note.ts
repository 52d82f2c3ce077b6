// `npm test` and a bare `npx vitest` test the reference solutions, not the student's
// exercises: that is how the workbook checks itself. A student who runs a test file directly
// would otherwise see the skeleton's tests pass and believe they are done, so a run ends by
// saying whose code it tested (a watching vitest, as an editor's test panel may keep, says it
// when it stops).

export default function setup(): () => void {
  return () => {
    if (process.env.WORKBOOK_TARGET !== undefined) return; // npm run check, the grader: they say so themselves
    process.stderr.write(targetNote());
  };
}

/**
 * The note. On Windows without the variable form: PowerShell has no `VAR=value command`, and
 * its `$env:` form stays set, so that a later `npm test` there would test the skeletons.
 */
export function targetNote(platform: NodeJS.Platform = process.platform): string {
  const direct = platform === 'win32' ? '' : ' (or WORKBOOK_TARGET=exercises npx vitest run <file>)';
  return (
    '\nThese tests ran against the reference solutions in solutions/ (the workbook checking itself), not your exercises.\n' +
    `To test your own code: npm run check -- <exercise>${direct}.\n`
  );
}
