// The binary-bal pattern in a tiny rack, with one band and with two: blocks of 64 and 448 bytes
// alternate, the 448-byte ones are freed, then blocks of 512 bytes are asked for.
import { PAGE_SIZE, Process } from '../../machine/index.ts';
import { createRack } from '../../solutions/05-zones/rack.ts';
import { TINY } from '../../solutions/05-zones/tiny-region.ts';

const PAIRS = 2_000;

function run(bandLimit: number): string {
  const proc = new Process();
  const rack = createRack(proc, TINY, 63, { bandLimit });
  const malloc = (msize: number) => {
    const ptr = rack.malloc(msize);
    proc.memset(ptr, 1, msize * 16); // the program writes its blocks
    return ptr;
  };
  const free = (ptr: number) => {
    const region = rack.regionOf(ptr);
    rack.free(region, rack.quantumOf(region, ptr, 'free()'));
  };
  const written = () => proc.stats().mappedResidentBytes / PAGE_SIZE;
  const pairs = Array.from({ length: PAIRS }, () => [malloc(4), malloc(28)]);
  const before = written();
  for (const [, big] of pairs) free(big);
  for (let i = 0; i < PAIRS; i++) malloc(32);
  const peak = Math.max(before, written());
  const payload = PAIRS * (64 + 512);
  const utilization = ((100 * payload) / (peak * PAGE_SIZE)).toFixed(1);
  return `${String(peak).padStart(14)}${String(proc.stats().syscalls.mmap).padStart(12)}${`${utilization}%`.padStart(14)}`;
}

console.log(`${PAIRS.toLocaleString('en-US')} x (64 bytes, 448 bytes); the 448-byte blocks freed; ${PAIRS.toLocaleString('en-US')} x 512 bytes`);
console.log(`peak live payload ${(PAIRS * (64 + 512)).toLocaleString('en-US')} bytes\n`);
console.log('                      pages written  mmap calls   utilization');
console.log(`one band             ${run(0)}`);
console.log(`bandLimit 64 bytes   ${run(64)}`);
