// MallocStackLogging=1, then malloc_history for one address: every allocation and free of the
// block that holds it, each with the stack of the program's own functions.
import { Process, hex } from '../../machine/index.ts';
import { createAllocator } from '../../solutions/07-debug/debug.ts';

const proc = new Process({ env: { MallocStackLogging: '1' } });
const zone = createAllocator(proc);

function newNode(): number {
  return zone.malloc(48);
}
function deleteNode(node: number): void {
  zone.free(node);
}
function buildList(): number {
  return newNode();
}

const node = buildList();
deleteNode(node);
const again = newNode(); // the same block, handed out again
console.log(`$ malloc_history ${hex(node + 20)}\n`);
console.log(zone.mallocHistory(node + 20));
void again;
