// The live payload and the footprint along a replay, for a picture: how far the heap stays above
// what the program holds, and when it grows or gives back. A trace has up to hundreds of
// thousands of operations and a chart a few hundred points across, so the samples are taken in
// runs of equal length, and each point keeps its run's highest values: a peak, which is what
// utilization divides by, is never averaged away.

/** Payload and footprint sampled before the first operation and after each one, `every` samples a point. */
export interface Timeline {
  /** The trace's operations: samples run from 0 (before the first) to `ops` (after the last). */
  ops: number;
  /** How many consecutive samples each point covers. */
  every: number;
  /** The most live payload bytes in each point's samples. */
  payload: number[];
  /** The most footprint bytes (break − heap start, plus the mmap'd pages written) in each point's samples. */
  footprint: number[];
}

/** About as many points as a chart has pixels across. */
export const TIMELINE_POINTS = 600;

export class TimelineRecorder {
  private readonly timeline: Timeline;
  private inPoint = 0;

  constructor(ops: number, points = TIMELINE_POINTS) {
    if (!(Number.isInteger(points) && points >= 1)) throw new RangeError(`A timeline needs at least one point, not ${points}.`);
    this.timeline = { ops, every: Math.ceil((ops + 1) / points), payload: [], footprint: [] };
  }

  /** The figures after one more operation (the first call: before any). */
  add(payload: number, footprint: number): void {
    const { payload: payloads, footprint: footprints, every } = this.timeline;
    if (this.inPoint === 0) {
      payloads.push(payload);
      footprints.push(footprint);
    } else {
      const last = payloads.length - 1;
      payloads[last] = Math.max(payloads[last], payload);
      footprints[last] = Math.max(footprints[last], footprint);
    }
    this.inPoint = (this.inPoint + 1) % every;
  }

  /** What was sampled; a replay that stopped early ends early. */
  get recorded(): Timeline {
    return this.timeline;
  }
}
