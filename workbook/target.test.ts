// What a student hears when the code under test is not where the tests look for it.

import { describe, expect, it } from 'vitest';
import { missingFileMessage } from './target.ts';

describe('a missing exercise file', () => {
  it("names the file, and for the student's own exercises the command that brings its skeleton back", () => {
    expect(missingFileMessage('/book/exercises/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', 'exercises')).toBe(
      'Cannot find /book/exercises/00-the-process/vmmap.ts: the target has no 00-the-process/vmmap.ts. Did you rename or delete the file? To get the skeleton back: npm run reset -- vmmap',
    );
  });

  it('offers no reset for the reference or a submission, nor for a file that is no exercise', () => {
    expect(missingFileMessage('/book/solutions/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', 'solutions')).toMatch(/Did you rename or delete the file\?$/);
    expect(missingFileMessage('/s/exercises/00-the-process/vmmap.ts', '00-the-process/vmmap.ts', '/s')).toMatch(/Did you rename or delete the file\?$/);
    expect(missingFileMessage('/book/exercises/00-the-process/helper.ts', '00-the-process/helper.ts', 'exercises')).toMatch(/Did you rename or delete the file\?$/);
  });
});
