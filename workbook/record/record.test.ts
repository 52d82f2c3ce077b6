import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRecording, parseRecordArgs } from '../commands/record.ts';
import { readRep } from '../trace/rep.ts';
import { buildLogger, RECORDED_DIR, recordCommand, traceFile, traceName } from './record.ts';

describe('npm run record: its arguments', () => {
  it('takes its own options before the command, and leaves the command’s options alone', () => {
    expect(parseRecordArgs(['--name', 'listing', '--max-ops', '500', 'ls', '-la', '--color=never'])).toEqual({ command: ['ls', '-la', '--color=never'], name: 'listing', maxOps: 500, force: false, keepFailed: false, json: false });
    expect(parseRecordArgs(['--keep-failed', 'sort', 'nothing.txt'])).toMatchObject({ command: ['sort', 'nothing.txt'], keepFailed: true });
    expect(parseRecordArgs(['--force', 'ls'])).toMatchObject({ command: ['ls'], force: true });
    expect(parseRecordArgs(['-h'])).toMatchObject({ help: true });
    expect(parseRecordArgs(['ls', '--help'])).toMatchObject({ command: ['ls', '--help'] }); // ls's own help
    expect(parseRecordArgs(['--json', '--', '--weird'])).toMatchObject({ command: ['--weird'], json: true });
    expect(() => parseRecordArgs(['--json'])).toThrow('record needs a command');
    expect(() => parseRecordArgs(['--max-ops', 'lots', 'ls'])).toThrow('--max-ops takes a number');
  });

  it('names a trace after the program, and git after its subcommand', () => {
    expect(traceName(['ls', '-la', '/usr/lib'])).toBe('ls');
    expect(traceName(['/usr/bin/python3', '-c', 'pass'])).toBe('python3');
    expect(traceName(['git', 'log', '--stat'])).toBe('git-log');
  });
});

describe('npm run record: where the trace goes', () => {
  it('refuses to overwrite a shipped trace, before anything runs, and says how to proceed', () => {
    expect(() => traceFile(['ls', '-la', '/'])).toThrow(/traces\/recorded\/ls\.rep is one of the traces the book ships: chapter 8 replays it.* Name this one with --name <other name>\.$/);
    expect(() => traceFile(['ls'], { force: true }), 'not even with --force: the book is made from it').toThrow(/one of the traces the book ships/);
    expect(traceFile(['ls'], { name: 'ls-mine' })).toBe(join(RECORDED_DIR, 'ls-mine.rep'));
  });

  it('refuses to overwrite a trace recorded before, unless forced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'record-file-'));
    try {
      writeFileSync(join(dir, 'sort.rep'), '');
      expect(() => traceFile(['sort'], { dir })).toThrow(/sort\.rep exists: a trace recorded before\. Nothing was run\. .*--force/);
      expect(traceFile(['sort'], { dir, force: true })).toBe(join(dir, 'sort.rep'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run record without a C compiler', () => {
  it('says so, says how to install one, and points at the shipped traces', () => {
    const cache = mkdtempSync(join(tmpdir(), 'record-no-cc-'));
    try {
      if (process.platform !== 'linux') expect(() => buildLogger('no-such-cc', cache)).toThrow('Linux only');
      else expect(() => buildLogger('no-such-cc', cache)).toThrow(/there is no C compiler \(no-such-cc\) on this machine\. .*sudo apt-get install gcc.*traces\/recorded\/ replay without it/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

const compiler = spawnSync(process.env.CC ?? 'cc', ['--version']);
const hasCc = compiler.error === undefined && compiler.status === 0 && process.platform === 'linux';
if (!hasCc) {
  // .ci/run installs gcc: there, a missing compiler is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error('The recorder needs cc under CI (.ci/run installs gcc).');
  console.warn('Skipping the recorder’s end-to-end tests: there is no C compiler (cc) on this machine, or it is not Linux.');
}

describe.skipIf(!hasCc)('npm run record: a real program, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records ls into a trace the driver’s parser accepts, with the counts it prints', async () => {
    const recording = await recordCommand(['ls', '-la', '/'], { dir, name: 'ls-root' });
    expect(recording).toMatchObject({ exitCode: 0, name: 'ls-root', cut: false });
    expect(recording.file).toBe(join(dir, 'ls-root.rep'));
    const trace = readRep(recording.file);
    expect(trace.ops.length).toBe(recording.ops);
    expect(trace.ops.length).toBeGreaterThan(10); // ls allocates for its locale, its directory, its lines
    expect(trace.numIds).toBe(recording.ids);
    expect(trace.suggestedHeapSize).toBe(recording.counts.peakLivePayload);
    expect(readFileSync(recording.file, 'utf8').split('\n')[3]).toBe('1'); // weight
  });

  it('keeps the command’s own process only, and cuts at maxOps', async () => {
    // sh runs ls as a child (it forks, since another command follows).
    const recording = await recordCommand(['sh', '-c', 'ls / > /dev/null; true'], { dir, name: 'sh', maxOps: 5 });
    expect(recording.ops).toBe(5);
    expect(recording.cut).toBe(true);
    expect(recording.counts.otherProcesses).toBeGreaterThanOrEqual(1);
    expect(recording.counts.otherProcessCalls).toBeGreaterThan(0);
    const summary = formatRecording(recording, 'sh.rep');
    expect(summary).toContain('Cut the trace at 5 operations (--max-ops)');
    expect(summary).toMatch(/; \d+ still live at the cut\./);
    expect(summary).not.toContain('at exit');
  });

  it('writes no trace of a command that failed, unless asked to with keepFailed', async () => {
    const failing = ['sh', '-c', 'ls / > /dev/null; exit 2'];
    await expect(recordCommand(failing, { dir, name: 'failed' })).rejects.toThrow(/^sh -c ls \/ > \/dev\/null; exit 2 exited with 2: its trace \(\d+ operations\) was not written\. A failed run rarely shows what the program does: fix the command and run it again, or keep the trace all the same with --keep-failed\.$/);
    expect(existsSync(join(dir, 'failed.rep')), 'the name stays free').toBe(false);
    const kept = await recordCommand(failing, { dir, name: 'failed', keepFailed: true });
    expect(kept.exitCode).toBe(2);
    expect(existsSync(kept.file)).toBe(true);
    expect(formatRecording(kept, 'failed.rep')).toContain('exited with 2 (its trace kept all the same: --keep-failed)');
  });

  it('says of an exit code of 1 that it may be an answer, as grep gives for no match, without claiming errors were printed', async () => {
    const noMatch = ['sh', '-c', 'ls / | grep -q no-such-entry-here'];
    const refused = recordCommand(noMatch, { dir, name: 'no-match' });
    await expect(refused).rejects.toThrow(/^sh -c ls \/ \| grep -q no-such-entry-here exited with 1: its trace \(\d+ operations\) was not written\. Some programs, such as grep and diff, exit with 1 as an answer \(no match, the files differ\) rather than an error: if this one did, keep its trace with --keep-failed; if it failed, fix the command and run it again\.$/);
    await expect(refused).rejects.not.toThrow(/errors are above/);
    expect(existsSync(join(dir, 'no-match.rep'))).toBe(false);
  });

  it('says what is wrong when the program does not exist', async () => {
    await expect(recordCommand(['no-such-program-here'], { dir })).rejects.toThrow('There is no program no-such-program-here (not found on PATH).');
    await expect(recordCommand(['/no/such/program'], { dir })).rejects.toThrow('There is no program /no/such/program (no such file).');
    const script = join(dir, 'run.sh');
    writeFileSync(script, '#!/usr/bin/no-such-shell -e\necho hi\n', { mode: 0o755 });
    await expect(recordCommand([script], { dir })).rejects.toThrow(`${script} exists but could not be started: the interpreter its first line names, /usr/bin/no-such-shell, is not there.`);
  });

  it('builds its library once and reuses it', () => {
    expect(buildLogger()).toBe(buildLogger());
  });
});
