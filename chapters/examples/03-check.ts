// A place() that forgets to clear PREV_FREE: the heap checker names the block at once;
// without it, the damage shows up later, in a free of another block.
import { Process, hex } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { Header, PREV_FREE, createAllocator } from '../../solutions/03-coalescing/coalescing.ts';
import { formatSizes } from './03-heap.ts';

const proc = new Process();
const heap = createAllocator(proc);
heap.malloc(100);
const [b, c] = [heap.malloc(100), heap.malloc(100)];
heap.malloc(16);
heap.free(b);
const again = heap.malloc(100); // takes all of b's 128-byte block
proc.memset(again, 0x62, 100);
// The bug: a place() that hands out a whole block but leaves PREV_FREE set in the next one.
const next = c - 16;
Header.write(proc, next, 'flags', Header.read(proc, next, 'flags') | PREV_FREE);
console.log(`free(${hex(b)}), then malloc(100) = ${hex(again)}, with the bug\n`);
console.log(`checkHeap: ${checkHeap(proc).problem}\n`);

console.log(`without the check, the program runs on, and free(${hex(c)}) trusts the flag:\n`);
try {
  heap.free(c);
} catch (error) {
  console.log(`${(error as Error).name}: ${(error as Error).message}`);
}
