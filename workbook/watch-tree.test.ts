import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchTree } from './watch-tree.ts';

const scratch = mkdtempSync(join(tmpdir(), 'watch-tree-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The files reported until `expected` is among them, or two seconds have passed. */
async function seen(changes: string[], expected: string): Promise<string[]> {
  for (let i = 0; i < 40 && !changes.includes(expected); i++) await new Promise((r) => setTimeout(r, 50));
  return changes;
}

describe('watchTree', () => {
  it('sees a file saved in place after it was saved by a rename over it, and files in folders made later', async () => {
    const root = join(scratch, 'tree');
    mkdirSync(join(root, 'a'), { recursive: true });
    const file = join(root, 'a', 'x.ts');
    writeFileSync(file, '1');
    const changes: string[] = [];
    const watcher = watchTree(root, (name) => changes.push(name));
    try {
      writeFileSync(`${file}.tmp`, '2');
      renameSync(`${file}.tmp`, file);
      expect(await seen(changes, join('a', 'x.ts'))).toContain(join('a', 'x.ts'));
      changes.length = 0;
      writeFileSync(file, '3');
      expect(await seen(changes, join('a', 'x.ts')), 'the save after the rename').toContain(join('a', 'x.ts'));
      // A folder made, and a file written in it at once, before its watch can have begun.
      mkdirSync(join(root, 'b'));
      writeFileSync(join(root, 'b', 'y.ts'), '1');
      expect(await seen(changes, join('b', 'y.ts'))).toContain(join('b', 'y.ts'));
      // A folder removed and made again (rm -r, then git checkout) is watched anew.
      rmSync(join(root, 'a'), { recursive: true });
      mkdirSync(join(root, 'a'));
      await new Promise((r) => setTimeout(r, 200)); // the new folder's watch begins
      changes.length = 0;
      writeFileSync(join(root, 'a', 'x.ts'), '4');
      await new Promise((r) => setTimeout(r, 200));
      writeFileSync(join(root, 'a', 'x.ts'), '5');
      const saves = () => changes.filter((c) => c === join('a', 'x.ts')).length;
      for (let i = 0; i < 40 && saves() < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(saves(), 'both saves in the folder made again').toBeGreaterThanOrEqual(2);
    } finally {
      watcher.close();
    }
  });

  it('watches one file through its folder, and names it alone', async () => {
    const folder = join(scratch, 'one');
    mkdirSync(folder);
    writeFileSync(join(folder, 'README.md'), '1');
    const changes: string[] = [];
    const watcher = watchTree(join(folder, 'README.md'), (name) => changes.push(name));
    try {
      writeFileSync(join(folder, 'other.md'), '1');
      writeFileSync(join(folder, 'README.md.tmp'), '2');
      renameSync(join(folder, 'README.md.tmp'), join(folder, 'README.md'));
      writeFileSync(join(folder, 'README.md'), '3');
      expect([...new Set(await seen(changes, 'README.md'))]).toEqual(['README.md']);
    } finally {
      watcher.close();
    }
  });
});
