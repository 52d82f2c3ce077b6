// Running out: a heap limited to 64 KiB, and the NULL that malloc returns.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/bump.ts';

const proc = new Process({ heapLimit: 64 * 1024 });
const heap = createAllocator(proc);

for (const size of [40_000, 40_000, 20_000]) {
  const ptr = heap.malloc(size);
  console.log(`malloc(${size}) = ${hex(ptr)}   errno = ${proc.errno}   break = ${hex(proc.currentBreak)}`);
}
