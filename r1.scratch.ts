import { Process, hex } from './machine/index.ts';
import { createAllocator as c2 } from './solutions/02-free-list/free-list.ts';
import { walkHeap } from './solutions/02-free-list/walk.ts';
import { createAllocator as c3 } from './solutions/03-coalescing/coalescing.ts';
import { createAllocator as c4 } from './solutions/04-realloc/realloc.ts';
import { checkHeap } from './solutions/03-coalescing/check.ts';

// 1. first growth half-fails
{ const proc = new Process({ heapLimit: 4096 }); const a = c3(proc);
  console.log('malloc(4080)', a.malloc(4080), 'errno', proc.errno, 'brk', hex(proc.currentBreak));
  console.log('malloc(1)', a.malloc(1), 'check:', checkHeap(proc).problem.split('\n')[0]); }
{ const proc = new Process({ heapLimit: 1<<20 }); const a = c3(proc);
  proc.sbrk(1 << 20 - 0); // nothing
}
// 2. unaligned break before first malloc
for (const [name, mk] of [['c2', c2], ['c3', c3], ['c4', c4]] as const) {
  const proc = new Process(); proc.sbrk(8); const a = mk(proc);
  const p = a.malloc(16); console.log(name, 'after sbrk(8): malloc(16) =', hex(p), p % 16 === 0 ? 'aligned' : 'MISALIGNED');
}
// 3. c2 after a moved break
{ const proc = new Process(); const a = c2(proc); const p = a.malloc(16); proc.sbrk(100); const q = a.malloc(16);
  try { walkHeap(proc); console.log('c2 walk ok'); } catch (e) { console.log('c2 walk:', (e as Error).message.split('\n')[0]); } }
