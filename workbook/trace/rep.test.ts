// The .rep format: what parses, what does not, and the messages that say why.

import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { TraceFormatError, checkTrace, parseRep, readRep, writeRep } from './rep.ts';

const SHORT = `20000
3
6
1
a 0 2040
a 1 4010
r 0 100
f 1
a 2 48
f 2
`;

/** The message parseRep throws for `text`, read as traces/x.rep. */
function problem(text: string): string {
  try {
    parseRep(text, 'traces/x.rep');
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError);
    return (error as Error).message;
  }
  throw new Error('the trace parsed, but it should not have');
}

describe('parseRep', () => {
  it('reads the four header lines and one operation per line, remembering each line', () => {
    const trace = parseRep(SHORT, 'short.rep');
    expect(trace).toMatchObject({ name: 'short.rep', suggestedHeapSize: 20000, numIds: 3, weight: 1 });
    expect(trace.ops).toEqual([
      { kind: 'a', id: 0, bytes: 2040 },
      { kind: 'a', id: 1, bytes: 4010 },
      { kind: 'r', id: 0, bytes: 100 },
      { kind: 'f', id: 1 },
      { kind: 'a', id: 2, bytes: 48 },
      { kind: 'f', id: 2 },
    ]);
    expect(trace.lines).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('skips blank lines and extra spaces, and accepts CRLF line ends', () => {
    const messy = SHORT.replace('a 2 48', '  a   2\t48 ').replace('f 1\n', 'f 1\n\n').replace(/\n/g, '\r\n') + '\r\n\r\n';
    const trace = parseRep(messy, 'messy.rep');
    expect(trace.ops).toEqual(parseRep(SHORT, 'short.rep').ops);
    expect(trace.lines?.[4]).toBe(10);
  });

  it('writes back what it read', () => {
    expect(writeRep(parseRep(SHORT, 'short.rep'))).toBe(SHORT);
  });

  it('names the file and line of an operation with missing words', () => {
    expect(problem(SHORT.replace('a 2 48', 'a 3'))).toBe('traces/x.rep:9: expected "a <id> <bytes>", got "a 3"');
    expect(problem(SHORT.replace('f 1', 'f'))).toBe('traces/x.rep:8: expected "f <id>", got "f"');
    expect(problem(SHORT.replace('r 0 100', 'r 0 -5'))).toBe('traces/x.rep:7: expected "r <id> <bytes>", got "r 0 -5"');
  });

  it('says a size or id past Number.MAX_SAFE_INTEGER is too large, not that the line is malformed', () => {
    expect(problem(SHORT.replace('a 2 48', 'a 2 9007199254740992'))).toBe(
      'traces/x.rep:9: "a 2 9007199254740992": the size 9007199254740992 is past Number.MAX_SAFE_INTEGER (9007199254740991), the largest whole number a trace can hold exactly',
    );
    expect(problem(SHORT.replace('f 2', 'f 99999999999999999999'))).toMatch(/^traces\/x\.rep:10: "f 99999999999999999999": the id 99999999999999999999 is past Number\.MAX_SAFE_INTEGER/);
    expect(parseRep(SHORT.replace('a 2 48', 'a 2 9007199254740991'), 'x.rep').ops[4], 'the largest safe size still parses').toEqual({ kind: 'a', id: 2, bytes: 9007199254740991 });
    expect(problem(SHORT.replace('20000', '99999999999999999999'))).toBe(
      'traces/x.rep:1: the suggested heap size 99999999999999999999 (header line 1 of 4) is past Number.MAX_SAFE_INTEGER (9007199254740991), the largest whole number a trace can hold exactly',
    );
  });

  it('refuses an unknown operation', () => {
    expect(problem(SHORT.replace('f 2', 'x 2'))).toBe('traces/x.rep:10: expected an operation, "a <id> <bytes>", "f <id>" or "r <id> <bytes>", got "x 2"');
  });

  it('refuses a header that is not four non-negative integers', () => {
    expect(problem(SHORT.replace('\n3\n', '\nthree\n'))).toBe('traces/x.rep:2: expected the number of ids (header line 2 of 4: a non-negative integer), got "three"');
    expect(problem('20000\n3\n')).toMatch(/^traces\/x\.rep: the file ends inside the header: .* this one has 2$/);
    expect(problem(SHORT.replace('\n1\na 0', '\na 0'))).toBe('traces/x.rep:4: expected the weight (header line 4 of 4: a non-negative integer), got "a 0 2040"');
  });

  it('quotes a bad line escaped and cut short, and wonders whether a binary file is a trace', () => {
    const binary = `\u0001\u0002ELF${'\u0000'.repeat(200)}`;
    expect(() => parseRep(binary, 'b.rep')).toThrow(
      /^b\.rep:1: expected the suggested heap size .*, got "\\x01\\x02ELF(\\x00){75}…" \(a line of 205 characters, with bytes no text has: is the file a trace\?\)$/,
    );
    expect(() => parseRep(`1\n2\n1\n1\nallocate 0 ${'9'.repeat(100)}\n`, 'long.rep')).toThrow(/got "allocate 0 9{69}…" \(a line of 111 characters\)$/);
  });

  it('checks the number of operations against the header', () => {
    expect(problem(SHORT.replace('\n6\n', '\n7\n'))).toBe('traces/x.rep:3: the header says 7 operations, but the file has 6');
  });

  it('refuses a trace of no operations, which would report a perfect utilization of nothing', () => {
    expect(problem('0\n0\n0\n1\n')).toMatch(/^traces\/x\.rep:3: the trace has no operations: there is nothing to replay/);
  });

  it('checks ids against the header', () => {
    expect(problem(SHORT.replace('a 2 48', 'a 3 48'))).toBe('traces/x.rep:9: "a 3 48": id 3 is out of range, the header says there are 3 ids (0 to 2)');
  });

  it('refuses a free or realloc of an id that was never allocated, or is already freed', () => {
    expect(problem(SHORT.replace('f 2', 'f 1'))).toBe('traces/x.rep:10: "f 1" frees id 1, which was already freed on line 8');
    expect(problem(SHORT.replace('a 2 48\nf 2', 'f 2\na 2 48'))).toBe('traces/x.rep:9: "f 2" frees id 2, which was never allocated');
    expect(problem(SHORT.replace('f 2', 'r 1 8'))).toBe('traces/x.rep:10: "r 1 8" reallocates id 1, which was already freed on line 8');
  });

  it('refuses an allocation of an id that is still live', () => {
    expect(problem(SHORT.replace('a 2 48', 'a 0 48'))).toBe('traces/x.rep:9: "a 0 48": id 0 is still allocated (by "a 0 2040" on line 5); free it first');
  });

  it('allows an id to be allocated again once freed, and blocks that are never freed', () => {
    const trace = parseRep('0\n1\n3\n1\na 0 8\nf 0\na 0 16\n', 'again.rep');
    expect(() => checkTrace(trace)).not.toThrow();
  });
});

describe('the traces', () => {
  it('every trace shipped in traces/ parses', () => {
    const dir = resolve(ROOT, 'traces');
    const files = readdirSync(dir).filter((f) => f.endsWith('.rep'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(readRep(resolve(dir, file)).ops.length).toBeGreaterThan(0);
  });

  // The CS:APP course traces, when a copy sits beside the repository (they are not ours to ship).
  const course = resolve(ROOT, '../shared/traces');
  it.skipIf(!existsSync(course))('the CS:APP course traces parse', () => {
    const files = readdirSync(course).filter((f) => f.endsWith('.rep'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(() => readRep(resolve(course, file))).not.toThrow();
  });
});
