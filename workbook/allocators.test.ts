// The registry of the book's allocators, as a command line names them.

import { describe, expect, it } from 'vitest';
import { loadAllocator } from './allocators.ts';

describe('loadAllocator', () => {
  it('answers a name it does not know with what was likely meant', async () => {
    await expect(loadAllocator('zone', 'solutions')).rejects.toThrow("There is no allocator 'zone'. Did you mean 'zones'? Known: bump,");
    await expect(loadAllocator('tuned', 'solutions')).rejects.toThrow("'tuned' is an exercise; its allocator is one of these with options, such as zones with --option smallLimit=65536.");
    await expect(loadAllocator('nothing', 'solutions')).rejects.toThrow(/^There is no allocator 'nothing'\. Known: bump, bump-batched,/);
  });

  it('loads a known one', async () => {
    expect(typeof (await loadAllocator('zones', 'solutions')).createAllocator).toBe('function');
  });
});
