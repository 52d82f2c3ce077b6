// A block freed by another thread goes home: to the magazine named by its region's owner
// field, under that magazine's lock, or into its inbox when that lock is busy. For each call:
// the locks it took and its loads and stores.
import { Process, hex } from '../../machine/index.ts';
import { REGION } from '../../solutions/05-zones/region.ts';
import { release } from '../../solutions/06-magazines/cross-thread.ts';
import { INBOX } from '../../solutions/06-magazines/inbox.ts';
import { lock } from '../../solutions/06-magazines/lock.ts';
import { DEPOT, createMagazines } from '../../solutions/06-magazines/magazines.ts';

const proc = new Process();
const magazines = createMagazines(proc, { magazines: 4 });
const ownerOf = (ptr: number) => proc.load32(magazines.tiny.racks[DEPOT].regionOf(ptr) + REGION.owner);
proc.runOn(0, () => magazines.malloc(16)); // each thread keeps a block, so no region empties
proc.runOn(1, () => magazines.malloc(16));

/** Runs `call` on thread `thread` and prints which locks it took and how many loads and stores it made. */
function run(thread: number, what: string, call: () => number | void): number | void {
  const before = magazines.locks().map((l) => l.acquisitions);
  const ops = proc.stats().memoryOps;
  const result = proc.runOn(thread, call);
  const spent = proc.stats().memoryOps - ops;
  const taken = magazines.locks().filter((l, i) => l.acquisitions > before[i]).map((l) => l.name);
  const shown = typeof result === 'number' ? `${what} = ${hex(result)} (owner ${ownerOf(result)})` : what;
  console.log(`thread ${thread}: ${shown.padEnd(46)} locks ${taken.join(', ').padEnd(16)} ${spent} loads and stores`);
  return result;
}

const a = run(0, 'a = malloc(100)', () => magazines.malloc(100)) as number;
run(0, 'free(a)', () => magazines.free(a));
run(0, 'malloc(100)', () => magazines.malloc(100));
console.log('');
const b = run(0, 'b = malloc(100)', () => magazines.malloc(100)) as number;
run(1, 'free(b)', () => magazines.free(b));
run(1, 'malloc(100)', () => magazines.malloc(100));
run(0, 'malloc(100)', () => magazines.malloc(100));
console.log('');
// Thread 0 is inside magazine 1 (we take its lock by hand, as a malloc under way would).
const c = run(0, 'c = malloc(100)', () => magazines.malloc(100)) as number;
proc.runOn(0, () => lock(proc, magazines.tiny.locks[1]));
run(1, 'free(c), magazine 1 busy', () => magazines.free(c));
const inbox = magazines.tiny.inboxes[1];
console.log(`          magazine 1's inbox at ${hex(inbox)} holds ${hex(proc.load32(inbox + INBOX.head))}; blocks in use: ${magazines.statistics('tiny').blocksInUse}`);
run(0, 'release(magazine 1)', () => release(proc, magazines.tiny, 1));
console.log(`          magazine 1's inbox holds ${hex(proc.load32(inbox + INBOX.head))}; blocks in use: ${magazines.statistics('tiny').blocksInUse}`);
