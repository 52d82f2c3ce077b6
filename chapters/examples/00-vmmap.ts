// A vmmap-style summary of a process, made by the reference solution of the warm-up.
import { Process, formatBytes } from '../../machine/index.ts';
import { summarizeMaps } from '../../solutions/00-the-process/vmmap.ts';

const proc = new Process();
proc.sbrk(100_000);
proc.mmap(64 * 1024);
proc.mmap(1 << 20, undefined, { name: 'big' });
proc.mmap(8192);

console.log('REGION'.padEnd(20) + 'COUNT'.padStart(6) + 'SIZE'.padStart(12));
for (const row of summarizeMaps(proc.maps())) {
  console.log(row.name.padEnd(20) + String(row.mappings).padStart(6) + formatBytes(row.bytes).padStart(12));
}
