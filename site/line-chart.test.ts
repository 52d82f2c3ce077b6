// Line charts (site/charts/svg.ts) and the payload-and-footprint chart drawn with them
// (site/charts/timeline.ts): what a reader, and a screen reader, gets from one.

import { describe, expect, it } from 'vitest';
import { renderLineChart, renderSvgFile, roundAxis } from './charts/svg.ts';
import { byteAxis, timelineChart } from './charts/timeline.ts';

const timeline = (footprint: number[], payload = footprint.map((b) => b / 2)) => ({ ops: 10 * (footprint.length - 1), every: 10, payload, footprint });

describe('line charts', () => {
  it('round axis tops: steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([roundAxis(85, 4), roundAxis(9.5, 4), roundAxis(4052, 4), roundAxis(0, 4)]).toEqual([100, 10, 8000, 1]);
    const bytes = byteAxis(87_040); // 85 KiB
    expect([bytes.max, bytes.step, bytes.format(bytes.max), bytes.format(0)]).toEqual([102_400, 25_600, '100 KiB', '0']);
    expect(byteAxis(3 * 1024 * 1024).format(1024 * 1024)).toBe('1 MiB');
    expect(byteAxis(700).format(500)).toBe('500 bytes');
  });

  it('draws a line per allocator over the shaded payload, named in the legend and for screen readers', () => {
    const chart = timelineChart('traces/t.rep', [
      { name: 'first fit', timeline: timeline([0, 4096, 8192, 8192]) },
      { name: 'best fit', timeline: timeline([0, 4096, 4096, 4096]) },
    ]);
    const svg = renderLineChart(chart);
    expect(svg).toMatch(/^<svg class="chart" viewBox="0 0 720 260" role="img" aria-label="Live payload and footprint along traces\/t\.rep\. The payload peaks at 4 KiB; first fit peaks at 8 KiB; best fit peaks at 4 KiB\./);
    expect([...svg.matchAll(/<text class="chart-legend" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['live payload', 'first fit footprint', 'best fit footprint']);
    const paths = [...svg.matchAll(/<path d="([^"]+)" style="([^"]+)"/g)];
    expect(paths).toHaveLength(3);
    // The payload's area first, closed down to the axis; then each footprint, a line of four points.
    expect(paths[0][2]).toContain('fill:var(--chart-5)');
    expect(paths[0][1]).toMatch(/ Z$/);
    expect(paths.slice(1).map((p) => p[1].split(' L').length)).toEqual([4, 4]);
    expect(paths.slice(1).map((p) => /stroke:var\(--chart-(\d)\)/.exec(p[2])![1])).toEqual(['0', '1']);
    // Round ticks: 0 to 8 KiB on y, 0 to 30 operations on x.
    expect([...svg.matchAll(/<text class="chart-tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1])).toEqual(['0', '2 KiB', '4 KiB', '6 KiB', '8 KiB', '0', '10', '20', '30']);
  });

  it('a run that failed stops early, and says so', () => {
    const chart = timelineChart('traces/t.rep', [
      { name: 'bump', timeline: timeline([0, 4096, 8192, 12_288]) },
      { name: 'mine', timeline: timeline([0, 4096]), failedAt: 1 },
    ]);
    expect(chart.desc).toContain('mine peaks at 4 KiB (its run failed at operation 1, where the line stops)');
    expect(chart.lines.map((l) => l.name)).toContain('mine footprint, failed at operation 1');
    const mine = [...renderLineChart(chart).matchAll(/<path d="([^"]+)"/g)][2][1];
    expect(mine.split(' L')).toHaveLength(2);
  });

  it('a trace of no operation, or of one or two, draws a whole-number axis, never NaN or a repeated tick', () => {
    const ticksOf = (svg: string) => [...svg.matchAll(/<text class="chart-tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]).slice(5);
    const none = renderLineChart(timelineChart('traces/empty.rep', [{ name: 'bump', timeline: { ops: 0, every: 1, payload: [0], footprint: [0] } }]));
    expect(none).not.toContain('NaN');
    expect(ticksOf(none)).toEqual(['0', '1']);
    expect([...none.matchAll(/<text class="chart-tick"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]).slice(0, 5)).toEqual(['0', '1 byte', '2 bytes', '3 bytes', '4 bytes']);
    const one = renderLineChart(timelineChart('traces/one.rep', [{ name: 'bump', timeline: { ops: 1, every: 1, payload: [0, 100], footprint: [0, 144] } }]));
    expect(ticksOf(one)).toEqual(['0', '1']);
    const two = renderLineChart(timelineChart('traces/two.rep', [{ name: 'bump', timeline: { ops: 2, every: 1, payload: [0, 100, 0], footprint: [0, 144, 144] } }]));
    expect(ticksOf(two)).toEqual(['0', '1', '2']);
  });

  it('every allocator of the book side by side: the legend wraps inside the chart, and each line keeps a colour of its own', () => {
    const names = ['bump', 'bump-batched', 'free-list', 'realloc', 'coalescing', 'zones', 'magazines', 'debug'];
    const chart = timelineChart('traces/short.rep', names.map((name, i) => ({ name, timeline: timeline([0, 1024 * (i + 1)]) })));
    const svg = renderLineChart(chart);
    const legend = [...svg.matchAll(/<text class="chart-legend" x="([\d.]+)" y="([\d.]+)">([^<]+)<\/text>/g)];
    expect(legend).toHaveLength(9);
    for (const [, x, , name] of legend) expect(Number(x) + 7.2 * name.length, name).toBeLessThanOrEqual(720);
    // Taller by the rows the legend took, and the plot below them.
    const rows = new Set(legend.map((m) => m[2])).size;
    expect(rows).toBeGreaterThan(1);
    expect(svg).toContain(`viewBox="0 0 720 ${260 + 18 * (rows - 1)}"`);
    const lines = [...svg.matchAll(/<path d="[^"]+" style="fill:none;stroke:var\(--chart-(\d+)\)[^"]*?(;stroke-dasharray:[^";]+)?"/g)].map((m) => `${m[1]}${m[2] ?? ''}`);
    expect(lines).toHaveLength(8);
    expect(new Set(lines).size).toBe(8);
    expect(lines.every((l) => Number.parseInt(l, 10) <= 6), 'site.css has --chart-0 to --chart-6').toBe(true);
    expect(renderSvgFile('Payload and footprint', [chart])).toContain(`viewBox="0 0 720 ${30 + 260 + 18 * (rows - 1)}"`);
  });

  it('stands alone in a file beside bar charts, with its colours for a light and a dark background', () => {
    const file = renderSvgFile('Payload and footprint: bump', [timelineChart('traces/a.rep', [{ name: 'bump', timeline: timeline([0, 100]) }]), timelineChart('traces/b.rep', [{ name: 'bump', timeline: timeline([0, 200]) }])]);
    expect(file).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 550"/);
    expect(file).toContain('prefers-color-scheme: dark');
    expect(file.match(/<svg class="chart" x="0" y="(\d+)"/g)).toEqual(['<svg class="chart" x="0" y="30"', '<svg class="chart" x="0" y="290"']);
  });
});

describe('a replay chart whose every run failed', () => {
  it('says so where the picture would be, instead of stopping the build', async () => {
    const { fitTimeline } = await import('./charts/replay-timelines.ts');
    const html = fitTimeline.render({ trace: 'traces/coalescing.rep', timelines: [null, null, null], peakPayload: 0 });
    expect(html).toContain('Every run of <code>traces/coalescing.rep</code> failed when this page was built');
  });
});
