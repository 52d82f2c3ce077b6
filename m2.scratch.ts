import { Process, hex } from './machine/index.ts';
const p = new Process();
const len = 2 ** 31 - 4096 * 4;
const a = p.mmap(len);
console.log('mmap', hex(a));
const pages = len / 4096;
for (let i = 0; i < pages; i++) p.store8(a + i * 4096, 1);
console.log('resident', p.stats().residentBytes);
const b = p.mmap(4 * 4096);
for (let i = 0; i < 4; i++) {
  try { p.store64(b + i * 4096, 12345); const v = p.load64(b + i * 4096); const v8 = p.load8(b + i * 4096); console.log('page', i, 'load64 ->', v, 'load8 ->', v8); }
  catch (e) { console.log('page', i, (e as Error).constructor.name, (e as Error).message.split('\n')[0]); }
}
