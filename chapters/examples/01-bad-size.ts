// A size that is not a size: a bug in the caller, so malloc throws instead of returning NULL.
import { Process } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/bump.ts';

const heap = createAllocator(new Process());
for (const size of [-1, 1.5]) {
  try {
    heap.malloc(size);
  } catch (error) {
    console.log(`${(error as Error).name}: ${(error as Error).message}`);
  }
}
