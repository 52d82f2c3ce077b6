import { describe, expect, it } from 'vitest';
import { formatOp, parseRep, writeRep } from '../trace/rep.ts';
import { convertLog } from './convert.ts';

/** The trace's operations as .rep lines. */
const opsOf = (log: string, options = {}) => convertLog(log, options).ops.map(formatOp);

describe('convertLog: a recorder log becomes a .rep trace', () => {
  it('maps addresses to ids: malloc is a, free is f', () => {
    const log = ['7 x', '7 a 24 1000', '7 a 100 2000', '7 f 1000', '7 f 2000', ''].join('\n');
    expect(opsOf(log)).toEqual(['a 0 24', 'a 1 100', 'f 0', 'f 1']);
  });

  it('reuses an id once its block is freed, so the ids stay about as many as the live blocks', () => {
    const log = ['7 a 8 1000', '7 f 1000', '7 a 16 1000', '7 a 32 2000'].join('\n');
    const conversion = convertLog(log);
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 8', 'f 0', 'a 0 16', 'a 1 32']);
    expect(conversion.numIds).toBe(2);
  });

  it('records calloc(n, size) as malloc of n * size bytes', () => {
    const conversion = convertLog('7 c 400 1000\n7 f 1000\n');
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 400', 'f 0']);
    expect(conversion.counts).toMatchObject({ malloc: 0, calloc: 1, free: 1 });
  });

  it('follows a block through realloc, whether it moves or stays', () => {
    const log = ['7 a 10 1000', '7 r 1000 20 1000', '7 r 1000 5000 3000', '7 f 3000'].join('\n');
    expect(opsOf(log)).toEqual(['a 0 10', 'r 0 20', 'r 0 5000', 'f 0']);
  });

  it('takes realloc(NULL, n) as malloc, and realloc(p, 0) that returned NULL as free', () => {
    const log = ['7 r 0 64 1000', '7 r 1000 0 0', '7 a 8 1000'].join('\n');
    const conversion = convertLog(log);
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 64', 'f 0', 'a 0 8']);
    expect(conversion.counts).toMatchObject({ malloc: 2, realloc: 0, free: 1 });
  });

  it('skips and counts a free of a block allocated before the library was loaded; a realloc of one becomes malloc', () => {
    const log = ['7 f abc0', '7 r 0 0 0', '7 r def0 48 1000', '7 r beef0 0 0', '7 f 1000'].join('\n');
    const conversion = convertLog(log);
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 48', 'f 0']);
    expect(conversion.counts).toMatchObject({ unknownFrees: 2, unknownReallocs: 1, free: 1 });
  });

  it('frees a block whose free was missed when its address is handed out again', () => {
    const conversion = convertLog('7 a 8 1000\n7 a 16 1000\n');
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 8', 'f 0', 'a 0 16']);
    expect(conversion.counts.missedFrees).toBe(1);
  });

  it('keeps only the command’s process: the calls of its children are counted and left out', () => {
    const log = ['7 x', '7 a 8 1000', '9 x', '9 a 8 1000', '9 f 1000', '7 f 1000'].join('\n');
    const conversion = convertLog(log, { pid: 7 });
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 8', 'f 0']);
    expect(conversion.counts).toMatchObject({ otherProcessCalls: 2, otherProcesses: 1 });
  });

  it('keeps the last program image of the process: a wrapper that execs the program is left out', () => {
    const log = ['7 x', '7 a 8 1000', '7 a 9 2000', '7 x', '7 a 32 1000', '7 f 1000'].join('\n');
    const conversion = convertLog(log, { pid: 7 });
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 32', 'f 0']);
    expect(conversion.counts).toMatchObject({ earlierImages: 1, earlierImageCalls: 2 });
  });

  it('cuts the trace at maxOps and counts the calls left out', () => {
    const log = ['7 a 8 1000', '7 a 8 2000', '7 f 1000', '7 f 2000'].join('\n');
    const conversion = convertLog(log, { maxOps: 3 });
    expect(conversion.ops).toHaveLength(3);
    expect(conversion.counts).toMatchObject({ cutCalls: 1, liveAtEnd: 1 });
  });

  it('counts a torn or foreign line instead of failing', () => {
    const conversion = convertLog('7 a 8 1000\n7 a 8\nhello\n7 f 1000');
    expect(conversion.ops.map(formatOp)).toEqual(['a 0 8', 'f 0']);
    expect(conversion.counts.unreadableLines).toBe(2);
  });

  it('gives the header: the peak live payload as the suggested heap size, the number of ids, weight 1', () => {
    const log = ['7 a 100 1000', '7 a 50 2000', '7 f 1000', '7 r 2000 400 3000', '7 f 3000'].join('\n');
    const conversion = convertLog(log);
    expect(conversion).toMatchObject({ suggestedHeapSize: 400, numIds: 2, weight: 1 });
    expect(conversion.counts).toMatchObject({ peakLivePayload: 400, peakLiveBlocks: 2, liveAtEnd: 0 });
    // …and a trace the driver's parser accepts, blocks still live at the end included.
    const text = writeRep(convertLog('7 a 8 1000\n7 a 8 2000\n7 f 1000\n'));
    expect(text).toBe('16\n2\n3\n1\na 0 8\na 1 8\nf 0\n');
    expect(parseRep(text, 'recorded.rep').ops).toHaveLength(3);
  });
});
