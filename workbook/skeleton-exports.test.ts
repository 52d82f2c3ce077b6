// Every skeleton exports the same names, with the same types, as its solution: a skeleton
// is the solution with holes, and the compiler guides the student.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISES } from './exercises.ts';
import { EXERCISES_DIR, ROOT, SOLUTIONS_DIR } from './paths.ts';

describe('skeletons and solutions', () => {
  it('export the same names, each of the same kind', async () => {
    for (const e of EXERCISES) {
      const skeleton = (await import(resolve(EXERCISES_DIR, e.chapter, e.file))) as Record<string, unknown>;
      const solution = (await import(resolve(SOLUTIONS_DIR, e.chapter, e.file))) as Record<string, unknown>;
      const shape = (m: Record<string, unknown>) => Object.keys(m).sort().map((name) => `${name}: ${typeof m[name]}`);
      expect(shape(skeleton), `exercises/${e.chapter}/${e.file} against solutions/${e.chapter}/${e.file}`).toEqual(shape(solution));
    }
  });

  it('export values of the same types (checked by the compiler)', () => {
    const scratch = mkdtempSync(join(ROOT, 'workbook', '.types-'));
    try {
      const lines = ['type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;'];
      EXERCISES.forEach((e, i) => {
        const from = (dir: string) => relative(scratch, resolve(dir, e.chapter, e.file));
        lines.push(`import type * as Skeleton${i} from '${from(EXERCISES_DIR)}';`);
        lines.push(`import type * as Solution${i} from '${from(SOLUTIONS_DIR)}';`);
        lines.push(`export const same${i}: Same<typeof Skeleton${i}, typeof Solution${i}> = true; // ${e.chapter}/${e.file}`);
      });
      writeFileSync(join(scratch, 'check.ts'), `${lines.join('\n')}\n`);
      writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', include: ['check.ts'] }));
      let output = '';
      try {
        execFileSync(resolve(ROOT, 'node_modules/.bin/tsc'), ['-p', scratch], { encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output, 'a skeleton and its solution disagree on the type of an export (see the comment on the failing line)').toBe('');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
