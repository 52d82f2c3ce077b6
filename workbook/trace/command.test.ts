// `npm run trace` as a student runs it: real processes, real output.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';

function trace(args: string[]) {
  const result = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'workbook/cli.ts', 'trace', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', INIT_CWD: ROOT },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'trace-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface JsonReport {
  allocator: string;
  passed: boolean;
  traces: Array<{ trace: string; status: string; utilization: number; opsPerSecond: number | null; memoryOpsPerCall: number | null }>;
  average: { utilization: number };
}

describe('npm run trace', () => {
  it('--json prints one document: every trace, its measurements, and the average', () => {
    const { code, stdout, stderr } = trace(['bump', 'traces/short.rep', 'traces/binary.rep', '--target', 'solutions', '--json']);
    expect(stderr).toContain('[2/2] traces/binary.rep');
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.allocator).toBe('bump');
    expect(report.passed).toBe(true);
    expect(report.traces.map((t) => [t.trace, t.status])).toEqual([
      ['traces/short.rep', 'pass'],
      ['traces/binary.rep', 'pass'],
    ]);
    expect(report.traces.every((t) => t.utilization > 0 && t.utilization <= 1 && (t.opsPerSecond ?? 0) > 0 && t.memoryOpsPerCall === 0)).toBe(true);
    expect(report.average.utilization).toBeCloseTo((report.traces[0].utilization + report.traces[1].utilization) / 2, 10);
    expect(code).toBe(0);
  });

  it('compares allocators a row each, as narrow for three as for two, with no ratio to bump\'s nothing', () => {
    const { code, stdout } = trace(['bump,coalescing,realloc', 'traces/short.rep', '--target', 'solutions']);
    expect(stdout).toContain('Allocators bump, coalescing, realloc (solutions) on 1 trace, in one run');
    const lines = stdout.split('\n');
    expect(lines.find((l) => l.includes('allocator'))).toMatch(/^ +trace +allocator +util +mem ops\/call +ops\/s +cheaper than bump +faster than bump$/);
    const rows = lines.filter((l) => / (bump|coalescing|realloc) /.test(l) && !l.startsWith('Allocators') && !l.includes('allocator'));
    expect(rows.map((l) => l.trim().split(/\s+/).filter((w) => w !== 'short.rep' && w !== 'average')[0])).toEqual(['bump', 'coalescing', 'realloc', 'bump', 'coalescing', 'realloc']);
    // bump makes no memory operation on this trace: "cheaper than bump" has nothing to divide.
    expect(rows.every((l) => / — +\S+$/.test(l))).toBe(true);
    const table = lines.filter((l) => l.startsWith('  ') || l.startsWith('-'));
    expect(Math.max(...table.map((l) => l.length)), 'a row per allocator: no wider than for two').toBeLessThan(100);
    expect(code).toBe(0);
  });

  it('replays the traces of a folder that one malformed file would have stopped, names that file, and exits 1', () => {
    const folder = join(scratch, 'course');
    cpSync(resolve(ROOT, 'traces/short.rep'), join(folder, 'short.rep'));
    writeFileSync(join(folder, 'bad.rep'), '1\n2\nx\n');
    const { code, stdout, stderr } = trace(['bump', folder, '--target', 'solutions']);
    expect(stderr).toMatch(/✗ not a trace, left out: \S*course\/bad\.rep:3: expected the number of operations/);
    expect(stderr).toContain('1 file left out, not a trace');
    expect(stdout).toMatch(/✓ .*short\.rep/);
    expect(code).toBe(1);
    // Named itself, the same file stops the command: it is all that was asked for.
    const alone = trace(['bump', join(folder, 'bad.rep'), '--target', 'solutions']);
    expect(alone.code).not.toBe(0);
    expect(alone.stdout).toBe('');
  });

  it('--json lists the files of a folder it left out, with why, and does not say it passed', () => {
    const folder = join(scratch, 'course-json');
    cpSync(resolve(ROOT, 'traces/short.rep'), join(folder, 'short.rep'));
    writeFileSync(join(folder, 'bad.rep'), '1\n2\nx\n');
    const { code, stdout, stderr } = trace(['bump', folder, '--target', 'solutions', '--json']);
    const report = JSON.parse(stdout) as JsonReport & { leftOut: Array<{ file: string; line: number | null; reason: string }> };
    expect(report.passed).toBe(false);
    expect(report.leftOut).toEqual([{ file: join(folder, 'bad.rep'), line: 3, reason: 'expected the number of operations (header line 3 of 4: a non-negative integer), got "x"' }]);
    expect(report.traces.map((t) => t.status)).toEqual(['pass']);
    expect(stderr).toContain('1 file left out, not a trace (the reasons are above, and under "leftOut" in the JSON).');
    expect(stderr).not.toContain('above the table');
    expect(code).toBe(1);
  });

  it('code that does not compile: the file as the student knows it, its line framed, what to do, and exit 1', () => {
    const submission = join(scratch, 'syntax');
    cpSync(resolve(ROOT, 'solutions/01-bump'), join(submission, '01-bump'), { recursive: true });
    const bump = join(submission, '01-bump/bump.ts');
    const source = `${readFileSync(bump, 'utf8')}const broken = ;\n`;
    writeFileSync(bump, source);
    const line = source.split('\n').length - 1;
    const { code, stdout, stderr } = trace(['bump', 'traces/short.rep', '--target', submission]);
    expect(stderr).toContain(`${bump} does not compile, so bump cannot run:`);
    expect(stderr).toContain(`${line} │ const broken = ;`);
    expect(stderr).toContain(`Next: fix it in ${bump}, then run this command again (npm run check -- bump shows it too, with the tests).`);
    expect(stderr).not.toContain('Transform failed');
    expect(stderr, 'not the staged copy').not.toContain('.target-');
    expect(stdout).toBe('');
    expect(code, 'a failure of the code, not of the command line').toBe(1);
  });

  it('--svg draws each trace: the payload, and a footprint line per allocator', () => {
    const file = join(scratch, 'heap.svg');
    const { code, stderr } = trace(['bump,coalescing', 'traces/short.rep', 'traces/binary-small.rep', '--target', 'solutions', '--svg', file]);
    expect(stderr).toContain(`wrote ${file}: live payload and footprint along each of the 2 traces`);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg.match(/aria-label="Live payload and footprint along traces\/(short|binary-small)\.rep\./g)).toHaveLength(2);
    expect(svg.match(/>(bump|coalescing) footprint<\/text>/g)).toHaveLength(4);
    expect(code).toBe(0);
  });

  it('--svg into a folder that does not exist, or onto a folder, is refused before any replay, not after it', () => {
    const missing = join(scratch, 'no-such-folder', 'heap.svg');
    const refused = trace(['bump', 'traces/short.rep', '--target', 'solutions', '--svg', missing]);
    expect(refused.stderr).toContain(`--svg ${missing}: there is no folder ${join(scratch, 'no-such-folder')} to write it in`);
    expect(refused.stderr).not.toContain('replaying');
    expect(refused.code).toBe(2);
    const folder = trace(['bump,coalescing', 'traces/short.rep', '--target', 'solutions', '--svg', scratch]);
    expect(folder.stderr).toContain(`--svg ${scratch} is a folder: name a file in it, such as ${join(scratch, 'heap.svg')}`);
    expect(folder.code).toBe(2);
  });

  it('prints a table with an average row', () => {
    const { code, stdout } = trace(['bump-batched', 'traces/short.rep', '--target', 'solutions']);
    expect(stdout).toMatch(/trace +ops +checks +util +ops\/s +mem ops\/call +virtual KiB +resident KiB/);
    expect(stdout).toMatch(/✓ traces\/short\.rep +12 +\d+ +\d+\.\d% /);
    expect(stdout).toMatch(/average +12 /);
    expect(code).toBe(0);
  });

  it('a failing allocator: the operation, the bytes, and the trace shrunk to a few operations', () => {
    const submission = join(scratch, 'submission');
    cpSync(resolve(ROOT, 'solutions'), join(submission, 'exercises'), { recursive: true });
    const bump = join(submission, 'exercises/01-bump/bump.ts');
    writeFileSync(
      bump,
      readFileSync(bump, 'utf8')
        .replace('alignUp(Math.max(size, 1), ALIGNMENT)', 'Math.max(size, 1)')
        .replace('(ALIGNMENT - (block % ALIGNMENT)) % ALIGNMENT', '0'),
    );
    const { code, stdout } = trace(['bump', 'traces/random.rep', '--target', submission]);
    expect(stdout).toMatch(/✗ traces\/random\.rep: at operation 1 \(line 6\): a 1 \d+/);
    expect(stdout).toMatch(/returned 0x0100\w{4}, which is \d+ bytes past a multiple of 16/);
    expect(stdout).toMatch(/0x01000\w\w0: [0-9a-f]{2} /); // the hex dump
    expect(stdout).toMatch(/Shrunk to 2 operations \(from 4000, /);
    expect(stdout).toMatch(/\n {4}a 0 \d+\n {4}a 1 \d+\n/);
    expect(code).toBe(1);
  });

  it("an allocator that throws: the line of the student's file it threw from, in the target as given", () => {
    const submission = join(scratch, 'throws');
    cpSync(resolve(ROOT, 'solutions'), join(submission, 'exercises'), { recursive: true });
    const bump = join(submission, 'exercises/01-bump/bump.ts');
    const source = readFileSync(bump, 'utf8').replace('let block = proc.sbrk(request);', 'let block = proc.sbrk(request) + proc.load64(0x10);');
    writeFileSync(bump, source);
    const line = source.split('\n').findIndex((l) => l.includes('proc.load64(0x10)')) + 1;
    const { code, stdout } = trace(['bump', 'traces/short.rep', '--target', submission]);
    expect(stdout).toMatch(/malloc\(\d+\) threw SegmentationFault: Segmentation fault: read of 8 bytes at 0x00000010/);
    expect(stdout).toContain(`\n    at ${join(submission, 'exercises')}/01-bump/bump.ts:${line}\n`);
    expect(stdout, 'not the copy of the submission that ran').not.toContain('.target-');
    expect(code).toBe(1);
    const json = trace(['bump', 'traces/short.rep', '--target', submission, '--json']);
    expect(json.stdout).toContain(`at ${join(submission, 'exercises')}/01-bump/bump.ts:${line}`);
    expect(json.stdout, 'nor in --json').not.toContain('.target-');
  });

  it('a malformed trace is reported with its file and line, before anything runs', () => {
    const bad = join(scratch, 'bad.rep');
    writeFileSync(bad, '100\n2\n2\n1\na 0 16\nf 1\n');
    const { code, stderr } = trace(['bump', bad, '--target', 'solutions']);
    expect(stderr).toContain(`bad.rep:6: "f 1" frees id 1, which was never allocated`);
    expect(code).toBe(2);
  });

  it('refuses options it does not use, and --svg over a file that is not its chart', () => {
    const traces = trace(['zones', '--traces', 'traces/short.rep']);
    expect(traces.stderr).toContain('trace does not use --traces (for bench allocators)');
    expect(traces.code).toBe(2);
    const code = join(scratch, 'mine.ts');
    writeFileSync(code, 'export {};\n');
    const refused = trace(['bump', 'traces/short.rep', '--target', 'solutions', '--svg', code]);
    expect(refused.stderr).toContain(`--svg ${code} exists, and is not a chart trace or bench drew. Nothing was replayed. Pass --force to overwrite it, or name another file.`);
    expect(readFileSync(code, 'utf8')).toBe('export {};\n');
    expect(refused.code).toBe(2);
    const chart = join(scratch, 'again.svg');
    expect(trace(['bump', 'traces/short.rep', '--target', 'solutions', `--svg=${chart}`]).code).toBe(0);
    expect(trace(['bump', 'traces/short.rep', '--target', 'solutions', '--svg', chart]).code, 'its own chart is drawn again').toBe(0);
  });

  it('--threads 4 spreads the calls over 4 logical threads, as chapter 6 measures the magazines', () => {
    const one = trace(['magazines', 'traces/short.rep', 'traces/tiny.rep', '--target', 'solutions', '--json']);
    const four = trace(['magazines', 'traces/short.rep', 'traces/tiny.rep', '--target', 'solutions', '--threads', '4', '--json']);
    const [a, b] = [JSON.parse(one.stdout) as JsonReport & { threads?: number }, JSON.parse(four.stdout) as JsonReport & { threads?: number }];
    expect([a.passed, b.passed, a.threads, b.threads]).toEqual([true, true, undefined, 4]);
    // Chapter 6's columns (chapters/examples/06-traces.ts): utilization on one thread and on four, memory operations per call on four.
    expect(a.traces.map((t) => t.utilization.toFixed(3))).toEqual(['0.100', '0.607']);
    expect(b.traces.map((t) => t.utilization.toFixed(3))).toEqual(['0.040', '0.414']);
    expect(b.traces.map((t) => (t.memoryOpsPerCall as number).toFixed(1))).toEqual(['43.3', '42.4']);
    expect(b.traces[0].memoryOpsPerCall, 'calls handed between threads cost other loads and stores').not.toBe(a.traces[0].memoryOpsPerCall);
    const table = trace(['magazines,zones', 'traces/short.rep', '--target', 'solutions', '--threads=4']);
    expect(table.stdout).toContain('Allocators magazines, zones (solutions) on 1 trace, on 4 logical threads, in one run');
    expect(table.code).toBe(0);
  });

  it('--threads: a failure that only happens on several threads is shrunk on as many, each call on its thread, and its replay keeps --threads', () => {
    const submission = join(scratch, 'threads');
    cpSync(resolve(ROOT, 'solutions'), join(submission, 'exercises'), { recursive: true });
    const magazines = join(submission, 'exercises/06-magazines/magazines.ts');
    const source = readFileSync(magazines, 'utf8');
    const malloc = 'function malloc(size: number): number {';
    expect(source).toContain(malloc);
    // Thread 2's malloc of 777 or 778 bytes returns a misaligned block.
    writeFileSync(magazines, source.replace(malloc, `${malloc}\n    if (proc.currentThread === 2 && (size === 777 || size === 778)) return size === 777 ? 8 : 40;`));
    const ops = (bytes: number) => `100000\n4\n8\n1\na 0 16\na 1 16\na 2 ${bytes}\na 3 32\nf 0\nf 1\nf 2\nf 3\n`;
    writeFileSync(join(scratch, 'a.rep'), ops(777));
    writeFileSync(join(scratch, 'b.rep'), ops(778));
    const traces = [join(scratch, 'a.rep'), join(scratch, 'b.rep')];
    expect(trace(['magazines', ...traces, '--target', submission]).code, 'on one thread it passes').toBe(0);
    const { code, stdout } = trace(['magazines', ...traces, '--target', submission, '--threads', '4']);
    expect(stdout).toContain(`Allocator magazines (${submission}) on 2 traces, on 4 logical threads`);
    expect(stdout).toMatch(/✗ \S*a\.rep: at operation 2 \(line 7\): a 2 777\n {2}malloc\(777\) returned 0x00000008/);
    // One operation, its id still one of thread 2's: replayed with --threads 4, it fails the same way.
    expect(stdout).toMatch(/Shrunk to 1 operation \(from 8, in \d+ replays, [\d.]+ s\):\n\n {4}100000\n {4}3\n {4}1\n {4}1\n {4}a 2 777\n/);
    expect(stdout).toContain(`Save the trace above as a .rep file and replay it: npm run trace -- magazines failure.rep --target ${submission} --threads 4`);
    expect(stdout).toContain(`(In full, and shrunk: npm run trace -- magazines ${traces[1]} --target ${submission} --threads 4)`);
    expect(code).toBe(1);
  });

  it('--threads takes a whole number from 1 to 64, refused otherwise before any replay', () => {
    for (const value of ['0', 'x', '65', '2.5']) {
      const { code, stderr } = trace(['magazines', 'traces/short.rep', '--target', 'solutions', '--threads', value]);
      expect(stderr).toContain(`--threads takes how many logical threads to spread each trace's calls over: a whole number from 1 to 64, written in decimal digits, such as --threads 4; not '${value}'.`);
      expect(stderr).not.toContain('replaying');
      expect(code).toBe(2);
    }
    const generate = trace(['--generate', '--threads', '4']);
    expect(generate.stderr).toContain('trace --generate does not use --threads');
    expect(generate.code).toBe(2);
  });

  it('asks for an allocator, and names the known ones', () => {
    const { code, stderr } = trace([]);
    expect(stderr).toMatch(/Which allocator\? For example: npm run trace -- bump\. Known: bump, bump-batched/);
    expect(code).toBe(2);
  });
});
