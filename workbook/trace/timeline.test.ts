// The timeline of a replay: a few hundred points, however long the trace, that keep its peaks.

import { describe, expect, it } from 'vitest';
import { createAllocator as bump } from '../../solutions/01-bump/bump.ts';
import { createAllocator as coalescing } from '../../solutions/03-coalescing/coalescing.ts';
import { replayChecked } from './driver.ts';
import { parseRep } from './rep.ts';
import { TimelineRecorder } from './timeline.ts';

describe('TimelineRecorder', () => {
  it('keeps every sample when the trace is shorter than the points', () => {
    const recorder = new TimelineRecorder(3, 10);
    for (const [payload, footprint] of [[0, 0], [16, 4096], [48, 4096], [32, 4096]]) recorder.add(payload, footprint);
    expect(recorder.recorded).toEqual({ ops: 3, every: 1, payload: [0, 16, 48, 32], footprint: [0, 4096, 4096, 4096] });
  });

  it('folds a long trace into at most the points asked for, each the highest of its samples', () => {
    const ops = 999;
    const recorder = new TimelineRecorder(ops, 100);
    // One sample before the first operation and one after each: a spike at sample 505 only.
    for (let sample = 0; sample <= ops; sample++) recorder.add(sample === 505 ? 10_000 : sample, sample);
    const { every, payload, footprint } = recorder.recorded;
    expect(every).toBe(10);
    expect(payload).toHaveLength(100);
    expect(footprint).toHaveLength(100);
    expect(payload[50]).toBe(10_000); // the spike survives
    expect(footprint[50]).toBe(509); // the highest of samples 500 to 509
    expect(footprint[99]).toBe(999);
  });

  it('refuses a timeline of no points', () => {
    expect(() => new TimelineRecorder(10, 0)).toThrow(/at least one point/);
  });
});

describe('a replay with a timeline', () => {
  const trace = parseRep(['0', '3', '6', '1', 'a 0 100', 'a 1 5000', 'f 1', 'a 2 40', 'f 0', 'f 2'].join('\n'), 'three.rep');

  it('samples payload and footprint before the first operation and after each', () => {
    const result = replayChecked(trace, coalescing, { timeline: true });
    const timeline = result.timeline!;
    expect(timeline.every).toBe(1);
    expect(timeline.payload).toEqual([0, 100, 5100, 100, 140, 40, 0]);
    expect(Math.max(...timeline.footprint)).toBe(result.peakFootprint);
    expect(timeline.footprint.every((bytes, i) => bytes >= timeline.payload[i])).toBe(true);
  });

  it('is left out unless asked for, and a bump heap never shrinks in it', () => {
    expect(replayChecked(trace, coalescing).timeline).toBeUndefined();
    const { footprint } = replayChecked(trace, bump, { timeline: 4 }).timeline!;
    expect(footprint).toHaveLength(4);
    expect(footprint.every((bytes, i) => i === 0 || bytes >= footprint[i - 1])).toBe(true);
  });
});
