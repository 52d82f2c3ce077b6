// The price of one sbrk per malloc: 1000 mallocs of 24 bytes with each bump allocator.
import { Process, formatBytes } from '../../machine/index.ts';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { createAllocator as batched } from '../../solutions/01-bump/batched.ts';

console.log(`${'allocator'.padEnd(10)}${'sbrk calls'.padStart(12)}${'loads+stores'.padStart(14)}${'heap'.padStart(10)}`);
for (const [name, create] of [['bump', bump], ['batched', batched]] as const) {
  const proc = new Process();
  const heap = create(proc);
  for (let i = 0; i < 1000; i++) heap.malloc(24);
  const { syscalls, memoryOps, heapBytes } = proc.stats();
  const row = [String(syscalls.sbrk).padStart(12), String(memoryOps).padStart(14), formatBytes(heapBytes).padStart(10)];
  console.log(name.padEnd(10) + row.join(''));
}
