// Paths as the tools print them, the same on Windows as on Linux and macOS.

import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asTyped, pathsFor, shownPath } from './paths.ts';

describe('shownPath', () => {
  it('shows a Windows path with forward slashes, as the book writes paths', () => {
    expect(shownPath('exercises\\01-bump\\bump.ts', win32)).toBe('exercises/01-bump/bump.ts');
    expect(shownPath('C:\\Users\\Ada\\submissions\\ann\\exercises')).toBe('C:/Users/Ada/submissions/ann/exercises');
    expect(shownPath('..\\.workbook-backups\\01-bump-bump.2026-01-01T00-00-00-000Z.ts', win32)).toBe('../.workbook-backups/01-bump-bump.2026-01-01T00-00-00-000Z.ts');
  });

  it('leaves a path of Linux and macOS as it is, a backslash in a name too', () => {
    expect(shownPath('exercises/01-bump/bump.ts', posix)).toBe('exercises/01-bump/bump.ts');
    expect(shownPath('odd\\name.ts', posix)).toBe('odd\\name.ts');
  });
});

describe('pathsFor', () => {
  it("takes Windows' path functions for a path that starts with a drive or a share", () => {
    expect(pathsFor('C:\\book')).toBe(win32);
    expect(pathsFor('\\\\server\\share\\book')).toBe(win32);
    if (process.platform !== 'win32') expect(pathsFor('/home/ada/book')).toBe(posix);
  });
});

describe('asTyped', () => {
  it('names a path from here when it is below here, whole otherwise', () => {
    expect(asTyped('/home/ada/course', '/home/ada/course/traces/a.rep')).toBe('traces/a.rep');
    expect(asTyped('/home/ada/course', '/home/ada/course')).toBe('.');
    expect(asTyped('/home/ada/course', '/tmp/a.rep')).toBe('/tmp/a.rep');
  });
});
