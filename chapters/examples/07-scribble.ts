// MallocScribble: a list node read after it was freed. Without the option the stale value is
// still there and the bug goes unseen; with it, the read returns 0x55555555.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';

for (const env of [{}, { MallocScribble: '1' }] as Record<string, string>[]) {
  const proc = new Process({ env });
  const zone = createAllocator(proc);
  const keep = zone.malloc(32);
  const node = zone.malloc(40); // struct node { next, prev, …, value at +16 }
  console.log(`${Object.keys(env).length === 0 ? 'no options' : 'MallocScribble=1'}: node = malloc(40) = ${hex(node)}`);
  console.log(`  before the program writes it:\n${proc.hexdump(node, 48)}`);
  proc.store32(node + 16, 1234);
  zone.free(node);
  console.log(`  after free(node):\n${proc.hexdump(node, 48, { from: node + 16, to: node + 20 })}`);
  console.log(`  node->value read after free: ${proc.load32(node + 16)} (${hex(proc.load32(node + 16))})\n`);
  zone.free(keep);
}
