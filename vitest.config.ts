import { defineConfig } from 'vitest/config';

// `npm test` checks the project itself: the machine, the tools, and every chapter's tests
// against the reference solutions (students check their own work with `npm run check`).
export default defineConfig({
  test: {
    include: ['machine/**/*.test.ts', 'workbook/**/*.test.ts', 'exercises/**/*.test.ts', 'chapters/**/*.test.ts', 'site/*.test.ts'],
    env: { WORKBOOK_TARGET: process.env.WORKBOOK_TARGET ?? 'solutions' },
    testTimeout: 20_000,
    // Names each test as it starts, for the workbook's tools to say which one hung (a no-op
    // otherwise); stops a process that loops for ever where it loops, naming the line.
    setupFiles: ['workbook/started-test.ts', 'workbook/loop-guard.ts'],
    // Says at the end whose code was tested: run directly, a test file tests the reference.
    globalSetup: ['workbook/target-note.ts'],
  },
});
