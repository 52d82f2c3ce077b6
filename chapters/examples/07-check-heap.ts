// MallocCheckHeapStart=1 MallocCheckHeapEach=1: a write 16 bytes past a tiny block lands on the
// free block after it, and the check after the next operation names that block.
import { HeapCorruption, Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';

const proc = new Process({ env: { MallocCheckHeapStart: '1', MallocCheckHeapEach: '1' } });
const zone = createAllocator(proc);
const [a, b, , d] = [zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32)];
zone.free(b); // operation #6
zone.free(d); // operation #7: b is filed on the free list of 2-quantum blocks
console.log(`a = ${hex(a)}, b = ${hex(b)} (free); memset(a, 'A', 48): 16 bytes too many\n`);
proc.memset(a, 0x41, 48);
try {
  zone.malloc(200); // operation #8
} catch (error) {
  if (!(error instanceof HeapCorruption)) throw error;
  console.log(error.message);
}
