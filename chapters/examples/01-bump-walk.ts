// Three mallocs from the bump allocator, and where the break is after each.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/bump.ts';

const proc = new Process();
const heap = createAllocator(proc);

console.log(`${'call'.padEnd(13)}${'returns'.padEnd(13)}break after`);
console.log(`${'(start)'.padEnd(26)}${hex(proc.currentBreak)}`);
for (const size of [24, 0, 100]) {
  const ptr = heap.malloc(size);
  console.log(`${`malloc(${size})`.padEnd(13)}${hex(ptr).padEnd(13)}${hex(proc.currentBreak)}`);
}
