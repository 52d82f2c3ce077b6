// The registry of the book's allocators, as a command line names them.

import { describe, expect, it } from 'vitest';
import { loadAllocator } from './allocators.ts';

describe('loadAllocator', () => {
  it('answers a name it does not know with what was likely meant', async () => {
    await expect(loadAllocator('zone', 'solutions')).rejects.toThrow("There is no allocator 'zone'. The exercise zone is the allocator 'zones'. Known: bump,");
    await expect(loadAllocator('magazine', 'solutions')).rejects.toThrow("There is no allocator 'magazine'. Did you mean 'magazines'?");
    await expect(loadAllocator('tuned', 'solutions')).rejects.toThrow("The exercise tuned is zones with its thresholds: npm run trace -- zones traces/recorded/ls.rep --option smallLimit=65536.");
    await expect(loadAllocator('batched', 'solutions')).rejects.toThrow("The exercise batched is the allocator 'bump-batched'.");
    await expect(loadAllocator('vmmap', 'solutions')).rejects.toThrow("'vmmap' is an exercise, not an allocator.");
    await expect(loadAllocator('nothing', 'solutions')).rejects.toThrow(/^There is no allocator 'nothing'\. Known: bump, bump-batched,/);
  });

  it('loads a known one', async () => {
    expect(typeof (await loadAllocator('zones', 'solutions')).createAllocator).toBe('function');
  });
});
