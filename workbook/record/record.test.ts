import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRecording, parseRecordArgs } from '../commands/record.ts';
import { ROOT } from '../paths.ts';
import { readRep } from '../trace/rep.ts';
import { formatBytes } from '../../machine/format.ts';
import { buildLogger, groupAlive, interruptedMessage, RECORDED_DIR, recordCommand, traceFile, traceName } from './record.ts';

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
    expect(() => parseRecordArgs(['--max-ops', '99999999999999999999', 'ls'])).toThrow('--max-ops takes a number of operations from 1 to 9007199254740991');
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

  it('takes a name given with its .rep as the name without it, not <name>.rep.rep', () => {
    expect(traceFile(['ls'], { name: 'ls-mine.rep' })).toBe(join(RECORDED_DIR, 'ls-mine.rep'));
    expect(traceFile(['ls'], { name: 'ls.v2' })).toBe(join(RECORDED_DIR, 'ls.v2.rep'));
  });

  it('gives the size of a small trace in bytes, not as 0 KiB', () => {
    expect(formatBytes(357)).toBe('357 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(12_345)).toBe('12.1 KiB');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.5 MiB');
    expect(formatBytes(1024 * 1024 - 1), 'not 1024.0 KiB').toBe('1.0 MiB');
  });

  it('says an interrupt in the first second came under a second in, not after 0 s', () => {
    expect(interruptedMessage(['sleep', '9'], 'SIGINT', 'running', 0.3, 0)).toMatch(/^Stopped: nothing was written; Ctrl-C came after under a second, before sleep ended, and its log \(0 bytes\) is removed\./);
    expect(interruptedMessage(['sleep', '9'], 'SIGTERM', 'running', 2.4, 1)).toContain('; SIGTERM came after 2 s, before sleep ended, and its log (1 byte) is removed.');
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

describe('npm run record: a program that cannot be run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-unrunnable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says a folder is a folder, not a program, before anything runs', async () => {
    await expect(recordCommand([dir], { dir })).rejects.toThrow(`${dir} is a folder, not a program. Name the program to record first, and its arguments after it: npm run record -- ls ${dir}`);
  });

  it('says a file is not executable, and names the interpreter its #! line runs', async () => {
    const script = join(dir, 'count.py');
    writeFileSync(script, '#!/usr/bin/env python3\nprint(1)\n', { mode: 0o644 });
    await expect(recordCommand([script], { dir })).rejects.toThrow(`${script} cannot be run: it is not executable (it lacks the permission to run). If it is a program or a script, chmod +x ${script} makes it so, or name its interpreter first: npm run record -- python3 ${script}.`);
    const data = join(dir, 'notes.txt');
    writeFileSync(data, 'hello\n', { mode: 0o644 });
    await expect(recordCommand([data], { dir })).rejects.toThrow(new RegExp(`^${data.replace(/[.]/g, '\\.')} cannot be run: it is not executable .* makes it so\\.$`));
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

  it('ends a program that stays stopped, which nothing would ever continue, and says so', async () => {
    const stopped = recordCommand(['sh', '-c', 'kill -STOP $$; true'], { dir, name: 'stopped' });
    await expect(stopped).rejects.toThrow(
      'sh -c kill -STOP $$; true was stopped (by SIGSTOP or SIGTSTP, from itself or another process), and nothing here would let it go on: it was ended, and nothing was written. Run it again and let it run to its end.',
    );
    expect(existsSync(join(dir, 'stopped.rep'))).toBe(false);
  }, 20_000);

  it('says what is wrong when the program does not exist', async () => {
    await expect(recordCommand(['no-such-program-here'], { dir })).rejects.toThrow('There is no program no-such-program-here (not found on PATH).');
    await expect(recordCommand(['/no/such/program'], { dir })).rejects.toThrow('There is no program /no/such/program (no such file).');
    const script = join(dir, 'run.sh');
    writeFileSync(script, '#!/usr/bin/no-such-shell -e\necho hi\n', { mode: 0o755 });
    await expect(recordCommand([script], { dir })).rejects.toThrow(`${script} exists but could not be started: the interpreter its first line names, /usr/bin/no-such-shell, is not there.`);
  });

  // Whatever is left of the processes' groups, should a test fail: after the tests, which look for it.
  const groups: number[] = [];
  afterAll(() => {
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // All gone, as it should be.
      }
    }
  });

  /**
   * Records `command` in a process of its own, and when its progress matches `stopAt` sends Ctrl-C
   * as a terminal does (to the process and the program, its group) or kills the process alone.
   * The signal ends that process, and what it leaves is what a student's Ctrl-C leaves.
   */
  async function interrupted(command: string[], stopAt: RegExp, scratch: string, how: 'Ctrl-C' | 'kill' = 'Ctrl-C'): Promise<{ code: number | null; said: string; logs: string[]; traces: string[] }> {
    const [temp, traces] = [join(scratch, 'tmp'), join(scratch, 'traces')];
    mkdirSync(temp);
    const script = join(scratch, 'record.mts');
    writeFileSync(
      script,
      `import { recordCommand } from ${JSON.stringify(resolve(ROOT, 'workbook/record/record.ts'))};\n` +
        `await recordCommand(${JSON.stringify(command)}, { dir: ${JSON.stringify(traces)}, name: 'stopped', onProgress: (message) => console.log(message) });\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: temp, NO_COLOR: '1' } });
    let said = '';
    child.stderr?.on('data', (chunk) => {
      said += chunk;
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let sent = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (sent || !stopAt.test(chunk.toString())) return;
      sent = true;
      if (how === 'Ctrl-C') process.kill(-(child.pid as number), 'SIGINT');
      else child.kill('SIGTERM');
    });
    groups.push(child.pid as number);
    const code = await exited;
    return {
      code,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes
      said: said.replace(/\u001b\[[0-9;]*m/g, ''),
      logs: readdirSync(temp).filter((name) => name.startsWith('malloc-record-')), // tsx keeps its cache there too
      traces: existsSync(traces) ? readdirSync(traces) : [],
    };
  }

  /** Whether the process `pid` ended within five seconds. */
  async function ends(pid: number): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return true;
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    return false;
  }

  const RUNNING_STOPPED = /^Stopped: nothing was written; (Ctrl-C|SIGTERM) came after (\d+ s|under a second), before sh ended, and its log \([\d.]+ (bytes?|KiB)\) is removed\. A trace is written once the program ends by itself: run it again and let it finish\.\n$/;

  it('on Ctrl-C while the program runs, says nothing was written, and leaves neither its log nor a trace behind', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'record-interrupted-'));
    try {
      const pidFile = join(scratch, 'pid');
      const stopped = await interrupted(['sh', '-c', `echo $$ > ${pidFile}; ls / > /dev/null; exec sleep 30`], /^running/m, scratch);
      expect(stopped.code).toBe(130);
      expect(stopped.said).toMatch(RUNNING_STOPPED);
      expect(stopped.said).toContain('; Ctrl-C came after');
      expect(stopped.logs, 'the log').toEqual([]);
      expect(stopped.traces, 'a trace').toEqual([]);
      expect(await ends(Number(readFileSync(pidFile, 'utf8'))), 'the program').toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 30_000);

  it('stops a program that ignores Ctrl-C, and one that only this process was told to stop (kill)', async () => {
    for (const [how, ignores] of [
      ['Ctrl-C', "trap '' INT;"],
      ['kill', ''],
    ] as const) {
      const scratch = mkdtempSync(join(tmpdir(), 'record-interrupted-'));
      try {
        const pidFile = join(scratch, 'pid');
        const stopped = await interrupted(['sh', '-c', `${ignores} echo $$ > ${pidFile}; ls / > /dev/null; exec sleep 30`], /^running/m, scratch, how);
        expect(stopped.code, how).toBe(how === 'Ctrl-C' ? 130 : 143);
        expect(stopped.said, how).toMatch(RUNNING_STOPPED);
        expect(stopped.said, how).toContain(how === 'Ctrl-C' ? '; Ctrl-C came after' : '; SIGTERM came after');
        expect([...stopped.logs, ...stopped.traces], how).toEqual([]);
        expect(await ends(Number(readFileSync(pidFile, 'utf8'))), `the program (${how})`).toBe(true);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  }, 30_000);

  /** What is left of the process group `group` (by ps, zombies aside): the command line of each. */
  function leftIn(group: number): string[] {
    const ps = spawnSync('ps', ['-eo', 'pgid=,stat=,args='], { encoding: 'utf8' });
    return ps.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([pgid, stat]) => Number(pgid) === group && stat !== undefined && !stat.startsWith('Z'))
      .map((words) => words.slice(2).join(' '));
  }

  it('stops what the program started too, its whole process group: a shell’s sleep on kill, and one that ignores Ctrl-C and SIGTERM', async () => {
    for (const [how, ignores] of [
      ['kill', ''],
      ['Ctrl-C', "trap '' INT TERM;"],
    ] as const) {
      const scratch = mkdtempSync(join(tmpdir(), 'record-interrupted-'));
      try {
        const pidFile = join(scratch, 'pid');
        // Not exec'd: sleep is the shell's child, which a signal to the shell alone leaves running.
        const stopped = await interrupted(['sh', '-c', `${ignores} ps -o pgid= -p $$ > ${pidFile}; sleep 30; true`], /^running/m, scratch, how);
        expect(stopped.code, how).toBe(how === 'Ctrl-C' ? 130 : 143);
        expect(stopped.said, how).toMatch(RUNNING_STOPPED);
        const group = Number(readFileSync(pidFile, 'utf8'));
        expect(leftIn(group), `what is left of the program's group (${how})`).toEqual([]);
        expect(groupAlive(group), how).toBe(false);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
  }, 30_000);

  it('on Ctrl-C while a long log is converted, says so at once, and leaves neither the log nor a trace behind', async () => {
    // A program that logs a million blocks itself, on the log's descriptor: seconds to convert.
    const scratch = mkdtempSync(join(tmpdir(), 'record-interrupted-'));
    try {
      const awk = 'BEGIN { for (i = 0; i < 1000000; i++) printf "%d a 1000 %x\\n", pid, 65536 + i * 16 }';
      const stopped = await interrupted(['sh', '-c', `exec awk -v pid=$$ '${awk}' >&3`], /^converting the log: \d/m, scratch);
      expect(stopped.code).toBe(130);
      expect(stopped.said).toMatch(/^Stopped: nothing was written; Ctrl-C came after (\d+ s|under a second), while the log of sh \([\d.]+ MiB\) was being made into a trace, and the log is removed\. A long log takes a while: run it again and let it finish, or keep a shorter trace, quicker to make, with --max-ops 100000\.\n$/);
      expect(stopped.logs, 'the log').toEqual([]);
      expect(stopped.traces, 'a trace').toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it('builds its library once and reuses it', () => {
    expect(buildLogger()).toBe(buildLogger());
  });
});
