// Payload and footprint along a replay, as a line chart: the live payload as a shaded area, and
// each allocator's footprint as a line above it. The gap between them is the memory the
// allocator holds and the program does not: headers, rounding, free blocks, untouched tails.
// Drawn by `npm run trace -- … --svg` and by the charts of the chapters.

import type { Timeline } from '../../workbook/trace/timeline.ts';
import { roundAxis, type LineAxis, type LineChart } from './svg.ts';

export interface TimelineRun {
  /** The allocator's name, as the legend shows it. */
  name: string;
  timeline: Timeline;
  /** The operation the run failed at, if it did: its line stops there. */
  failedAt?: number;
}

const UNITS = [
  { size: 1024 * 1024, name: 'MiB' },
  { size: 1024, name: 'KiB' },
  { size: 1, name: 'bytes' },
];

/** An axis of bytes up to at least `max`, in the unit that keeps its numbers short. */
export function byteAxis(max: number, ticks = 4): Omit<LineAxis, 'label'> {
  const unit = UNITS.find((u) => max >= u.size) ?? UNITS[UNITS.length - 1];
  // Whole bytes at least: a heap that took nothing (a run that failed at once) reads 0 to 4 bytes, not 0.3.
  const top = Math.max(roundAxis(max / unit.size, ticks) * unit.size, ticks);
  const format = (value: number) => {
    const n = Number((value / unit.size).toFixed(1));
    return value === 0 ? '0' : `${n} ${n === 1 && unit.size === 1 ? 'byte' : unit.name}`;
  };
  return { max: top, ticks, step: top / ticks, format };
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** One trace's chart: its payload, then each run's footprint. */
export function timelineChart(trace: string, runs: readonly TimelineRun[], width?: number): LineChart {
  const longest = runs.reduce((a, b) => (b.timeline.payload.length > a.timeline.payload.length ? b : a));
  // An axis of whole operations, one at the least: a trace of none still has a width to draw in.
  const ops = Math.max(1, longest.timeline.ops);
  const highest = Math.max(...runs.flatMap((r) => r.timeline.footprint), ...longest.timeline.payload);
  const peak = (values: readonly number[]) => Math.max(0, ...values);
  const y = byteAxis(highest);
  const described = runs.map((r) => `${r.name} peaks at ${y.format(peak(r.timeline.footprint))}${r.failedAt !== undefined ? ` (its run failed at operation ${count(r.failedAt)}, where the line stops)` : ''}`);
  return {
    title: `Live payload and footprint along ${trace}`,
    desc: `The payload peaks at ${y.format(peak(longest.timeline.payload))}; ${described.join('; ')}. The closer a line stays to the shaded payload, the less memory the allocator holds that the program does not use.`,
    x: { label: `operations of ${trace}`, max: ops, format: count, ticks: 4, step: Math.max(1, roundAxis(ops, 4) / 4) },
    y: { label: 'bytes', ...y },
    lines: [
      { name: 'live payload', values: longest.timeline.payload, color: 5, area: true, step: longest.timeline.every },
      // A failed run says so in the legend: a line that stops at once is easy to miss.
      ...runs.map((r, i) => ({ name: `${r.name} footprint${r.failedAt !== undefined ? `, failed at operation ${count(r.failedAt)}` : ''}`, values: r.timeline.footprint, color: i < 5 ? i : i + 1, step: r.timeline.every })), // colour 5 is the payload's
    ],
    width,
  };
}
