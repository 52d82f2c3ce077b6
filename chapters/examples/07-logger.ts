// A malloc logger that prints each record with nomallocPrintf, and the record types it is
// called with.
import { Process } from '../../machine/index.ts';
import { createAllocator, setMallocLogger } from '../../solutions/07-debug/debug.ts';
import { printingLogger } from '../../solutions/07-debug/nomalloc.ts';

const proc = new Process();
const zone = createAllocator(proc);
const types: number[] = [];
const print = printingLogger(proc, (text) => process.stdout.write(text));
setMallocLogger(proc, (type, ...rest) => {
  types.push(type);
  print(type, ...rest);
});
const m = zone.malloc(1024);
const r = zone.realloc(m, 8192);
const c = zone.calloc(4, 100);
zone.free(c);
zone.free(r);
setMallocLogger(proc, undefined);
console.log(`\nrecord types: ${types.join(', ')}`);
