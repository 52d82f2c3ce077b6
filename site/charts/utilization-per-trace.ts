// The bar chart of chapters 3 and 6: for each trace, a bar per series of its utilization, with
// the numbers in a table under the figure's caption.

import { percent, renderBarChart, renderTable } from './svg.ts';

/** What such a chart measures. */
export interface TraceUtilization {
  traces: string[];
  /** utilization[trace][series], from 0 to 1; null for a run that failed. */
  utilization: (number | null)[][];
}

export interface UtilizationPerTrace extends TraceUtilization {
  title: string;
  desc: string;
  series: string[];
  /** The figure's caption, HTML. */
  caption: string;
  tableCaption: string;
}

export function renderUtilizationPerTrace(chart: UtilizationPerTrace): string {
  const svg = renderBarChart({
    title: chart.title,
    desc: chart.desc,
    groups: chart.traces,
    series: chart.series,
    values: chart.utilization.map((row) => row.map((v) => v ?? undefined)),
    axis: { label: 'utilization', max: 1, format: percent, ticks: 4 },
  });
  const rows = chart.traces.map((trace, t) => [trace, ...chart.utilization[t].map((v) => (v === null ? 'failed' : percent(v)))]);
  return `${svg}
<figcaption>${chart.caption}</figcaption>
${renderTable(chart.tableCaption, ['trace', ...chart.series], rows)}`;
}
