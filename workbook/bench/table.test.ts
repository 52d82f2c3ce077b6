import { describe, expect, it } from 'vitest';
import type { BenchDocument } from './allocators.ts';
import { formatBench } from './table.ts';

const row = { allocator: 'bump', trace: 'traces/short.rep', ops: 10, utilization: 0.5, memoryOpsPerCall: 3, opsPerSecond: 1e6, failure: undefined, vsBump: 1, vsThing: undefined };
const document: BenchDocument = {
  traces: ['traces/short.rep'],
  allocators: ['bump'],
  rows: [row],
  averages: [{ allocator: 'bump', traces: 1, passed: 1, utilization: 0.5, memoryOpsPerCall: 3, opsPerSecond: 1e6, vsBump: 1, vsThing: undefined }],
  notes: [],
  targets: [],
};

describe("npm run bench's table", () => {
  it("says util's footprint is the heap and the mmap'd pages written at least once, as the trace driver counts it", () => {
    const text = formatBench(document, 'heading').replace(/\s*\n\s*/g, ' ');
    expect(text).toContain("the book: heap + mmap'd pages written at least once;");
  });
});
