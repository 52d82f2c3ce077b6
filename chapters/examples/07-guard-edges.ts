// MallocGuardEdges: a large block between two PROT_NONE pages, and a loop that writes one
// word too many.
import { Process, SegmentationFault, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';

const proc = new Process({ env: { MallocGuardEdges: '1' } });
const zone = createAllocator(proc);
const table = zone.malloc(40_000); // 10,000 ints
console.log(`table = malloc(40000) = ${hex(table)}, usable size ${zone.usableSize(table)}\n`);
console.log(proc.maps().split('\n').filter((line) => line.includes('guarded') || line.includes('---p')).join('\n'));
console.log();
try {
  for (let i = 0; i <= 10_240; i++) proc.store32(table + 4 * i, i); // <= : one too many
} catch (error) {
  if (!(error instanceof SegmentationFault)) throw error;
  console.log(error.message.split('\n')[0]);
}
