// `npm run bench -- machine`: loads and stores per second of the simulated memory, next to
// the same loop on a plain DataView over an ArrayBuffer, measured side by side in one run.

import { Process } from '../../machine/index.ts';

const BYTES = 1 << 20; // the loop walks 1 MiB as 32-bit words, then as 64-bit words
const ACCESSES_PER_PASS = (BYTES / 4) * 2 + (BYTES / 8) * 2;
const TWO_32 = 4294967296;

// The two loops are written out separately, so that each call site sees one kind of memory.

function passSimulated(proc: Process, base: number): number {
  let sum = 0;
  for (let a = base; a < base + BYTES; a += 4) proc.store32(a, a);
  for (let a = base; a < base + BYTES; a += 4) sum += proc.load32(a);
  for (let a = base; a < base + BYTES; a += 8) proc.store64(a, a * 3);
  for (let a = base; a < base + BYTES; a += 8) sum += proc.load64(a);
  return sum;
}

function passDataView(view: DataView, base: number): number {
  let sum = 0;
  for (let a = base; a < base + BYTES; a += 4) view.setUint32(a - base, a, true);
  for (let a = base; a < base + BYTES; a += 4) sum += view.getUint32(a - base, true);
  for (let a = base; a < base + BYTES; a += 8) {
    view.setUint32(a - base, (a * 3) >>> 0, true);
    view.setInt32(a - base + 4, Math.floor((a * 3) / TWO_32), true);
  }
  for (let a = base; a < base + BYTES; a += 8) sum += view.getInt32(a - base + 4, true) * TWO_32 + view.getUint32(a - base, true);
  return sum;
}

function secondsFor(run: () => number): number {
  const started = process.hrtime.bigint();
  if (run() === -1) console.log('unreachable'); // keeps the loads alive
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export interface MachineBenchResult {
  simulatedOpsPerSecond: number;
  dataViewOpsPerSecond: number;
  /** How many times slower the simulated memory is than a plain DataView (best round against best round). */
  slowdown: number;
}

/** Alternates the two loops, round after round, so both see the same machine load. */
export function benchMachine(rounds = 15, onRound?: (done: number, total: number) => void): MachineBenchResult {
  const proc = new Process();
  const base = proc.sbrk(BYTES);
  const view = new DataView(new ArrayBuffer(BYTES));
  for (let i = 0; i < 3; i++) {
    passSimulated(proc, base); // warm-up: the JIT compiles both loops
    passDataView(view, base);
  }
  const simulated: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const s = secondsFor(() => passSimulated(proc, base));
    const d = secondsFor(() => passDataView(view, base));
    simulated.push(ACCESSES_PER_PASS / s);
    plain.push(ACCESSES_PER_PASS / d);
    onRound?.(i + 1, rounds);
  }
  // The fastest round of each is the one least disturbed by the rest of the machine.
  const simulatedOpsPerSecond = Math.max(...simulated);
  const dataViewOpsPerSecond = Math.max(...plain);
  return { simulatedOpsPerSecond, dataViewOpsPerSecond, slowdown: dataViewOpsPerSecond / simulatedOpsPerSecond };
}
