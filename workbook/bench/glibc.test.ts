import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReplayer, replayGlibc } from './glibc.ts';

const replayer = buildReplayer();
if ('missing' in replayer) {
  // Debian's gcc is on the machine the project is checked on: there, a missing cc is a failure.
  if (process.env.CI === 'true') throw new Error(`The C replayer must build under CI: ${replayer.missing}.`);
  console.warn(`Skipping the C replayer's tests: ${replayer.missing}.`);
}

describe.skipIf('missing' in replayer)('the C library malloc replayer', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-glibc-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('builds, and measures a tiny trace as computed by hand', () => {
    // glibc 2.36 on x86-64, top pad 0, 4 KiB pages:
    // - malloc(200000) is above the mmap threshold (128 KiB): a chunk of 200000 + 8 rounded to
    //   16 = 200016, mapped with its 8-byte header rounded to pages: 200024 → 49 pages = 200704.
    // - malloc(1000) comes from the arena: a chunk of 1008, the heap grown by 1008 + 32 (room
    //   for the top chunk) rounded to a page: 4096.
    // Peak payload 201000 over peak footprint 200704 + 4096 = 204800.
    const file = join(folder, 'tiny.rep');
    writeFileSync(file, '20000\n2\n4\n1\na 0 200000\na 1 1000\nf 0\nf 1\n');
    const result = replayGlibc((replayer as { path: string }).path, file, 1);
    expect(result).toMatchObject({ ops: 4, peakPayload: 201000, peakFootprint: 204800 });
    if (!('error' in result)) expect(result.utilization).toBeCloseTo(201000 / 204800, 5);
  });

  it('reports a malformed trace as an error, not a crash', () => {
    const file = join(folder, 'bad.rep');
    writeFileSync(file, '1\n1\n1\n1\nx 0 8\n');
    expect(replayGlibc((replayer as { path: string }).path, file, 1)).toEqual({ error: 'an operation is not a, f or r' });
  });
});
