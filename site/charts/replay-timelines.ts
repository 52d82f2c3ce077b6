// Charts of a trace drawn along its replay: the payload the program holds, and the footprint
// each allocator needs for it, after every operation. Chapter 3 draws the fit policies on the
// coalescing trace (first fit's heap climbs while the payload stays low), chapter 5 the zone
// beside chapter 4 on the mixed trace (the zone's footprint follows the payload down).

import { join } from 'node:path';
import type { CreateAllocator } from '../../machine/index.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { createAllocator as realloc } from '../../solutions/04-realloc/realloc.ts';
import { createAllocator as zones } from '../../solutions/05-zones/zone.ts';
import { replayChecked } from '../../workbook/trace/driver.ts';
import type { Timeline } from '../../workbook/trace/timeline.ts';
import { shippedTraces } from './runs.ts';
import { renderLineChart, renderTable } from './svg.ts';
import { byteAxis, timelineChart } from './timeline.ts';
import type { Chart } from './index.ts';

export interface ReplayTimelineData {
  trace: string;
  /** In the order of the chart's runs; null for a run that failed. */
  timelines: (Timeline | null)[];
  peakPayload: number;
}

interface TimelineFigure {
  /** A trace of traces/: `traces/coalescing.rep`. */
  trace: string;
  runs: { label: string; create: CreateAllocator; options?: object }[];
  /** The caption's first sentence: what was replayed through what. */
  caption: string;
  /** The command that draws the same picture for the reader's own allocator. */
  yours: string;
}

function timelineFigure(figure: TimelineFigure): Chart<ReplayTimelineData> {
  return {
    measure(root) {
      const trace = shippedTraces(root).find((t) => t.name === figure.trace);
      if (trace === undefined) throw new Error(`A chart draws ${figure.trace}, which is not in ${join(root, 'traces')}.`);
      const results = figure.runs.map((run) => replayChecked(trace, run.create, { allocatorOptions: run.options, timeline: true }));
      return {
        trace: figure.trace,
        timelines: results.map((r) => (r.failure === undefined && r.timeline !== undefined ? r.timeline : null)),
        peakPayload: results[0].peakPayload,
      };
    },
    render(data) {
      const drawn = figure.runs.flatMap((run, r) => {
        const timeline = data.timelines[r];
        return timeline === null ? [] : [{ name: run.label, timeline }];
      });
      // A reference that fails its trace is the book's bug: say so where the picture would be.
      if (drawn.length === 0) return `<p class="chart-failed">Every run of <code>${data.trace}</code> failed when this page was built: replay it with <code>npm run trace -- … --target solutions</code> to see why.</p>`;
      const svg = renderLineChart(timelineChart(data.trace, drawn));
      const bytes = byteAxis(data.peakPayload).format;
      const rows = figure.runs.map((run, r) => {
        const timeline = data.timelines[r];
        if (timeline === null) return [run.label, 'failed', ''];
        const peak = Math.max(...timeline.footprint);
        return [run.label, bytes(peak), `${Math.round((100 * data.peakPayload) / peak)}%`];
      });
      return `${svg}
<figcaption>${figure.caption} Each point is the highest of ${drawn[0]?.timeline.every ?? 1} operations. <code>${figure.yours}</code> draws yours.</figcaption>
${renderTable(`Peak footprint along ${data.trace}, whose payload peaks at ${bytes(data.peakPayload)}`, ['allocator', 'peak footprint', 'peak payload ÷ peak footprint'], rows)}`;
    },
  };
}

export const fitTimeline = timelineFigure({
  trace: 'traces/coalescing.rep',
  runs: ['first', 'next', 'best'].map((fit) => ({ label: `${fit} fit`, create: coalescing, options: { fit } })),
  caption:
    'Live payload (shaded) and heap size (<code>heapBytes</code>) after each operation of <code>traces/coalescing.rep</code>, replayed through <code>solutions/03-coalescing/coalescing.ts</code> under each fit policy when this page was built.',
  yours: 'npm run trace -- coalescing traces/coalescing.rep --svg heap.svg',
});

export const zonesTimeline = timelineFigure({
  trace: 'traces/mixed.rep',
  runs: [
    { label: 'chapter 4', create: realloc },
    { label: 'zones', create: zones },
  ],
  caption:
    'Live payload (shaded) and footprint (the heap, plus the <code>mmap</code>\'d pages written) after each operation of <code>traces/mixed.rep</code>, replayed through <code>solutions/04-realloc/realloc.ts</code> and <code>solutions/05-zones/zone.ts</code> when this page was built.',
  yours: 'npm run trace -- zones,realloc traces/mixed.rep --svg footprint.svg',
});
