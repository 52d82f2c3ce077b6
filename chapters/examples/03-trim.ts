// A free block of at least 128 KiB at the top of the heap goes back to the kernel.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/03-coalescing/coalescing.ts';

const proc = new Process();
const heap = createAllocator(proc);
const step = (call: string) => {
  const { heapBytes, syscalls } = proc.stats();
  console.log(`${call.padEnd(26)}${String(heapBytes).padStart(9)}  ${hex(proc.currentBreak)}  ${String(syscalls.sbrk).padStart(10)}`);
};

console.log(`${'call'.padEnd(26)}heapBytes  break       sbrk calls`);

const small = heap.malloc(100);
step('malloc(100)');
const big = heap.malloc(512 * 1024);
step('malloc(512 KiB)');
heap.free(big);
step('free(the 512 KiB block)');

console.log('-'.repeat(57));
const middle = heap.malloc(200 * 1024);
step('malloc(200 KiB)');
const guard = heap.malloc(1000);
step('malloc(1000)');
heap.free(middle);
step('free(the 200 KiB block)');
heap.free(guard);
step('free(the 1000-byte block)');
heap.free(small);
step('free(the 100-byte block)');
