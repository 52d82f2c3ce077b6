import { Process, PAGE_SIZE } from './machine/index.ts';
import { createAllocator as c3 } from './solutions/03-coalescing/coalescing.ts';
import { createAllocator as c4 } from './solutions/04-realloc/realloc.ts';
import { checkHeap } from './solutions/03-coalescing/check.ts';

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; }; }

type Op = string;
function run(seed: number, which: 'c3' | 'c4', fit: 'first'|'next'|'best', heapLimit: number, trimThreshold: number, nops: number): Op[] | null {
  const r = rng(seed);
  const proc = new Process({ heapLimit });
  const a = (which === 'c3' ? c3 : c4)(proc, { fit, trimThreshold });
  const live = new Map<number, { size: number; fill: number }>();
  const log: Op[] = [];
  const sizeOf = () => { const x = r(); return x < 0.6 ? Math.floor(r() * 100) : x < 0.9 ? Math.floor(r() * 2000) : Math.floor(r() * 20000); };
  const verify = (p: number, size: number, fill: number, n = size) => { for (let i = 0; i < Math.min(n, size); i++) if (proc.load8(p + i) !== ((fill + i) & 0xff)) throw new Error(`payload ${p.toString(16)} byte ${i} changed`); };
  const fillB = (p: number, size: number, fill: number) => { for (let i = 0; i < size; i++) proc.store8(p + i, (fill + i) & 0xff); };
  for (let k = 0; k < nops; k++) {
    const x = r();
    const ptrs = [...live.keys()];
    let op = '';
    try {
      if (k === 0) { op = "malloc(0)"; const p = a.malloc(0); if (p) live.set(p, {size:0, fill:0}); } else if (x < 0.35 || ptrs.length === 0) {
        const n = sizeOf(); op = `malloc(${n})`;
        const p = a.malloc(n);
        if (p !== 0) { if (p % 16) throw new Error('misaligned'); const f = Math.floor(r() * 256); fillB(p, n, f); live.set(p, { size: n, fill: f }); }
        op += `=${p.toString(16)}`;
      } else if (x < 0.45) {
        const n = Math.floor(r()*20), m = Math.floor(r()*300); op = `calloc(${n},${m})`;
        const p = a.calloc(n, m);
        if (p !== 0) { for (let i = 0; i < n*m; i++) if (proc.load8(p+i) !== 0) throw new Error(`calloc not zero at +${i}`); const f = Math.floor(r() * 256); fillB(p, n*m, f); live.set(p, { size: n*m, fill: f }); }
        op += `=${p.toString(16)}`;
      } else if (x < 0.75) {
        const p = ptrs[Math.floor(r() * ptrs.length)]; op = `free(${p.toString(16)})`;
        const b = live.get(p)!; verify(p, b.size, b.fill); a.free(p); live.delete(p);
      } else {
        const p = ptrs[Math.floor(r() * ptrs.length)]; const n = sizeOf(); op = `realloc(${p.toString(16)},${n})`;
        const b = live.get(p)!; verify(p, b.size, b.fill);
        const q = a.realloc(p, n);
        op += `=${q.toString(16)}`;
        if (n === 0) { live.delete(p); }
        else if (q !== 0) { if (q % 16) throw new Error('misaligned'); verify(q, b.size, b.fill, n); live.delete(p); const f = Math.floor(r()*256); fillB(q, n, f); live.set(q, { size: n, fill: f }); }
        else verify(p, b.size, b.fill);
      }
      log.push(op);
      // overlap
      const sorted = [...live.entries()].sort((u, v) => u[0] - v[0]);
      for (let i = 1; i < sorted.length; i++) if (sorted[i-1][0] + Math.max(1, sorted[i-1][1].size) > sorted[i][0] - 16) { throw new Error('overlap'); }
      if (which === 'c4') { const zf = proc.load64(proc.static('zero_from', 8)); const brk = proc.currentBreak; for (let q = zf; q < brk; q++) if (proc.load8(q) !== 0) throw new Error(`byte at ${q.toString(16)} above zero_from ${zf.toString(16)} is ${proc.load8(q)}`); }
      const rep = checkHeap(proc);
      if (rep.problem) throw new Error('checkHeap: ' + rep.problem);
    } catch (e) {
      log.push(op);
      console.log(`seed ${seed} ${which} ${fit} limit ${heapLimit} trim ${trimThreshold} after ${k} ops: ${(e as Error).message.split('\n').slice(0,3).join(' | ')}`);
      return log;
    }
  }
  return null;
}
let fails = 0;
for (let seed = 1; seed <= 600 && fails < 15; seed++) {
  for (const which of ['c3', 'c4'] as const) for (const fit of ['first', 'next', 'best'] as const) {
    const limits = [5000, 4096*5+16, 3 * PAGE_SIZE + 48, 60000, 200000, 1<<20];
    const heapLimit = limits[seed % limits.length];
    const trim = [48, 100, 4096, 20000, 128 * 1024][seed % 5];
    const res = run(seed, which, fit, heapLimit, trim, 1000);
    if (res) { fails++; if (fails < 4) console.log(res.slice(-6).join('; ')); }
  }
}
console.log('fails', fails);
