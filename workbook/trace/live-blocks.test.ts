// The ordered set of live blocks, against a plain sorted array doing the same work.

import { describe, expect, it } from 'vitest';
import { LiveBlocks, type LiveBlock } from './live-blocks.ts';
import { Random } from './prng.ts';

describe('LiveBlocks', () => {
  it('answers like a sorted array through thousands of random adds and removes', () => {
    const random = new Random(3);
    const set = new LiveBlocks();
    let model: LiveBlock[] = [];
    for (let step = 0; step < 5000; step++) {
      if (model.length > 0 && random.chance(0.45)) {
        const victim = random.pick(model);
        expect(set.remove(victim.start)).toBe(victim);
        model = model.filter((b) => b !== victim);
      } else {
        const start = random.int(0, 100_000) * 16;
        const end = start + random.int(1, 64) * 16;
        const overlap = model.find((b) => b.start < end && start < b.end);
        const found = set.overlapping(start, end);
        expect(found === undefined).toBe(overlap === undefined);
        if (found !== undefined) expect(model.includes(found) && found.start < end && start < found.end).toBe(true);
        if (overlap === undefined) {
          const block = { start, end, id: step };
          set.add(block);
          model.push(block);
          model.sort((a, b) => a.start - b.start);
        }
      }
      const probe = random.int(0, 1_700_000);
      expect(set.before(probe)).toBe(model.filter((b) => b.start < probe).at(-1));
      expect(set.atOrAfter(probe)).toBe(model.find((b) => b.start >= probe));
      expect(set.size).toBe(model.length);
    }
    expect([...set]).toEqual(model);
  });

  it('remove of an address that starts no block removes nothing', () => {
    const set = new LiveBlocks();
    set.add({ start: 32, end: 48, id: 0 });
    expect(set.remove(40)).toBeUndefined();
    expect(set.size).toBe(1);
  });
});
