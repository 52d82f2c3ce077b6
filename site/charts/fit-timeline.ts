// The coalescing trace under first, next and best fit, drawn along the replay: the payload the
// program holds, and the heap each policy needs for it. First fit's heap climbs while the
// payload stays low: the picture of the fragmentation chapter 3 measures at the peak.

import { join } from 'node:path';
import { ALLOCATORS, shippedTraces } from './runs.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import type { Timeline } from '../../workbook/trace/timeline.ts';
import { renderLineChart, renderTable } from './svg.ts';
import { byteAxis, timelineChart } from './timeline.ts';
import type { Chart } from './index.ts';

const FITS = ['first', 'next', 'best'] as const;
const TRACE = 'traces/coalescing.rep';

export interface FitTimelineData {
  trace: string;
  /** One per fit policy, in FITS order; null for a run that failed. */
  timelines: (Timeline | null)[];
  peakPayload: number;
}

export const fitTimeline: Chart<FitTimelineData> = {
  measure(root) {
    const trace = shippedTraces(root).find((t) => t.name === TRACE);
    if (trace === undefined) throw new Error(`The chart fit-timeline draws ${TRACE}, which is not in ${join(root, 'traces')}.`);
    const results = FITS.map((fit) => replayChecked(trace, ALLOCATORS.coalescing.create, { allocatorOptions: { fit }, timeline: true }));
    return {
      trace: TRACE,
      timelines: results.map((r) => (r.failure === undefined && r.timeline !== undefined ? r.timeline : null)),
      peakPayload: results[0].peakPayload,
    };
  },
  render(data) {
    const runs = FITS.flatMap((fit, f) => {
      const timeline = data.timelines[f];
      return timeline === null ? [] : [{ name: `${fit} fit`, timeline }];
    });
    const svg = renderLineChart(timelineChart(data.trace, runs));
    const bytes = byteAxis(data.peakPayload).format;
    const rows = FITS.map((fit, f) => {
      const timeline = data.timelines[f];
      if (timeline === null) return [`${fit} fit`, 'failed', ''];
      const peak = Math.max(...timeline.footprint);
      return [`${fit} fit`, bytes(peak), `${Math.round((100 * data.peakPayload) / peak)}%`];
    });
    return `${svg}
<figcaption>Live payload (shaded) and heap size (<code>heapBytes</code>) after each operation of <code>${data.trace}</code>, replayed through <code>solutions/03-coalescing/coalescing.ts</code> under each fit policy when this page was built; each point is the highest of ${runs[0]?.timeline.every ?? 1} operations. <code>npm run trace -- coalescing traces/coalescing.rep --svg heap.svg</code> draws yours.</figcaption>
${renderTable(`Peak heap along ${data.trace}, whose payload peaks at ${bytes(data.peakPayload)}`, ['policy', 'peak heap', 'peak payload ÷ peak heap'], rows)}`;
  },
};
