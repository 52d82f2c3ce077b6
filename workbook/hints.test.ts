// Hints as the terminal shows them: code in colour, or in markdown's own backticks without it.

import { describe, expect, it } from 'vitest';
import { EXERCISES } from './exercises.ts';
import { hintForTerminal, hintsFor, plainCodeSpan } from './hints.ts';

describe('a hint in the terminal', () => {
  it('keeps code that holds a backtick one span where there is no colour', () => {
    expect(plainCodeSpan('alignUp(n, 16)')).toBe('`alignUp(n, 16)`');
    expect(plainCodeSpan('new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)')).toBe('``new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)``');
    expect(plainCodeSpan('`x`')).toBe('`` `x` ``');
    expect(plainCodeSpan('a ``b`` c')).toBe('```a ``b`` c```');
  });

  it("shows bump's third hint with its double-backtick span intact, in colour or not", () => {
    const hint = hintsFor(EXERCISES.find((e) => e.id === 'bump')!).find((h) => h.includes('invalid pointer'))!;
    expect(hintForTerminal(hint, false)).toContain('``new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)``');
    const coloured = hintForTerminal(hint, true);
    expect(coloured).toContain('new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)');
    expect(coloured).not.toContain('``');
  });
});
