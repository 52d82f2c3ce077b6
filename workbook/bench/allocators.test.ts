import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOCATORS } from '../allocators.ts';
import { benchAllocators, benchJson, readBenchTraces } from './allocators.ts';
import { TARGETS } from './targets.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm run bench', () => {
  it('gives a row per allocator and trace, every registered allocator and both peers, and their averages', async () => {
    const traces = readBenchTraces([resolve(ROOT, 'traces/short.rep')], ROOT);
    const document = await benchAllocators(traces, { timing: false });
    const json = benchJson(document) as { allocators: string[]; traces: string[]; rows: { allocator: string; trace: string; utilization: number | null; failure: string | null }[]; averages: { allocator: string }[]; notes: string[] };
    const glibc = json.notes.length === 0 ? ['glibc'] : [];
    expect(json.allocators).toEqual([...ALLOCATORS.map((a) => a.id), '@thi.ng/malloc', ...glibc]);
    expect(json.traces).toEqual(['traces/short.rep']);
    expect(json.rows.map((r) => `${r.allocator} ${r.trace}`)).toEqual(json.allocators.map((a) => `${a} traces/short.rep`));
    for (const row of json.rows) {
      expect(row.failure).toBeNull();
      expect(row.utilization).toBeGreaterThan(0);
      expect(row.utilization).toBeLessThanOrEqual(1);
    }
    expect(json.averages.map((a) => a.allocator)).toEqual(json.allocators);
  });

  it('measures the targets of the reference allocators, and says which need course traces', async () => {
    const traces = readBenchTraces([resolve(ROOT, 'traces/short.rep')], ROOT);
    expect(traces[0].course, 'a trace of traces/ is not a course trace').toBe(false);
    const json = benchJson(await benchAllocators(traces, { timing: false })) as { targets: { allocator: string; status: string; target: string; detail: string }[] };
    expect(json.targets.map((t) => t.allocator)).toEqual(TARGETS.map((t) => t.allocator));
    const realloc = json.targets.find((t) => t.allocator === 'realloc')!;
    expect(realloc.status).toBe('not measured');
    expect(realloc.detail).toContain('no course traces in this run');
    for (const t of json.targets) expect(['not measured', 'not built yet']).toContain(t.status); // no course traces, no churn.rep, no timing
  });
});
