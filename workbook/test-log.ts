// The log each test run appends to as it goes (workbook/started-test.ts writes it, the tools
// read it): one line per test file once its tests are collected, one per test as it begins,
// and one per file once all its tests have run. A run killed for time reports nothing else of
// the files it did not finish, and may not have reported the ones it did: a worker sends its
// results in batches, and one blocked by a loop never sends the last batch.

export type TestLogKind = 'collected' | 'started' | 'ended';

/** A line of the log: `kind<TAB>file<TAB>name…`; names lose their tabs and line breaks. */
export function testLogLine(kind: TestLogKind, file: string, names: readonly string[]): string {
  return `${kind}\t${file}\t${names.map((name) => name.replace(/[\t\n]/g, ' ')).join('\t')}\n`;
}

/** A line of the log read back, or undefined for one cut short or not of the log. */
export function parseTestLogLine(line: string): { kind: TestLogKind; file: string; names: string[] } | undefined {
  const [kind, file, ...names] = line.split('\t');
  if ((kind !== 'collected' && kind !== 'started' && kind !== 'ended') || file === undefined || file === '') return undefined;
  return { kind, file, names: names.filter((name) => name !== '') };
}
