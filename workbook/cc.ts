// C built with the machine's `cc` at first use, into a cache folder (node_modules/.cache,
// gitignored): the bench's replayer and the recorder's LD_PRELOAD library. A build is named
// by the hash of its source and flags, so an edited source is built again.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './paths.ts';

export const CC_CACHE = resolve(ROOT, 'node_modules/.cache/malloc-workbook');

/** What a build gives: the file, or why there is none (`cc` missing, or the build failed). */
export type Built = { path: string } | { missing: string; noCompiler?: true };

export interface BuildOptions {
  /** The file's name in the cache, before the hash: `replay`, `malloc-logger`. */
  name: string;
  /** Flags before `-o`: `-O2`, or `-shared -fPIC` for a library. */
  flags: readonly string[];
  /** Flags after the source: libraries to link (`-ldl`). */
  libs?: readonly string[];
  /** Added to the file's name: `.so`. */
  suffix?: string;
  /** What the build is for, in the message when there is no compiler. */
  purpose: string;
  cc?: string;
  /** The folder built files are kept in (default CC_CACHE). */
  cache?: string;
}

const built = new Map<string, Built>();

/** Builds `source` once per version of it (and of the flags), with `cc` (default $CC or cc). */
export function buildWithCc(source: string, options: BuildOptions): Built {
  const cc = options.cc ?? process.env.CC ?? 'cc';
  const { name, flags, libs = [], suffix = '', purpose, cache = CC_CACHE } = options;
  const hash = createHash('sha256').update(readFileSync(source)).update(JSON.stringify([flags, libs])).digest('hex').slice(0, 12);
  const path = join(cache, `${name}-${hash}${suffix}`);
  const key = `${cc}\n${path}`;
  const known = built.get(key);
  if (known !== undefined) return known;
  let result: Built;
  if (existsSync(path)) result = { path };
  else {
    const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      result = { missing: `there is no C compiler (${cc}) on this machine, so ${purpose}`, noCompiler: true };
    } else {
      mkdirSync(cache, { recursive: true });
      const partial = `${path}.${process.pid}.tmp`;
      const compile = spawnSync(cc, [...flags, '-o', partial, source, ...libs], { encoding: 'utf8' });
      if (compile.status !== 0) result = { missing: `${cc} could not build ${source}: ${(compile.stderr || compile.error?.message || '').trim()}` };
      else {
        renameSync(partial, path); // atomic: two runs at once both end with a whole file
        result = { path };
      }
    }
  }
  built.set(key, result);
  return result;
}
