// The exercises an exercise builds on, read from its imports.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISES } from './exercises.ts';
import { prerequisitesOf, unfinishedNote } from './prerequisites.ts';
import { targetRoot } from './target.ts';

const ids = (id: string) => prerequisitesOf(EXERCISES.find((e) => e.id === id)!, targetRoot('exercises')).map((e) => e.id);

describe('prerequisitesOf', () => {
  it('follows the imports of the skeletons, across chapters and through given files', () => {
    expect(ids('memory')).toEqual([]);
    expect(ids('zone')).toEqual(expect.arrayContaining(['size-classes', 'tiny-region', 'rack', 'small-region', 'large']));
    expect(ids('magazines')).toEqual(expect.arrayContaining(['rack', 'enumerate', 'lock', 'choose', 'cross-thread']));
    expect(ids('magazines'), 'zone.ts gives magazines.ts its types only').not.toContain('zone');
    expect(ids('magazines')).not.toContain('magazines');
    expect(ids('tuned')).toContain('zone');
  });

  it('reads imports in double quotes too, as an editor that formats on save writes them', () => {
    const root = mkdtempSync(join(tmpdir(), 'prerequisites-'));
    try {
      mkdirSync(join(root, '05-zones'));
      mkdirSync(join(root, '06-magazines'));
      writeFileSync(join(root, '05-zones', 'rack.ts'), 'export const RACK = 1;\n');
      writeFileSync(join(root, '06-magazines', 'magazines.ts'), 'import { RACK } from "../05-zones/rack.ts";\nexport const x = RACK;\n');
      expect(prerequisitesOf(EXERCISES.find((e) => e.id === 'magazines')!, root).map((e) => e.id)).toEqual(['rack']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists them in the order of the book', () => {
    const order = EXERCISES.map((e) => e.id);
    const found = ids('magazines');
    expect(found).toEqual([...found].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  });
});

describe('unfinishedNote', () => {
  const exercise = (id: string) => EXERCISES.find((e) => e.id === id)!;

  it('names the earlier exercises not yet seen to pass, and where to start', () => {
    const note = unfinishedNote(exercise('zone'), new Set(['size-classes', 'tiny-region', 'statistics']));
    expect(note).toBe('This exercise runs your code of rack, small-region, large, enumerate, which have not passed their own tests in a check yet (not checked, or failing): a failure here may start there. Check first: npm run check -- rack');
    expect(unfinishedNote(exercise('batched'), new Set())).toContain('your code of bump, which has not passed its own tests in a check yet (not checked, or failing)');
    expect(unfinishedNote(exercise('magazines'), new Set())).toMatch(/your code of size-classes, tiny-region, statistics, rack and \d+ more,/);
  });

  it('says nothing when they all passed, or there are none', () => {
    expect(unfinishedNote(exercise('batched'), new Set(['bump']))).toBeUndefined();
    expect(unfinishedNote(exercise('memory'), new Set())).toBeUndefined();
  });
});
