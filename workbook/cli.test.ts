// The CLI as a student and an instructor use it: real processes, real output.

import { stripVTControlCharacters } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ALLOCATORS } from './allocators.ts';
import { EXERCISES } from './exercises.ts';
import { ROOT } from './paths.ts';
import { isUntouchedSkeleton } from './skeletons.ts';

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'workbook/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('workbook/cli.ts', () => {
  it('check --target solutions --json prints one JSON document in which every test passes', () => {
    const { code, stdout } = cli(['check', '--target', 'solutions', '--json']);
    const report = JSON.parse(stdout) as { passed: number; failed: number; exercises: Array<{ id: string; status: string; tests: unknown[] }> };
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThan(40);
    expect(report.exercises.map((e) => e.id)).toEqual(EXERCISES.map((e) => e.id));
    expect(report.exercises.every((e) => e.status === 'pass' && e.tests.length > 0)).toBe(true);
    expect(code).toBe(0);
  }, 120_000);

  it('bench threads says whose magazines it measured: the reference by default, and by --target however its folder is written', () => {
    const reference = cli(['bench', 'threads', '--ops', '300', '--repeat', '1']);
    expect(reference.stdout).toContain("with the book's reference magazines, solutions/06-magazines (yours: --target exercises)");
    expect(reference.stdout).toMatch(/every run sound \(no block lost or damaged\) in 2 runs: 2 sound/);
    expect(reference.code).toBe(0);
    const named = cli(['bench', 'threads', '--ops', '300', '--repeat', '1', '--target', './solutions/']);
    expect(named.stdout).toContain("with the book's reference magazines, solutions/06-magazines (yours: --target exercises)");
  }, 120_000);

  it("trace's footer says util's footprint counts the mmap'd pages written at least once", () => {
    const { code, stdout } = cli(['trace', 'bump', 'traces/short.rep', '--target', 'solutions']);
    expect(stdout).toContain("util: peak live payload / peak footprint (heap + mmap'd pages written at least once)");
    expect(code).toBe(0);
  }, 120_000);

  it('trace --help lists the allocators of the registry and says what --option does', () => {
    const { stdout } = cli(['trace', '--help']);
    for (const allocator of ALLOCATORS) expect(stdout, allocator.id).toMatch(new RegExp(`^ +${allocator.id} +\\(${allocator.chapter}\\) `, 'm'));
    expect(stdout).toMatch(/--option name=value +an option for the allocator's createAllocator\(proc, options\)/);
  }, 120_000);

  it('trace names a missing trace as it was typed, an absolute path whole', () => {
    const missing = join(tmpdir(), 'no-such-trace.rep');
    const { code, stderr } = cli(['trace', 'bump', missing]);
    expect(stderr).toContain(`There is no trace file or folder ${missing}.`);
    expect(code).toBe(2);
  }, 120_000);

  it('zone-stats says whose zone it ran and gives its sizes in bytes', () => {
    const { code, stdout, stderr } = cli(['zone-stats', '497']);
    expect(stderr).toContain("With the book's reference zone, solutions/05-zones (yours: --target exercises), one malloc in a fresh process each. Sizes in bytes.");
    expect(stdout).toMatch(/^malloc\(497\): a tiny block\nRegion +Blocks in use +Size in use/);
    expect(code).toBe(0);
    expect(cli(['zone-stats', '497', '--target', './solutions']).stderr, 'the reference, however its folder is written').toContain("With the book's reference zone, solutions/05-zones");
  }, 120_000);

  it('zone-stats: a size too large, a size after --, a folder target, and code that does not compile', () => {
    const large = cli(['zone-stats', '9007199254740992']);
    expect(large.stderr).toContain("zone-stats: '9007199254740992' is too large: a size goes up to 9007199254740991 (Number.MAX_SAFE_INTEGER).");
    expect(large.code).toBe(2);
    const dashed = cli(['zone-stats', '--', '-1']);
    expect(dashed.stderr).toContain("zone-stats: '-1' is not a size in bytes");
    const unused = cli(['zone-stats', '100', '--svg', 'x.svg']);
    expect(unused.stderr).toContain('zone-stats does not use --svg (for trace and bench allocators): it takes --target, --option and --json.');
    expect(unused.code).toBe(2);
    const submission = mkdtempSync(join(tmpdir(), 'submission-'));
    try {
      cpSync(resolve(ROOT, 'solutions'), submission, { recursive: true });
      expect(cli(['zone-stats', '497', '--target', submission]).stdout, 'a folder runs from a copy where its imports resolve').toMatch(/^malloc\(497\): a tiny block/);
      const zone = join(submission, '05-zones/zone.ts');
      const source = readFileSync(zone, 'utf8');
      writeFileSync(zone, source.replace('function malloc(size: number): number {', 'function malloc(size: number): number {\n    if (size === 100) throw new TypeError("a mistake");'));
      const threw = cli(['zone-stats', '100', '--target', submission]);
      expect(threw.stderr, 'the zone\'s own line it threw at, as trace names it').toMatch(/^malloc\(100\) threw TypeError: a mistake\n {2}at .*05-zones\/zone\.ts:\d+$/m);
      writeFileSync(zone, `${source}\n}}\n`);
      const broken = cli(['zone-stats', '497', '--target', submission]);
      expect(broken.stderr).toContain(`${zone} does not compile, so zones cannot run:`);
      expect(broken.stderr).toMatch(/\d+ │ }}/);
      expect(broken.code).toBe(1);
      // With --json, the same explanation as one JSON document on stdout, for a script to read.
      const json = cli(['trace', 'zones', '--target', submission, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'compile', error: expect.stringContaining(`${zone} does not compile, so zones cannot run:`) });
      expect(json.code).toBe(1);
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  }, 120_000);

  it('every command refuses an option it does not use, as bench does; status --help lists --json', () => {
    for (const [args, message] of [
      [['hint', 'bump', '--json'], 'hint does not use --json: it takes no options.'],
      [['check', 'bump', '--option', 'fit=best'], 'check does not use --option (for trace and zone-stats): it takes --target, --watch and --json.'],
      [['status', '--svg', 'x.svg'], 'status does not use --svg (for trace and bench allocators): it takes --target and --json.'],
      [['bench', 'machine', 'extra'], "bench machine takes no word after it, only options: what is 'extra'?"],
    ] as const) {
      const { code, stderr } = cli([...args]);
      expect(stderr, args.join(' ')).toContain(message);
      expect(code, args.join(' ')).toBe(2);
    }
    expect(cli(['status', '--help']).stdout).toMatch(/^ +--json +print one JSON document instead/m);
  }, 120_000);

  it('bench says whose allocators it measures, and honours --target', () => {
    const mine = cli(['bench', '--traces', 'traces/short.rep', '--target', 'exercises']);
    expect(mine.stdout.split('\n')[0]).toMatch(/^Your 8 allocators, exercises\/, beside @thi\.ng\/malloc/);
    expect(mine.stdout, "a student's figures are not held to the reference's targets").not.toContain("The book's targets");
  }, 120_000);

  it('bench refuses, before measuring, an option its mode does not use and an --svg it could not write', () => {
    const machine = cli(['bench', 'machine', '--workers', '2']);
    expect(machine.stderr).toContain('bench machine does not use --workers (for bench threads): it takes only --json.');
    expect(machine.code).toBe(2);
    const svg = cli(['bench', '--svg', '/tmp/no-such-folder-for-bench/b.svg']);
    expect(svg.stderr).toContain('--svg /tmp/no-such-folder-for-bench/b.svg: there is no folder /tmp/no-such-folder-for-bench to write it in.');
    expect(svg.stderr).not.toContain('Measured in');
    expect(svg.code).toBe(2);
  }, 120_000);

  it('grade, stopped by Ctrl-C, says how far it got and that no report was written', async () => {
    const submission = mkdtempSync(join(tmpdir(), 'interrupted-'));
    try {
      cpSync(resolve(ROOT, 'solutions/01-bump'), join(submission, '01-bump'), { recursive: true });
      const bump = join(submission, '01-bump/bump.ts');
      writeFileSync(bump, readFileSync(bump, 'utf8').replace('function malloc(size: number): number {', 'function malloc(size: number): number {\n    while (size >= 0) size += 0;'));
      const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'workbook/cli.ts', 'grade', submission, '--csv', join(submission, 'grades.csv')], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const ended = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      await vi.waitFor(() => expect(stderr).toMatch(/chapter 1 \(/), { timeout: 60_000, interval: 100 });
      child.kill('SIGINT');
      expect(await ended).toBe(130);
      expect(stderr).toContain(`Stopped by Ctrl-C: 0 of 1 submission graded, ${basename(submission)} stopped half-way; no table and no report (${join(submission, 'grades.csv')}) written.`);
      expect(existsSync(join(submission, 'grades.csv'))).toBe(false);
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  }, 120_000);

  it('start without a terminal (an editor task, a container) serves the book and watches all the same, taking keys a line at a time', async () => {
    const progress = join(mkdtempSync(join(tmpdir(), 'start-')), 'progress');
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'workbook/cli.ts', 'start', '--target', 'solutions'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', WORKBOOK_PROGRESS: progress }, // never the student's own progress
      stdio: ['pipe', 'pipe', 'pipe'], // stdin is a pipe, never a terminal
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const ended = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      await vi.waitFor(() => expect(stdout).toMatch(/read http:\/\/127\.0\.0\.1:\d+\/00-the-process\.html/), { timeout: 100_000, interval: 200 });
      expect(stderr).toContain('No terminal: keys are read a line at a time (h, n, l, c, r or q, then Enter), and Ctrl-C stops.');
      const url = /The book: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1] as string;
      const page = await fetch(new URL('00-the-process.html', url));
      expect(page.status).toBe(200);
      child.stdin.write('q\n');
      expect(await ended).toBe(0);
      await expect(fetch(url), 'the book is no longer served once q was pressed').rejects.toThrow();
      expect(existsSync(progress) ? readFileSync(progress, 'utf8') : '', 'watching the reference records nothing as done').not.toMatch(/^done /m);
    } finally {
      child.kill();
    }
  }, 120_000);

  // Only while bump.ts is the shipped skeleton: a student's own work is not ours to judge here.
  it.skipIf(!isUntouchedSkeleton(EXERCISES.find((e) => e.id === 'bump')!))('check on an untouched skeleton fails, and says where to write the code and how to get a hint', () => {
    const { code, stdout } = cli(['check', 'bump']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/bump — malloc on sbrk .* 0\/\d+ tests pass/);
    expect(stdout).toContain('First failure: bump › malloc › returns a pointer inside the heap');
    expect(stdout).toMatch(/Open exercises\/01-bump\/bump\.ts:\d+/);
    expect(stdout).toContain('npm run hint -- bump');
  }, 120_000);

  it('check --target <folder> runs the canonical tests on a submission kept anywhere', () => {
    const submission = mkdtempSync(join(tmpdir(), 'submission-'));
    try {
      cpSync(resolve(ROOT, 'solutions'), join(submission, 'exercises'), { recursive: true });
      // The submission's bump forgets to align; its own copy of the tests would not be used.
      const bump = join(submission, 'exercises/01-bump/bump.ts');
      const unaligned = readFileSync(bump, 'utf8')
        .replace('alignUp(Math.max(size, 1), ALIGNMENT)', 'Math.max(size, 1)')
        .replace('(ALIGNMENT - (block % ALIGNMENT)) % ALIGNMENT', '0');
      writeFileSync(bump, unaligned);
      writeFileSync(join(submission, 'exercises/01-bump/bump.test.ts'), 'export {};\n');
      const { code, stdout } = cli(['check', '01', '--target', submission, '--json']);
      const report = JSON.parse(stdout) as { exercises: Array<{ id: string; status: string; tests: Array<{ name: string; status: string; message: string }> }> };
      const bumpResult = report.exercises.find((e) => e.id === 'bump')!;
      expect(bumpResult.status).toBe('fail');
      const aligned = bumpResult.tests.find((t) => t.name.includes('16-byte aligned'))!;
      expect(aligned.status).toBe('fail');
      expect(aligned.message).toMatch(/malloc\(\d+\) returned 0x[0-9a-f]{8}, which is \d+ bytes? past a multiple of 16/);
      expect(report.exercises.find((e) => e.id === 'batched')!.status).toBe('pass');
      expect(code).toBe(1);
      expect(readdirSync(ROOT).filter((f) => f.startsWith(`.target-${basename(submission)}`)), 'the staged copy is removed').toEqual([]);
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  }, 120_000);

  it('check prints a syntax error without colour codes, through a pipe and in JSON alike', () => {
    const submission = mkdtempSync(join(tmpdir(), 'submission-'));
    try {
      cpSync(resolve(ROOT, 'solutions/01-bump'), join(submission, '01-bump'), { recursive: true });
      const bump = join(submission, '01-bump/bump.ts');
      writeFileSync(bump, `${readFileSync(bump, 'utf8')}\n}}\n`);
      // The compiler colours its message whatever the output is, and NO_COLOR says.
      const piped = cli(['check', 'bump', '--target', submission]);
      const json = cli(['check', 'bump', '--target', submission, '--json'], { FORCE_COLOR: '1', NO_COLOR: '' });
      const error = (JSON.parse(json.stdout) as { exercises: Array<{ error: string }> }).exercises[0].error;
      expect(error).toMatch(/PARSE_ERROR/);
      expect(error).not.toContain('\u001b');
      expect(piped.stdout).toMatch(/PARSE_ERROR/);
      expect(piped.stdout).not.toContain('\u001b');
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  }, 120_000);

  it('start, watch and status refuse a stray word instead of ignoring it', () => {
    for (const command of ['start', 'watch', 'status']) {
      const { code, stderr } = cli([command, 'nope']);
      expect(stderr).toContain(`${command} takes no word, only options: what is 'nope'?`);
      expect(code).toBe(2);
    }
  }, 120_000);

  it('check stops an endless loop where it runs and names its line, and fails the file\'s later tests at once', () => {
    const submission = mkdtempSync(join(tmpdir(), 'submission-'));
    try {
      cpSync(resolve(ROOT, 'solutions/01-bump'), join(submission, '01-bump'), { recursive: true });
      const batched = join(submission, '01-bump/batched.ts');
      const code = readFileSync(batched, 'utf8').split('\n');
      const at = code.findIndex((line) => line.includes('let next = proc.load64(nextAddr);'));
      code.splice(at + 1, 0, '    while (proc.load64(nextAddr) >= 0) next += 0; // the loop');
      writeFileSync(batched, code.join('\n'));
      const { stdout } = cli(['check', 'batched', '--target', submission, '--json']);
      const tests = (JSON.parse(stdout) as { exercises: Array<{ tests: Array<{ name: string; message: string }> }> }).exercises[0].tests;
      expect(tests[0].message).toMatch(/^RunawayLoop: Endless loop\? This process has made 3,000,000 loads and stores/);
      expect(tests[0].message).toContain(`01-bump/batched.ts:${at + 2}`);
      expect(tests[1].message).toContain(`Not run: the test "${tests[0].name.split(' › ').at(-1)}" of this file looped without end`);
      // On screen the tests not run are set apart from the failures, and counted.
      const shown = stripVTControlCharacters(cli(['check', 'batched', '--target', submission]).stdout);
      expect(shown).toContain(`    · ${tests[1].name} (not run)`);
      expect(shown).toMatch(/0\/\d+ tests pass, \d+ not run after a loop/);
    } finally {
      rmSync(submission, { recursive: true, force: true });
    }
  }, 120_000);

  it("check of the reference passes and sends nobody on to a next exercise: that is the student's own progress", () => {
    const { code, stdout } = cli(['check', 'memory', '--target', 'solutions']);
    expect(stripVTControlCharacters(stdout)).toMatch(/All \d+ tests pass\.\n*$/);
    expect(code).toBe(0);
  }, 120_000);

  it('check of an unknown chapter names the choices and exits with 2', () => {
    const { code, stderr } = cli(['check', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toContain("There is no chapter or exercise 'nope'");
    const typo = cli(['hint', 'memroy']);
    expect(typo.stderr).toContain("There is no chapter or exercise 'memroy'. Did you mean 'memory'?");
    const two = cli(['hint', 'memory', 'vmmap']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('hint takes one exercise at a time, not 2: memory vmmap.');
  });

  it('<command> --help prints that command\'s usage and exits with 0; a mistake says where to read it', () => {
    for (const command of ['bench', 'trace', 'grade', 'check', 'zone-stats', 'status', 'hint', 'start', 'reset', 'record']) {
      const { code, stdout } = cli([command, '--help']);
      expect(code, command).toBe(0);
      expect(stdout, command).toContain(`Usage: npx tsx workbook/cli.ts ${command} [options]`);
      expect(stdout, command).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    const bench = cli(['bench', '-h']).stdout;
    expect(bench).toContain('bench [allocators|machine|threads]');
    expect(bench).toContain('bench threads');
    expect(bench).not.toContain('zone-stats');
    expect(cli(['reset', '--help']).stdout).toContain('--yes');
    expect(cli(['record', '--help']).stdout).toContain('--force');
    expect(cli(['--help']).stdout).toContain('Commands:');
    const mistake = cli(['bench', '--jsn']);
    expect(mistake.code).toBe(2);
    expect(mistake.stderr).toBe('Unknown option --jsn. Did you mean --json?\nRun npx tsx workbook/cli.ts bench --help for its options.\n');
  }, 120_000);

  it('status lists every chapter with its exercises and the next step', () => {
    const { code, stdout } = cli(['status', '--target', 'solutions']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Chapter 0 +The process and its memory +3\/3 exercises/);
    expect(stdout).toMatch(/Chapter 1 +A bump allocator +2\/2 exercises/);
    expect(stdout).toContain('Every exercise passes');
  }, 120_000);

  it('hint reveals one more hint each time, and remembers it in the progress file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hints-'));
    const env = { WORKBOOK_PROGRESS: join(dir, 'progress') };
    try {
      const first = cli(['hint', 'bump'], env).stdout;
      expect(first).toContain('Hint 1 of 4');
      expect(first).not.toContain('Hint 2 of 4');
      expect(first, 'code in a hint keeps its backticks where there is no colour to mark it (output to a pipe)').toContain('`alignUp(n, alignment)`');
      const second = cli(['hint', 'bump'], env).stdout;
      expect(second).toContain('Hint 2 of 4');
      expect(readFileSync(env.WORKBOOK_PROGRESS, 'utf8')).toContain('hint bump 2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
