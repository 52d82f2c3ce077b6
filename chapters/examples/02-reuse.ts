// A freed block is found again by the next malloc that fits, and the break does not move.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { formatHeap } from '../../solutions/02-free-list/walk.ts';

const proc = new Process();
const heap = createAllocator(proc);
const call = (text: string, result: number) => console.log(`${text.padEnd(18)}= ${hex(result)}   break ${hex(proc.currentBreak)}`);

const a = heap.malloc(64);
call('malloc(64)', a);
call('malloc(16)', heap.malloc(16));
heap.free(a);
console.log(`free(${hex(a)})\n\n${formatHeap(proc)}\n`);
call('malloc(50)', heap.malloc(50));
call('malloc(100)', heap.malloc(100));
console.log(`\n${formatHeap(proc)}`);
