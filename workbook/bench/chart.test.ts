// npm run bench -- --svg: the averages of a run as one SVG file, drawn by the site's chart code.

import { describe, expect, it } from 'vitest';
import type { BenchDocument } from './allocators.ts';
import { benchChart } from './chart.ts';

const average = (allocator: string, utilization: number | undefined, vsBump: number | undefined, vsThing: number | undefined) => ({ allocator, traces: 2, passed: 2, utilization, memoryOpsPerCall: undefined, opsPerSecond: 1e6, vsBump, vsThing });

const document: BenchDocument = {
  traces: ['traces/a.rep', 'traces/b.rep'],
  allocators: ['bump', 'free-list', '@thi.ng/malloc'],
  rows: [],
  averages: [average('bump', 0.3, 1, 4), average('free-list', 0.5, 0.008, 0.03), average('@thi.ng/malloc', undefined, 0.25, 1)],
  notes: [],
  targets: [],
};

describe('the SVG chart of npm run bench', () => {
  const svg = benchChart(document);

  it('is a file of its own: an XML declaration, one root element holding two charts, and its styles', () => {
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(svg).toContain('<style>');
    expect(svg).toContain('<title>npm run bench: 3 allocators on 2 traces</title>');
  });

  it('shows each allocator\'s average utilization, and a ✗ where it has none', () => {
    expect(svg).toContain('<title>bump, average utilization: 30%</title>');
    expect(svg).toContain('<title>free-list, average utilization: 50%</title>');
    expect(svg).toContain('>✗</text>');
  });

  it('shows its speed over bump\'s and @thi.ng/malloc\'s on a logarithmic axis, a grid line at each power of ten', () => {
    expect(svg).toContain('<title>free-list, × bump: 0.008×</title>');
    expect(svg).toContain('<title>bump, × @thi.ng/malloc: 4×</title>');
    const ticks = [...svg.matchAll(/text-anchor="end">([^<]*×)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0.001×', '0.01×', '0.1×', '1×', '10×']);
  });
});
