// The zero_from global follows the top of the heap: up as it grows, down to a page boundary as it shrinks.
import { Process, hex } from '../../machine/index.ts';
import { GLOBALS } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator } from '../../solutions/04-realloc/realloc.ts';

const proc = new Process();
const heap = createAllocator(proc);
const zeroFrom = proc.static(GLOBALS.zeroFrom, 8);
const epilogue = proc.static(GLOBALS.epilogue, 8);

console.log('after                       epilogue    break       zero_from');
function show(what: string): void {
  console.log(`${what.padEnd(27)} ${hex(proc.load64(epilogue))}  ${hex(proc.currentBreak)}  ${hex(proc.load64(zeroFrom))}`);
}

show('nothing yet');
heap.malloc(100);
show('malloc(100)');
const big = heap.malloc(300 * 1024);
show('malloc(300 * 1024)');
proc.memset(big, 0xff, 300 * 1024);
heap.free(big);
show('free: the top is trimmed');
heap.malloc(200);
show('malloc(200)');
