// The same process after the heap grows (sbrk) and a region is mapped (mmap).
import { Process, hex } from '../../machine/index.ts';

const proc = new Process();
const heap = proc.sbrk(10_000); // returns the old break: where the new bytes begin
const region = proc.mmap(8192); // returns a page-aligned address chosen by the kernel

console.log(`sbrk(10000) returned ${hex(heap)}; the break is now ${hex(proc.sbrk(0))}`);
console.log(`mmap(8192)  returned ${hex(region)}`);
console.log();
console.log(proc.maps());
