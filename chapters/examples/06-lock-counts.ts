// How often each lock is taken when churn.rep runs on 4 logical threads: with a magazine per
// thread, and with one magazine that every thread shares. Waits stay 0 with logical threads:
// a wait there would be a Deadlock.
import { resolve } from 'node:path';
import { Process } from '../../machine/index.ts';
import { createMagazines, type Magazines } from '../../solutions/06-magazines/magazines.ts';
import { TRACE_PROCESS, bareReplay } from '../../workbook/trace/driver.ts';
import { readTraces } from '../../workbook/trace/run.ts';
import { THREADS, spread, threadOf } from './06-spread.ts';

const root = resolve(import.meta.dirname, '../..');
const [trace] = readTraces([resolve(root, 'traces/churn.rep')], root);

function locksAfter(count: number): Magazines {
  const proc = new Process(TRACE_PROCESS);
  let made: Magazines | undefined;
  const allocator = spread(trace, (p) => (made = createMagazines(p, { magazines: count })))(proc);
  bareReplay(trace, allocator);
  return made!;
}
const [four, one] = [locksAfter(THREADS), locksAfter(1)];
const frees = trace.ops.filter((op) => op.kind === 'f');
const handed = frees.filter((op) => threadOf(op) !== op.id % THREADS).length;
console.log(`churn.rep on ${THREADS} threads: ${trace.ops.length.toLocaleString('en-US')} calls; ${handed.toLocaleString('en-US')} of the ${frees.length.toLocaleString('en-US')} frees made by another thread\n`);

const count = (n: number) => (n === 0 ? '-' : n.toLocaleString('en-US'));
console.log(`${'lock'.padEnd(18)}${'4 magazines'.padStart(13)}${'1 magazine'.padStart(13)}`);
const byName = new Map(one.locks().map((l) => [l.name, l.acquisitions]));
for (const lock of four.locks()) {
  if (lock.acquisitions === 0 && (byName.get(lock.name) ?? 0) === 0) continue;
  console.log(`${lock.name.padEnd(18)}${count(lock.acquisitions).padStart(13)}${count(byName.get(lock.name) ?? 0).padStart(13)}`);
}
const busiest = (m: Magazines) => Math.max(...m.locks().map((l) => l.acquisitions));
const total = (m: Magazines) => m.locks().reduce((sum, l) => sum + l.acquisitions, 0);
const waits = (m: Magazines) => m.locks().reduce((sum, l) => sum + l.waits, 0);
console.log(`${'all locks'.padEnd(18)}${count(total(four)).padStart(13)}${count(total(one)).padStart(13)}`);
console.log(`\nthe busiest lock takes ${Math.round((100 * busiest(four)) / total(four))}% of the acquisitions with 4 magazines, ${Math.round((100 * busiest(one)) / total(one))}% with 1; waits: ${waits(four)} and ${waits(one)}`);
