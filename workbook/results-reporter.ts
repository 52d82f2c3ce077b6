// A vitest reporter that writes what the workbook's tools need, to the file named by
// WORKBOOK_RESULTS: every test's full name, state, and error with its diff, so that a
// student sees what differed, not only that something did.

import { writeFileSync } from 'node:fs';
import { shortened } from './text.ts';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

export interface ReportedError {
  message: string;
  stack: string;
  diff: string;
}

export interface ReportedTest {
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  errors: ReportedError[];
}

export interface ResultsFile {
  /** The test files that finished; all of them once `complete`. */
  modules: ReportedModule[];
  /** Errors outside any test: a worker that died, a rejection nobody awaited. */
  unhandled: ReportedError[];
  /** False while the run goes on: a run stopped for taking too long leaves the files that finished. */
  complete: boolean;
}

export interface ReportedModule {
  file: string;
  /** Errors that kept the file from running at all (a syntax error, a missing export). */
  errors: ReportedError[];
  tests: ReportedTest[];
}

function toReported(error: { message?: string; stack?: string; diff?: string; name?: string; code?: string; permission?: string; resource?: string }): ReportedError {
  // Node's permission model says only "Access to this API has been restricted": name what was refused, on what.
  const refused = error.code === 'ERR_ACCESS_DENIED' && error.resource !== undefined ? ` (${error.permission ?? 'access'} of ${error.resource})` : '';
  // A student's error may be megabytes long: it is cut here, before it reaches the results file and every report.
  const message = shortened(`${error.message ?? String(error)}${refused}`);
  if (error.name === undefined && (error.stack ?? '') === '') {
    // `throw 'oops'`: not an Error, so no name and no stack. Say so.
    return { message: `threw ${JSON.stringify(message)}, which is not an Error (throw new Error(…) says where it came from)`, stack: '', diff: '' };
  }
  return { message: error.name !== undefined && !message.startsWith(error.name) ? `${error.name}: ${message}` : message, stack: shortened(error.stack ?? ''), diff: shortened(error.diff ?? '') };
}

export default class ResultsReporter implements Reporter {
  private readonly finished: TestModule[] = [];

  // A run stopped for taking too long keeps what was written as each file finished.
  onTestModuleEnd(module: TestModule): void {
    this.finished.push(module);
    this.write(this.finished, [], false);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string; stack?: string; name?: string }>): void {
    this.write(testModules, unhandledErrors, true);
  }

  private write(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string; stack?: string; name?: string }>, complete: boolean): void {
    const file = process.env.WORKBOOK_RESULTS;
    if (file === undefined) return;
    const modules: ReportedModule[] = testModules.map((module) => ({
      file: module.moduleId,
      errors: module.errors().map(toReported),
      tests: [...module.children.allTests()].map((test) => {
        const result = test.result();
        return { name: testName(test), state: result.state, errors: (result.errors ?? []).map(toReported) };
      }),
    }));
    const results: ResultsFile = { modules, unhandled: unhandledErrors.map(toReported), complete };
    writeFileSync(file, JSON.stringify(results));
  }
}

function testName(test: TestCase): string {
  return test.fullName.split(' > ').join(' › ');
}
