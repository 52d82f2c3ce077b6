// The batched allocator's two globals, read back from the data segment.
import { LAYOUT, Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/batched.ts';

const proc = new Process();
const first = createAllocator(proc);
first.malloc(24);
first.malloc(24);

// A second allocator object over the same process finds the same globals, so the same heap.
const second = createAllocator(proc);
console.log(`the second object's malloc(24) = ${hex(second.malloc(24))}`);
console.log(`the break is at ${hex(proc.currentBreak)}\n`);
console.log(proc.hexdump(LAYOUT.dataStart, 32));
