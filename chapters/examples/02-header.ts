// One block and its header, read back from the bytes, and the global that points at it.
import { Process, hex } from '../../machine/index.ts';
import { BlockMeta, META_SIZE, createAllocator } from '../../solutions/02-free-list/free-list.ts';
import { writeCString } from '../../solutions/00-the-process/memory.ts';

const proc = new Process();
const heap = createAllocator(proc);

const ptr = heap.malloc(40);
writeCString(proc, ptr, 'payload');
const block = ptr - META_SIZE;
const globalBase = proc.static('global_base', 8);

console.log(`malloc(40) = ${hex(ptr)}; its header is at ${hex(block)}`);
console.log(`global_base, at ${hex(globalBase)}, holds ${hex(proc.load64(globalBase))}\n`);
console.log(`header: ${BlockMeta.describe(proc, block)}`);
console.log(proc.hexdump(block, META_SIZE + 16, { from: block, to: block + BlockMeta.sizeof }));
