import { describe, expect, it } from 'vitest';
import { parseRep } from '../trace/rep.ts';
import { benchThing, replayThing } from './thing.ts';

// MemPool puts its state (28 bytes) at the start of the buffer; its heap starts at 40, so
// that payloads (8 bytes past a block's start) fall on 16 bytes. A block is the request plus
// an 8-byte header, rounded up to 16.
const TRACE = parseRep(
  [
    '0', '3', '5', '1',
    'a 0 100', // block of 112: top 40 → 152, footprint 112, payload 100
    'a 1 20', //  block of 32: footprint 144, payload 120 (the peak of both)
    'f 0', //     payload 20
    'a 2 50', //  block of 64, first fit in the freed 112 (split): footprint stays 144
    'r 2 60', //  needs 80: moves to the top (184 → 264, footprint 224), and the old block is
    //            never freed (MemPool 6.1's realloc hands free() the block's header address,
    //            which free() takes for a payload and does not find): a leak, measured as is
  ].join('\n'),
  'small.rep',
);

describe('@thi.ng/malloc as a peer', () => {
  it('replays a short trace with peak payload over peak footprint (pool top less its start)', () => {
    const result = replayThing(TRACE);
    expect(result.failure).toBeUndefined();
    expect(result.peakPayload).toBe(120);
    expect(result.peakFootprint).toBe(224);
    expect(result.utilization).toBeCloseTo(120 / 224, 10);
  });

  it('gives a bench row without memory operations (it runs outside the simulated memory)', () => {
    const row = benchThing(TRACE, false);
    expect(row).toMatchObject({ allocator: '@thi.ng/malloc', trace: 'small.rep', ops: 5, memoryOpsPerCall: undefined, opsPerSecond: undefined, failure: undefined });
    expect(row.utilization).toBeCloseTo(120 / 224, 10);
  });
});
