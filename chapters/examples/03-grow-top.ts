// When no free block fits, the heap grows only by what the free block at its top lacks.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/03-coalescing/coalescing.ts';
import { formatBlocks } from './03-heap.ts';

const proc = new Process();
const heap = createAllocator(proc);
heap.malloc(16);
const top = heap.malloc(1000);
heap.free(top);
console.log(`free(${hex(top)}) leaves a free block at the top; heap ${proc.stats().heapBytes} bytes\n\n${formatBlocks(proc)}\n`);

const before = proc.stats().heapBytes;
const p = heap.malloc(2000);
const grown = proc.stats().heapBytes - before;
console.log(`malloc(2000) = ${hex(p)}; the heap grew by ${grown} bytes, to ${proc.stats().heapBytes}\n\n${formatBlocks(proc)}`);
