// realloc without a header copies everything up to the new block, the neighbour included.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/01-bump/bump.ts';
import { writeCString } from '../../solutions/00-the-process/memory.ts';

const proc = new Process();
const heap = createAllocator(proc);

const a = heap.malloc(10);
const b = heap.malloc(10);
writeCString(proc, a, 'hello');
writeCString(proc, b, 'neighbour');
const moved = heap.realloc(a, 40);
console.log(`a = ${hex(a)}, b = ${hex(b)}, realloc(a, 40) = ${hex(moved)}\n`);
console.log(proc.hexdump(moved, 40));
