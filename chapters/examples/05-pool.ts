// A pool of 24-byte objects against the zone's malloc(24): 5,000 objects allocated, then all
// freed, round after round. Loads and stores are counted by the machine, so the figures are
// the same everywhere; run with --time to add wall-clock time on your machine.
import { Process } from '../../machine/index.ts';
import { createPool } from '../../solutions/05-zones/pool.ts';
import { createZone } from '../../solutions/05-zones/zone.ts';

const OBJECTS = 5_000;
const ROUNDS = 40;
const SIZE = 24;
const timed = process.argv.includes('--time');

interface Heap {
  alloc(): number;
  free(ptr: number): void;
}

/** The loads and stores per call of `ROUNDS` rounds, and the milliseconds they took. */
function run(make: (proc: Process) => Heap): { opsPerCall: number; ms: number; mmaps: number } {
  const proc = new Process();
  const heap = make(proc);
  const objects = new Array<number>(OBJECTS);
  const before = proc.stats().memoryOps;
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < OBJECTS; i++) objects[i] = heap.alloc();
    for (let i = 0; i < OBJECTS; i++) heap.free(objects[i]);
  }
  const ms = performance.now() - start;
  const stats = proc.stats();
  return { opsPerCall: (stats.memoryOps - before) / (2 * OBJECTS * ROUNDS), ms, mmaps: stats.syscalls.mmap };
}

const makeZone = (proc: Process): Heap => {
  const z = createZone(proc);
  z.malloc(16); // something else the program keeps, so the region stays between rounds
  return { alloc: () => z.malloc(SIZE), free: (ptr) => z.free(ptr) };
};
const makePool = (proc: Process): Heap => {
  const p = createPool(proc, SIZE, 'objects');
  return { alloc: () => p.alloc(), free: (ptr) => p.free(ptr) };
};
if (timed) {
  // A warm-up, so the timed runs meet compiled code.
  run(makeZone);
  run(makePool);
}
const zone = run(makeZone);
const pool = run(makePool);

console.log(`${ROUNDS} rounds of ${OBJECTS.toLocaleString('en-US')} x ${SIZE}-byte objects: all allocated, then all freed\n`);
console.log(`                     loads and stores per call   mmap calls${timed ? '   milliseconds' : ''}`);
for (const [name, r] of [['zone, malloc/free', zone], ['pool, alloc/free', pool]] as const) {
  console.log(`${name.padEnd(21)}${r.opsPerCall.toFixed(1).padStart(25)}${String(r.mmaps).padStart(13)}${timed ? r.ms.toFixed(0).padStart(15) : ''}`);
}
console.log(`\nthe pool makes ${(zone.opsPerCall / pool.opsPerCall).toFixed(1)} times fewer loads and stores${timed ? `, and runs ${(zone.ms / pool.ms).toFixed(1)} times faster here` : ''}`);
