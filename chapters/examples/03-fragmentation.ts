// Each shipped trace under first, next and best fit: where the heap's bytes are at its peak
// footprint, and how many loads and stores the allocator made per call over the whole trace.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Process } from '../../machine/index.ts';
import { checkHeap } from '../../solutions/03-coalescing/check.ts';
import { createAllocator, type FitPolicy } from '../../solutions/03-coalescing/coalescing.ts';
import { TRACE_PROCESS } from '../../workbook/trace/driver.ts';
import { readRep, type Trace } from '../../workbook/trace/rep.ts';

interface Replay {
  proc: Process;
  /** By trace id: the live pointer and the bytes the trace asked for. */
  live: Map<number, { ptr: number; bytes: number }>;
}

/** Replays the first `count` operations of `trace` in a fresh process; `after` sees each step. */
function replay(trace: Trace, fit: FitPolicy, count: number, after: (r: Replay, op: number) => void = () => {}): Replay {
  const proc = new Process(TRACE_PROCESS);
  const heap = createAllocator(proc, { fit });
  const live = new Map<number, { ptr: number; bytes: number }>();
  trace.ops.slice(0, count).forEach((op, i) => {
    if (op.kind === 'a') live.set(op.id, { ptr: heap.malloc(op.bytes), bytes: op.bytes });
    else if (op.kind === 'f') {
      heap.free(live.get(op.id)!.ptr);
      live.delete(op.id);
    } else {
      const ptr = heap.realloc(live.get(op.id)!.ptr, op.bytes);
      if (ptr === 0) live.delete(op.id); // realloc(p, 0) freed it
      else live.set(op.id, { ptr, bytes: op.bytes });
    }
    after({ proc, live }, i);
  });
  return { proc, live };
}

const footprint = (proc: Process) => proc.stats().heapBytes + proc.stats().mappedBytes;
const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

const rows: string[][] = [['trace', 'fit', 'heap at peak', 'util', 'internal', 'free', 'ext. frag', 'mem ops/call']];
const dir = resolve(import.meta.dirname, '../../traces');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.rep')).sort()) {
  const trace = readRep(resolve(dir, file), file);
  for (const fit of ['first', 'next', 'best'] as const) {
    // First pass: the whole trace, for the memory operations and the operation where the footprint peaks.
    let peak = 0;
    let peakAt = 0;
    const whole = replay(trace, fit, trace.ops.length, ({ proc }, i) => {
      if (footprint(proc) > peak) [peak, peakAt] = [footprint(proc), i];
    });
    const memoryOps = whole.proc.stats().memoryOps;

    // Second pass: stop at the peak and walk the heap there.
    const { proc, live } = replay(trace, fit, peakAt + 1);
    const requested = [...live.values()].reduce((sum, b) => sum + b.bytes, 0);
    const blocks = checkHeap(proc).blocks;
    const used = blocks.filter((b) => !b.free).reduce((sum, b) => sum + b.size, 0);
    const free = blocks.filter((b) => b.free).map((b) => b.size);
    const freeBytes = free.reduce((sum, size) => sum + size, 0);
    const largest = Math.max(0, ...free);
    const heapBytes = footprint(proc);
    rows.push([
      file.replace('.rep', ''),
      fit,
      `${(heapBytes / 1024).toFixed(1)} KiB`,
      percent(requested, heapBytes),
      percent(used - requested, heapBytes),
      percent(freeBytes, heapBytes),
      percent(freeBytes - largest, freeBytes),
      (memoryOps / trace.ops.length).toFixed(1),
    ]);
  }
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
rows.forEach((row, i) => {
  console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  if (i === 0 || (i % 3 === 0 && i < rows.length - 1)) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
});
