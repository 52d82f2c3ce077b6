// `npm test` and a bare `npx vitest` test the reference solutions, not the student's
// exercises: that is how the workbook checks itself. A student who runs a test file directly
// (or through an editor's test panel) would otherwise see the skeleton's tests pass and
// believe they are done, so the run ends by saying whose code it tested.

export default function setup(): () => void {
  return () => {
    if (process.env.WORKBOOK_TARGET !== undefined) return; // npm run check, the grader: they say so themselves
    process.stderr.write(targetNote());
  };
}

/** The note, with the variable set as the student's shell sets it: Windows' PowerShell has no `VAR=value command`. */
export function targetNote(platform: NodeJS.Platform = process.platform): string {
  const direct = platform === 'win32' ? "in PowerShell: $env:WORKBOOK_TARGET='exercises'; npx vitest run <file>" : 'WORKBOOK_TARGET=exercises npx vitest run <file>';
  return (
    '\nThese tests ran against the reference solutions in solutions/ (the workbook checking itself), not your exercises.\n' +
    `To test your own code: npm run check (or ${direct}).\n`
  );
}
