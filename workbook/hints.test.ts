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

  it('wraps a paragraph whose code span the source broke across lines, never inside a span', () => {
    const shown = hintForTerminal('`lockOwner`: `for (;;) { const owner = proc.atomicLoad32(region + REGION.owner); lock(proc,\nset.locks[owner]); … }`. Inside, read the owner again; if it is the same, return it.', false);
    expect(shown.split('\n')).toEqual([
      '`lockOwner`:',
      '`for (;;) { const owner = proc.atomicLoad32(region + REGION.owner); lock(proc, set.locks[owner]); … }`.',
      'Inside, read the owner again; if it is the same, return it.',
    ]);
  });

  it('wraps a paragraph whose later line begins like a list item or a number', () => {
    const shown = hintForTerminal('The free list is a list of blocks, each with its header and links, and a size that is a multiple of\n16. The first fit takes `the first block that is big enough, from the head of the list,\nas malloc(3) does`, and *not* the best.', false);
    for (const line of shown.split('\n')) expect(line.length, line).toBeLessThanOrEqual(96);
    expect(shown).toContain('`the first block that is big enough, from the head of the list, as malloc(3) does`');
  });

  it('shows every hint of the book in lines of at most 100 columns, but for a code span longer on its own', () => {
    for (const exercise of EXERCISES) {
      for (const hint of hintsFor(exercise)) {
        for (const line of hintForTerminal(hint, false).split('\n')) {
          const oneSpan = /^`[^`]+`[.,:;)]?$/.test(line) || /^\s*(```|\|)/.test(line);
          if (!oneSpan) expect(line.length, `${exercise.id}: ${line}`).toBeLessThanOrEqual(100);
        }
      }
    }
  });
});
