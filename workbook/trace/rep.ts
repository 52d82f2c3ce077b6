// The CS:APP malloc-lab trace format (`.rep`): four header lines (suggested heap size,
// number of ids, number of operations, weight), then one operation per line:
//
//   a <id> <bytes>   p[id] = malloc(bytes)
//   f <id>           free(p[id])
//   r <id> <bytes>   p[id] = realloc(p[id], bytes)
//
// Blank lines are skipped, as mdriver's fscanf skips them.

import { readFileSync } from 'node:fs';
import { escapeControls } from '../text.ts';

export type TraceOp =
  | { kind: 'a'; id: number; bytes: number }
  | { kind: 'f'; id: number }
  | { kind: 'r'; id: number; bytes: number };

export interface Trace {
  /** Where it came from, for messages: `traces/binary.rep`. */
  name: string;
  /** The heap mdriver's memlib would reserve; informational here. */
  suggestedHeapSize: number;
  /** Ids run from 0 to numIds - 1. */
  numIds: number;
  weight: number;
  ops: TraceOp[];
  /** The file line (1-based) of each operation, when the trace was read from a file. */
  lines?: number[];
}

/** A trace that is not well-formed, with the file and line to look at. */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
  constructor(
    readonly file: string,
    /** 1-based; 0 when the problem is the file as a whole. */
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${line === 0 ? file : `${file}:${line}`}: ${problem}`);
  }
}

const HEADER = ['the suggested heap size', 'the number of ids', 'the number of operations', 'the weight'] as const;

const SHAPES = { a: '"a <id> <bytes>"', f: '"f <id>"', r: '"r <id> <bytes>"' } as const;

/** Parses the text of a `.rep` file; `file` names it in error messages. */
export function parseRep(text: string, file: string): Trace {
  const header: number[] = [];
  const ops: TraceOp[] = [];
  const lines: number[] = [];
  const rows = text.split(/\r?\n/);
  let countLine = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === '') continue;
    const line = i + 1;
    if (header.length < HEADER.length) {
      if (!/^\d+$/.test(row)) {
        throw new TraceFormatError(file, line, `expected ${HEADER[header.length]} (header line ${header.length + 1} of 4: a non-negative integer), got ${quoted(row)}`);
      }
      if (!Number.isSafeInteger(Number(row))) {
        throw new TraceFormatError(file, line, `${HEADER[header.length]} ${row} (header line ${header.length + 1} of 4) is past Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER}), the largest whole number a trace can hold exactly`);
      }
      if (header.length === 2) countLine = line;
      header.push(Number(row));
      continue;
    }
    ops.push(parseOp(row, file, line));
    lines.push(line);
  }
  if (header.length < HEADER.length) {
    throw new TraceFormatError(
      file,
      0,
      `the file ends inside the header: a .rep trace starts with four lines (suggested heap size, number of ids, number of operations, weight), and this one has ${header.length}`,
    );
  }
  const [suggestedHeapSize, numIds, count, weight] = header;
  const trace: Trace = { name: file, suggestedHeapSize, numIds, weight, ops, lines };
  checkTrace(trace);
  if (count !== ops.length) {
    throw new TraceFormatError(file, countLine, `the header says ${count} operations, but the file has ${ops.length}`);
  }
  if (ops.length === 0) {
    throw new TraceFormatError(file, countLine, 'the trace has no operations: there is nothing to replay, and no utilization or speed to measure (its calls go after the four header lines)');
  }
  return trace;
}

/**
 * A line of the file as a message quotes it: control bytes escaped and at most 80 characters,
 * so that a binary file named .rep does not pour itself onto the terminal.
 */
function quoted(row: string): string {
  const long = row.length > 80;
  const escaped = escapeControls(long ? row.slice(0, 80) : row);
  const notes = [
    ...(long ? [`a line of ${row.length.toLocaleString('en-US')} characters`] : []),
    // eslint-disable-next-line no-control-regex
    ...(/[\u0000-\u0008\u000e-\u001f]/.test(row) ? ['with bytes no text has: is the file a trace?'] : []),
  ];
  return `"${escaped}${long ? '…' : ''}"${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
}

function parseOp(row: string, file: string, line: number): TraceOp {
  const words = row.split(/\s+/);
  const kind = words[0];
  if (kind !== 'a' && kind !== 'f' && kind !== 'r') {
    throw new TraceFormatError(file, line, `expected an operation, ${SHAPES.a}, ${SHAPES.f} or ${SHAPES.r}, got ${quoted(row)}`);
  }
  const arity = kind === 'f' ? 2 : 3;
  if (words.length !== arity || !words.slice(1).every((w) => /^\d+$/.test(w))) {
    throw new TraceFormatError(file, line, `expected ${SHAPES[kind]}, got ${quoted(row)}`);
  }
  // Digits past 2^53 - 1 would be read as another number: say which word, not that the line is malformed.
  const huge = words.slice(1).findIndex((w) => !Number.isSafeInteger(Number(w)));
  if (huge !== -1) {
    const what = huge === 0 ? 'id' : 'size';
    throw new TraceFormatError(file, line, `${quoted(row)}: the ${what} ${words[huge + 1]} is past Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER}), the largest whole number a trace can hold exactly`);
  }
  const id = Number(words[1]);
  return kind === 'f' ? { kind, id } : { kind, id, bytes: Number(words[2]) };
}

/**
 * Checks that a trace makes sense as a program: ids within the header's count, no
 * allocation of an id that is still live, no free or realloc of an id that is not.
 * Throws a TraceFormatError naming the line of the first problem.
 */
export function checkTrace(trace: Trace): void {
  const { name, numIds, ops } = trace;
  const lineOf = (i: number) => trace.lines?.[i] ?? i + 1;
  /** For each id: the index of the op that allocated it while live, or of the op that freed it. */
  const live = new Map<number, number>();
  const freed = new Map<number, number>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const text = formatOp(op);
    if (op.id >= numIds) {
      const range = numIds === 0 ? 'no ids' : `${numIds} id${numIds === 1 ? '' : 's'} (0 to ${numIds - 1})`;
      throw new TraceFormatError(name, lineOf(i), `"${text}": id ${op.id} is out of range, the header says there are ${range}`);
    }
    const allocatedAt = live.get(op.id);
    if (op.kind === 'a') {
      if (allocatedAt !== undefined) {
        throw new TraceFormatError(name, lineOf(i), `"${text}": id ${op.id} is still allocated (by "${formatOp(ops[allocatedAt])}" on line ${lineOf(allocatedAt)}); free it first`);
      }
      live.set(op.id, i);
      freed.delete(op.id);
      continue;
    }
    if (allocatedAt === undefined) {
      const freedAt = freed.get(op.id);
      const what = op.kind === 'f' ? 'frees' : 'reallocates';
      const why = freedAt === undefined ? 'which was never allocated' : `which was already freed on line ${lineOf(freedAt)}`;
      throw new TraceFormatError(name, lineOf(i), `"${text}" ${what} id ${op.id}, ${why}`);
    }
    if (op.kind === 'f') {
      live.delete(op.id);
      freed.set(op.id, i);
    }
  }
}

/** `a 3 16`, `f 3`, `r 3 32`: an operation as a .rep line. */
export function formatOp(op: TraceOp): string {
  return op.kind === 'f' ? `f ${op.id}` : `${op.kind} ${op.id} ${op.bytes}`;
}

/** The text of a .rep file for `trace`. */
export function writeRep(trace: Pick<Trace, 'suggestedHeapSize' | 'numIds' | 'weight' | 'ops'>): string {
  const header = [trace.suggestedHeapSize, trace.numIds, trace.ops.length, trace.weight];
  return [...header.map(String), ...trace.ops.map(formatOp)].join('\n') + '\n';
}

/** Reads and parses a .rep file; `name` is how messages refer to it (default: the path). */
export function readRep(path: string, name: string = path): Trace {
  return parseRep(readFileSync(path, 'utf8'), name);
}
