// The C peer of `npm run bench`: the C library's malloc, through a small replayer
// (replay.c, next to this file) built with the machine's `cc` at first use (workbook/cc.ts).
// Its utilization comes from mallinfo2 after every operation (footprint = arena + mmapped
// bytes, top pad 0), its ops/s from the median of timed runs after a warm-up, both measured
// by the replayer itself.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWithCc } from '../cc.ts';
import type { BenchRow } from './row.ts';

export const GLIBC_ID = 'glibc';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPLAY_SOURCE = join(HERE, 'replay.c');

/** The replayer, or why there is none: `cc` missing, or the build failed. */
export type Replayer = { path: string } | { missing: string };

/** Builds the replayer once per version of replay.c (the binary is named by the source's hash). */
export function buildReplayer(cc: string = process.env.CC ?? 'cc'): Replayer {
  const built = buildWithCc(REPLAY_SOURCE, { name: 'replay', flags: ['-O2'], purpose: "the C library's malloc is not measured", cc });
  return 'path' in built ? { path: built.path } : { missing: built.missing };
}

/** What the replayer prints: one line of JSON. */
export interface GlibcReplay {
  ops: number;
  peakPayload: number;
  peakFootprint: number;
  utilization: number;
  opsPerSecond: number;
  runs: number;
}

/** Replays the .rep file at `file` through the C library's malloc, with `runs` timed runs. */
export function replayGlibc(replayer: string, file: string, runs = 7): GlibcReplay | { error: string } {
  const child = spawnSync(replayer, [file, String(runs)], { encoding: 'utf8', timeout: 120_000 });
  if (child.error !== undefined) return { error: child.error.message };
  try {
    return JSON.parse(child.stdout) as GlibcReplay | { error: string };
  } catch {
    return { error: `the replayer exited with ${child.status ?? child.signal} and printed ${JSON.stringify(child.stdout.slice(0, 200))}` };
  }
}

/** The C library's malloc on one trace, as a row of the benchmark. */
export function benchGlibc(replayer: string, file: string, name: string, ops: number, runs = 7): BenchRow {
  const result = replayGlibc(replayer, file, runs);
  const failed = 'error' in result;
  return {
    allocator: GLIBC_ID,
    trace: name,
    ops: failed ? ops : result.ops,
    utilization: failed ? undefined : result.utilization,
    memoryOpsPerCall: undefined,
    opsPerSecond: failed ? undefined : result.opsPerSecond,
    failure: failed ? result.error : undefined,
  };
}
