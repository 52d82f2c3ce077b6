// Every allocator of the book on the real programs of traces/recorded/: utilization and the
// loads and stores each call costs. The free list of chapter 2 walks every block on each call,
// so it skips python3.rep (50,000 live blocks: minutes); a skipped run draws no bar.

import type { CreateAllocator } from '../../machine/index.ts';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { createAllocator as batched } from '../../solutions/01-bump/batched.ts';
import { createAllocator as freeList } from '../../solutions/02-free-list/free-list.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { createAllocator as magazines } from '../../solutions/06-magazines/magazines.ts';
import { shippedRecordings } from '../../workbook/record/shipped.ts';
import { readTraces, runTraces } from '../../workbook/trace/run.ts';
import { traceLabel } from './runs.ts';
import { percent, renderBarChart, renderTable } from './svg.ts';
import type { Chart } from './index.ts';

const RECORDED: { label: string; create: CreateAllocator; skip?: string[] }[] = [
  { label: 'bump', create: bump },
  { label: 'batched', create: batched },
  { label: 'free list', create: freeList, skip: ['python3'] },
  { label: 'coalescing', create: coalescing },
  { label: 'realloc', create: realloc },
  { label: 'zones', create: zones },
  { label: 'magazines', create: magazines },
];

/** The foot of the logarithmic axis of memory operations per call. */
const LOG_MIN = 0.1;

export interface RecordedData {
  traces: string[];
  allocators: string[];
  /** [trace][allocator]; null for a run skipped or failed. */
  utilization: (number | null)[][];
  memoryOpsPerCall: (number | null)[][];
}

export const recorded: Chart<RecordedData> = {
  measure(root) {
    const traces = readTraces(shippedRecordings(root), root);
    const runs = traces.map((trace) =>
      RECORDED.map(({ create, skip }) => {
        if (skip?.includes(traceLabel(trace.name))) return null;
        const { result } = runTraces([trace], create, { shrink: false, replay: { timing: false } })[0];
        return result.failure === undefined ? result : null;
      }),
    );
    return {
      traces: traces.map((t) => traceLabel(t.name)),
      allocators: RECORDED.map((a) => a.label),
      utilization: runs.map((row) => row.map((r) => r?.utilization ?? null)),
      memoryOpsPerCall: runs.map((row) => row.map((r) => r?.memoryOpsPerCall ?? null)),
    };
  },
  render(data) {
    const ops = (v: number) => (v >= 10 ? String(Math.round(v)) : String(Number(v.toFixed(1)))); // 0.1, 1, 10: no 1.0 among the powers of ten
    const utilization = renderBarChart({
      title: 'Utilization of every allocator of the book on the recorded programs',
      desc: `Bars for ${data.allocators.join(', ')} on each program of traces/recorded/: peak bytes asked for ÷ peak footprint. Higher is better.`,
      groups: data.traces,
      series: data.allocators,
      values: data.utilization.map((row) => row.map((v) => v ?? undefined)),
      axis: { label: 'utilization', max: 1, format: percent, ticks: 4 },
    });
    const cost = renderBarChart({
      title: 'Memory operations per call of every allocator on the recorded programs',
      desc: `Bars for ${data.allocators.join(', ')} on each program of traces/recorded/, on a logarithmic axis. Lower is faster.`,
      groups: data.traces,
      series: data.allocators,
      values: data.memoryOpsPerCall.map((row) => row.map((v) => v ?? undefined)),
      axis: { label: 'memory ops per call', max: 10_000, format: ops, ticks: 5, log: { min: LOG_MIN } },
    });
    const below = data.allocators.filter((_, i) => data.memoryOpsPerCall.some((row) => row[i] !== null && row[i]! < LOG_MIN));
    const rows = data.traces.flatMap((trace, t) =>
      data.allocators.map((a, i) => [
        `${trace}, ${a}`,
        data.utilization[t][i] === null ? '–' : percent(data.utilization[t][i]!),
        data.memoryOpsPerCall[t][i] === null ? '–' : data.memoryOpsPerCall[t][i]!.toFixed(1),
      ]),
    );
    return `${utilization}
${cost}
<figcaption>The reference allocators of chapters 1 to 6 on the four programs of <code>traces/recorded/</code>, as <code>npm run trace</code> replays them: utilization, and loads and stores (with bulk copies and fills) per call, measured when this page was built. A ✗ is a run left out: the free list on python3.${below.length === 0 ? '' : ` &lt;${LOG_MIN} marks a cost below the axis: ${below.join(', ')}, with next to no loads and stores per call.`}</figcaption>
${renderTable('Utilization and memory operations per call on each recorded program', ['program, allocator', 'utilization', 'memory ops per call'], rows)}`;
  },
};
