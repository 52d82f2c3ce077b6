// A setup file of every test run: when WORKBOOK_STARTED names a file, each test file appends
// the names of its tests once they are collected, each test its name as it begins, and each
// file a line once its tests have all run. A test that never ends blocks its worker, and with
// it every report the worker would send, even of files it finished before: lines written as
// the tests go are the only way to tell which test hung, which tests its file held, and which
// files ended.

import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { RunnerTask } from 'vitest';
import { type TestLogKind, testLogLine } from './test-log.ts';

const file = process.env.WORKBOOK_STARTED;

function append(kind: TestLogKind, testPath: string, names: string[]): void {
  try {
    appendFileSync(file as string, testLogLine(kind, testPath, names));
  } catch {
    // A grading sandbox may not write outside its folder: it learns of hangs another way.
  }
}

/** The full names of the tests among `tasks`, as the results reporter writes them (`suite › test`). */
function testNames(tasks: readonly RunnerTask[], suites: string[] = []): string[] {
  return tasks.flatMap((task) => (task.type === 'test' ? [[...suites, task.name].join(' › ')] : task.type === 'suite' ? testNames(task.tasks, [...suites, task.name]) : []));
}

if (file !== undefined) {
  beforeAll(({}, suite) => {
    // The file's own suite: its name is no part of its tests' names.
    append('collected', suite.file.filepath, testNames(suite.tasks));
  });
  beforeEach(() => {
    const { testPath, currentTestName } = expect.getState();
    append('started', testPath ?? '', [(currentTestName ?? '').split(' > ').join(' › ')]);
  });
  afterAll(({}, suite) => {
    append('ended', suite.file.filepath, []);
  });
}
