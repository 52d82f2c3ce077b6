import { Process, hex } from './machine/index.ts';
import { createAllocator as c3 } from './solutions/03-coalescing/coalescing.ts';
import { checkHeap } from './solutions/03-coalescing/check.ts';
const proc = new Process({ heapLimit: 4096 });
const s = proc.sbrk.bind(proc); (proc as any).sbrk = (n: number) => { const r = s(n); console.log(`sbrk(${n}) = ${hex(r)}`); return r; };
const a = c3(proc);
console.log('malloc(4070)', a.malloc(4070), 'errno', proc.errno, 'brk', hex(proc.currentBreak));
console.log('check:', checkHeap(proc).problem.split('\n')[0]);
console.log('malloc(1)', a.malloc(1), 'errno', proc.errno);
