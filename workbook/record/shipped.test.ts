// The shipped recordings: the list chapter 8 replays is the list traces/README.md describes,
// and every file of it is there.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { SHIPPED_RECORDINGS, shippedRecordings } from './shipped.ts';

describe('the shipped recordings', () => {
  it('are the four traces/README.md describes, and all are there', () => {
    const readme = readFileSync(resolve(ROOT, 'traces/README.md'), 'utf8');
    // A recorded program's row gives its command, in backticks; a generated trace's gives its pattern.
    const described = [...readme.matchAll(/^\| `([^`]+\.rep)` \| `/gm)].map((m) => m[1]);
    expect(described.sort()).toEqual([...SHIPPED_RECORDINGS]);
    for (const file of shippedRecordings(ROOT)) expect(existsSync(file), file).toBe(true);
  });

  it("are described with their own figures: operations, ids, and what a row says is freed and left live", () => {
    const readme = readFileSync(resolve(ROOT, 'traces/README.md'), 'utf8');
    for (const file of SHIPPED_RECORDINGS) {
      const row = new RegExp(`^\\| \`${file.replace('.', '\\.')}\` \\|.*$`, 'm').exec(readme)?.[0] ?? '';
      const [, , ops, ids] = row.split(' | ');
      const lines = readFileSync(resolve(ROOT, 'traces/recorded', file), 'utf8').split('\n');
      const count = (kind: string) => lines.slice(4).filter((l) => l.startsWith(`${kind} `)).length;
      expect(Number(ops.replace(/,/g, '')), `${file}: ops`).toBe(Number(lines[2]));
      expect(Number(ids.replace(/,/g, '')), `${file}: ids`).toBe(Number(lines[1]));
      const frees = /frees ([\d,]+) of its ([\d,]+), and leaves ([\d,]+) live at exit/.exec(row);
      if (frees !== null) {
        const [freed, allocated, left] = frees.slice(1).map((n) => Number(n.replace(/,/g, '')));
        expect([freed, allocated, left], `${file}: frees`).toEqual([count('f'), count('a'), count('a') - count('f')]);
      }
    }
    expect(readme).not.toContain('almost none freed');
  });

  it('are the recordings git keeps: a reader\'s own are ignored, so that git add -A leaves them out', () => {
    const lines = readFileSync(resolve(ROOT, '.gitignore'), 'utf8').split('\n');
    expect(lines).toContain('traces/recorded/*.rep');
    const kept = lines.filter((l) => l.startsWith('!traces/recorded/')).map((l) => l.slice('!traces/recorded/'.length));
    expect(kept.sort()).toEqual([...SHIPPED_RECORDINGS]);
  });
});
