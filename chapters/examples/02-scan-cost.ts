// First fit visits every block before it finds room: the cost of one malloc grows with the heap.
import { Process } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';

console.log(`${'blocks in the heap'.padEnd(20)}loads and stores for one more malloc(16)`);
for (const blocks of [0, 10, 100, 1000, 10000]) {
  const proc = new Process();
  const heap = createAllocator(proc);
  for (let i = 0; i < blocks; i++) heap.malloc(16);
  const before = proc.stats().memoryOps;
  heap.malloc(16);
  console.log(`${String(blocks).padStart(18)}  ${String(proc.stats().memoryOps - before).padStart(10)}`);
}
