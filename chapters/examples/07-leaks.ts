// leaks on a program that keeps a list in a global and drops one buffer.
import { Process } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';

const proc = new Process({ env: { MallocStackLogging: '1' } });
const zone = createAllocator(proc);
const head = proc.static('list_head', 4); // static struct node *head;

function push(value: number): void {
  const node = zone.malloc(16);
  proc.store32(node, proc.load32(head));
  proc.store32(node + 4, value);
  proc.store32(head, node);
}
function readLine(): number {
  return zone.malloc(120); // the caller forgets to free it
}

for (let i = 0; i < 3; i++) push(i);
readLine();
console.log('$ leaks\n');
console.log(zone.leaksReport());
