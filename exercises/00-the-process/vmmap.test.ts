// Chapter 0, warm-up 2: parse /proc/self/maps and summarize it.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, PROT_READ, Process, hex } from '../../machine/index.ts';
import { loadExercise } from '../../workbook/target.ts';

const { parseMaps, summarizeMaps } = await loadExercise<typeof import('./vmmap.ts')>('00-the-process/vmmap.ts');

/** An address as /proc/self/maps and the chapters write it; anything but a number says what it is, so it can never pass for one. */
const addr = (v: unknown) => (typeof v === 'number' ? hex(v) : `not a number: ${typeof v} ${JSON.stringify(v)}`);

/** An entry with its addresses as hex strings, so a failure shows them in hex, not in decimal. */
function withHex<T extends { start?: unknown; end?: unknown }>(entry: T | undefined) {
  return entry === undefined ? entry : { ...entry, start: addr(entry.start), end: addr(entry.end) };
}

/** An entry for a message: JSON with its addresses in hex. */
const shown = (entry: object | undefined) => JSON.stringify(withHex(entry as { start?: unknown; end?: unknown } | undefined));

const HEAP_LINE = '01000000-01003000 rw-p 00000000 00:00 0                    [heap]';

describe('parseMaps', () => {
  it('reads the address range of a line as numbers', () => {
    const [entry] = parseMaps(HEAP_LINE);
    expect(addr(entry?.start), `the range 01000000-01003000 is hexadecimal: it starts at 0x01000000; got ${shown(entry)}`).toBe(hex(0x0100_0000));
    expect(addr(entry?.end), `the range 01000000-01003000 ends at 0x01003000; got ${shown(entry)}`).toBe(hex(0x0100_3000));
  });

  it('reads the permissions and the name', () => {
    const [entry] = parseMaps(HEAP_LINE);
    expect(entry, `the second field is the permissions, the sixth and last the name: ${HEAP_LINE}`).toMatchObject({ perms: 'rw-p', name: '[heap]' });
  });

  it('gives anonymous memory (no last column) the name ""', () => {
    const [entry] = parseMaps('7effd000-7f000000 rw-p 00000000 00:00 0');
    expect(withHex(entry), `a line with five fields has no name: the name is ""; got ${shown(entry)}`).toMatchObject({ start: hex(0x7effd000), end: hex(0x7f000000), name: '' });
  });

  it('reads real Linux lines: 48-bit addresses and paths with spaces', () => {
    const [entry] = parseMaps('7ffd0d2e1000-7ffd0d302000 r--p 00001000 08:01 42          /opt/my app/lib.so\n');
    expect(withHex(entry), 'the addresses need more than 32 bits (parseInt, not | 0), and the name is every field from the sixth on, joined by spaces').toEqual({ start: hex(0x7ffd0d2e1000), end: hex(0x7ffd0d302000), perms: 'r--p', name: '/opt/my app/lib.so' });
  });

  it('reads every line of a simulated process, skipping empty ones', () => {
    const proc = new Process();
    proc.sbrk(3 * PAGE_SIZE);
    proc.mmap(5 * PAGE_SIZE, PROT_READ);
    const expected = proc.mappingList().map(({ start, end, name }) => ({ start: hex(start), end: hex(end), name }));
    const parsed = parseMaps(`${proc.maps()}\n\n`).map(({ start, end, name }) => ({ start: addr(start), end: addr(end), name }));
    expect(parsed, 'one entry for each line of proc.maps(), in order; the blank lines at the end are no mappings').toEqual(expected);
  });
});

describe('summarizeMaps', () => {
  const proc = new Process();
  proc.sbrk(10 * PAGE_SIZE);
  proc.mmap(PAGE_SIZE);
  proc.mmap(2 * PAGE_SIZE);
  const text = proc.maps();

  it('adds up the mappings that share a name', () => {
    const program = summarizeMaps(text).find((row) => row.name === '/workbook/program');
    expect(program, 'the program has a text and a data mapping: one row, two mappings').toEqual({ name: '/workbook/program', mappings: 2, bytes: PAGE_SIZE + 16 * PAGE_SIZE });
  });

  it('reports nameless mappings as [anonymous]', () => {
    const anonymous = summarizeMaps(text).find((row) => row.name === '[anonymous]');
    expect(anonymous, 'the two nameless mmap mappings make one row, [anonymous], of 3 pages').toEqual({ name: '[anonymous]', mappings: 2, bytes: 3 * PAGE_SIZE });
  });

  it('lists the largest first', () => {
    const names = summarizeMaps(text).map((row) => row.name);
    expect(names, 'rows by bytes, the largest first').toEqual(['[stack]', '/workbook/program', '[heap]', '[anonymous]']);
  });

  it('breaks ties by name', () => {
    const tied = ['00400000-00402000 r--p 00000000 00:00 0 b', '00500000-00502000 r--p 00000000 00:00 0 a', '00600000-00601000 r--p 00000000 00:00 0 c'].join('\n');
    expect(summarizeMaps(tied).map((row) => row.name), 'a and b both have 8 KiB: a comes first').toEqual(['a', 'b', 'c']);
  });
});
