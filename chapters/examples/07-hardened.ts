// The same overrun into a free block, in chapter 5's zone and in the hardened free lists.
import { HeapCorruption, Process, SegmentationFault, hex } from '../../machine/index.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';
import { createHardenedZone } from '../../solutions/07-debug/hardened.ts';

{
  const proc = new Process();
  const zone = createZone(proc);
  const [a, b, , d] = [zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32), zone.malloc(32)];
  zone.free(b);
  zone.free(d);
  proc.memset(a, 0x41, 40);
  zone.malloc(32);
  try {
    zone.malloc(32);
  } catch (error) {
    if (!(error instanceof SegmentationFault)) throw error;
    console.log(`chapter 5's zone, a = ${hex(a)}, b = ${hex(b)} free, memset(a, 'A', 40):\n  ${error.message.split('\n')[0]}\n`);
  }
}
{
  const proc = new Process();
  const zone = createHardenedZone(proc, { secret: 0x2545f491 });
  const a = zone.malloc(32);
  const b = zone.malloc(32);
  zone.free(b);
  console.log(`hardened, b's sealed link before the overrun:\n${proc.hexdump(b, 16, { from: b, to: b + 8 })}\n`);
  proc.memset(a, 0x41, 40);
  try {
    zone.malloc(32);
  } catch (error) {
    if (!(error instanceof HeapCorruption)) throw error;
    console.log(`hardened, the same overrun, then malloc(32):\n${error.message}`);
  }
}
