// The allocators of chapters 2 to 4 over the shipped traces: average utilization, and the loads
// and stores each call costs (memory operations are counted, so they are the same on every build).

import { ALLOCATORS, runsOf } from './runs.ts';
import { averageOf } from '../../workbook/trace/run.ts';
import { renderBarChart, renderTable, percent } from './svg.ts';
import type { Chart } from './index.ts';

export interface AllocatorsData {
  allocators: { id: string; label: string; traces: number; passed: number; utilization: number | null; memoryOpsPerCall: number | null }[];
}

export const allocators: Chart<AllocatorsData> = {
  measure(root) {
    return {
      allocators: Object.entries(ALLOCATORS).map(([id, { label }]) => {
        const average = averageOf(runsOf(root, id));
        return { id, label, traces: average.traces, passed: average.passed, utilization: average.utilization ?? null, memoryOpsPerCall: average.memoryOpsPerCall ?? null };
      }),
    };
  },
  render(data) {
    const series = data.allocators.map((a) => a.label);
    const top = Math.max(1, ...data.allocators.map((a) => a.memoryOpsPerCall ?? 0));
    const step = 10 ** Math.floor(Math.log10(top));
    const max = Math.ceil(top / step) * step;
    const utilization = renderBarChart({
      title: 'Average utilization of each allocator over traces/',
      desc: `${data.allocators.map((a) => `${a.label}: ${a.utilization === null ? 'no trace passed' : percent(a.utilization)}`).join('; ')}. Higher is better.`,
      groups: series,
      series: ['utilization'],
      colorByGroup: true,
      values: data.allocators.map((a) => [a.utilization ?? undefined]),
      axis: { label: 'average utilization', max: 1, format: percent, ticks: 4 },
      width: 420,
    });
    const ops = renderBarChart({
      title: 'Memory operations per call of each allocator over traces/',
      desc: `${data.allocators.map((a) => `${a.label}: ${a.memoryOpsPerCall === null ? 'not measured' : a.memoryOpsPerCall.toFixed(1)}`).join('; ')}. Lower is faster.`,
      groups: series,
      series: ['memory operations per call'],
      colorByGroup: true,
      values: data.allocators.map((a) => [a.memoryOpsPerCall ?? undefined]),
      axis: { label: 'memory operations per call', max, format: (v) => String(Math.round(v)), ticks: max / step <= 5 ? max / step : 4 },
      width: 420,
    });
    const rows = data.allocators.map((a) => [
      a.label,
      a.utilization === null ? '–' : percent(a.utilization),
      a.memoryOpsPerCall === null ? '–' : a.memoryOpsPerCall.toFixed(1),
      `${a.passed} of ${a.traces}`,
    ]);
    return `<div class="chart-row">${utilization}${ops}</div>
<figcaption>The reference allocators of chapters 2, 3 and 4 over every trace of <code>traces/</code>, as <code>npm run trace</code> replays them: utilization averaged over the traces, and loads and stores (with bulk copies and fills) per call, measured when this page was built.</figcaption>
${renderTable('Average utilization and memory operations per call', ['allocator', 'utilization', 'memory ops per call', 'traces passed'], rows)}`;
  },
};
