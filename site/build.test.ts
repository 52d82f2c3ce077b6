// npm run site's command line: a mistake is said in a line with what to do, never as a stack
// trace, and before anything is built (a build may first measure charts for a minute).

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './generator.ts';

function site(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'site/build.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run site, given a mistake', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--serv'], /^Unknown option --serv\. Did you mean --serve\?\nRun npm run site -- --help/],
    [['extra'], /^npm run site takes no words, only options: what is 'extra'\?/],
    [['--port', '4000'], /^--port is for --serve/],
    [['--serve', '--port', 'abc'], /^--port abc: a port is a whole number from 1 to 65535/],
    [['--serve', '--port', '99999'], /^--port 99999: a port is a whole number/],
    [['--out'], /^--out needs a value: the folder to build into\./],
    [['--out', 'package.json'], /^--out package\.json: .*package\.json is a file/],
    // The build replaces its folder: a folder of anything else would be lost (the workbook itself, with --out .).
    [['--out', '.'], /^--out \.: .* holds .*, and no earlier build of the site; the build replaces its folder as a whole/],
    [['--out', 'exercises'], /^--out exercises: .*exercises holds .*, and no earlier build of the site/],
    [['--out', '/dev/null/site'], /^--out \/dev\/null\/site: \/dev\/null is not a folder/],
    // Node's recursive mkdir loops for ever under /proc: the build must never get there.
    [['--out', '/proc/site'], /^--out \/proc\/site: cannot write in \/proc/],
  ];
  for (const [args, message] of cases) {
    it(`says what is wrong with ${args.join(' ')}, and builds nothing`, () => {
      const run = site(...args);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).not.toMatch(/Built/);
      expect(run.status).toBe(2);
    });
  }

  it('says a port is in use at once, before building', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = site('--serve', '--port', String(port)); // the port is bound already; no need to accept
      expect(run.stderr).toMatch(new RegExp(`^Port ${port} is in use .*Choose another with --port N`));
      expect(run.stdout).not.toMatch(/built/);
      expect(run.status).toBe(2);
    } finally {
      taken.close();
    }
  });

  it('prints its options with --help', () => {
    const run = site('--help');
    expect(run.status).toBe(0);
    for (const option of ['--with-solutions', '--serve', '--port N', '--out <folder>']) expect(run.stdout).toContain(option);
  });
});
