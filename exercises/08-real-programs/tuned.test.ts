// Chapter 8: a zone tuned for one recorded program. The tests replay the program you named in
// TARGET_TRACE through your tuned zone and through chapter 5's reference zone with macOS's
// thresholds, with every check of the trace driver, and grade the tuning on utilization: peak
// payload over peak footprint, counted in bytes and pages, the same on every machine.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, Process } from '../../machine/index.ts';
import { checkZone } from '../../solutions/05-zones/check.ts';
import { PRESETS, sizeClassesFrom } from '../../solutions/05-zones/size-classes.ts';
import { createAllocator as referenceZone } from '../../solutions/05-zones/zone.ts';
import { ROOT } from '../../workbook/paths.ts';
import { SHIPPED_RECORDINGS } from '../../workbook/record/shipped.ts';
import { TARGET_VARIABLE, loadExercise } from '../../workbook/target.ts';
import { replayChecked, type TraceResult } from '../../workbook/trace/driver.ts';
import { readRep } from '../../workbook/trace/rep.ts';
import { formatFailure, replayCommand } from '../../workbook/trace/report.ts';

const { createAllocator, TARGET_TRACE, TUNING } = await loadExercise<typeof import('./tuned.ts')>('08-real-programs/tuned.ts');

/** Utilization points the tuning must gain over the reference: more than noise, less than ls's or git log's gain. */
const MARGIN = 0.02;
const RECORDED = resolve(ROOT, 'traces', 'recorded');
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * The shipped recordings with room for MARGIN. On python3.rep and sort.rep chapter 5's zone
 * keeps 90.6% and 99.8% in use, and a sweep of both thresholds (tinyLimit 64 to 1008,
 * smallLimit 1 KiB to 1 MiB) gained less than a point. Only shipped ones: a grader's copy of
 * the book has no recording of the student's own.
 */
const TUNABLE: readonly string[] = ['ls.rep', 'git-log.rep'];

/** Why TARGET_TRACE cannot be graded, or ''. */
function targetProblem(): string {
  if (TUNABLE.includes(TARGET_TRACE)) return '';
  const name = `TARGET_TRACE is '${TARGET_TRACE}'`;
  const choose = `name ${TUNABLE.join(' or ')} in tuned.ts`;
  if ((SHIPPED_RECORDINGS as readonly string[]).includes(TARGET_TRACE)) {
    return `${name}: on it no thresholds beat chapter 5's zone by ${100 * MARGIN} points (a sweep of both found less than one). ${choose[0].toUpperCase()}${choose.slice(1)}.`;
  }
  if (TARGET_TRACE.includes('/')) {
    return `${name}, a path: name the file alone, as it is in traces/recorded/. ${choose[0].toUpperCase()}${choose.slice(1)}.`;
  }
  if (existsSync(resolve(RECORDED, TARGET_TRACE))) {
    return (
      `${name}, a recording of your own: the grader's copy of the book has only the recordings it ships, so tuned is graded on ${TUNABLE.join(' or ')}. ` +
      `Measure yours as you like (npm run trace -- zones traces/recorded/${TARGET_TRACE} --option smallLimit=…), then ${choose}.`
    );
  }
  return `${name}: there is no such file in traces/recorded/. ${choose[0].toUpperCase()}${choose.slice(1)}.`;
}

let replays: { tuned: TraceResult; reference: TraceResult; problem: string } | undefined;

/** Both replays of TARGET_TRACE, made once; a failure of yours is reported as npm run trace reports it. */
function replayBoth(): { tuned: TraceResult; reference: TraceResult; problem: string } {
  if (replays !== undefined) return replays;
  const unfit = targetProblem();
  if (unfit !== '') throw new Error(unfit);
  const trace = readRep(resolve(RECORDED, TARGET_TRACE), `traces/recorded/${TARGET_TRACE}`);
  let last: { proc: Process; zone: ReturnType<typeof createAllocator> } | undefined;
  const tuned = replayChecked(trace, (proc, options) => {
    const zone = createAllocator(proc, options);
    last = { proc, zone };
    return zone;
  });
  if (tuned.failure !== undefined) {
    const target = process.env[TARGET_VARIABLE] ?? 'exercises';
    throw new Error(`${formatFailure({ result: tuned, shrunk: undefined }, { allocator: 'tuned', target })}\n\n${replayCommand({ allocator: 'zones', target: 'exercises', allocatorOptions: TUNING }, `traces/recorded/${TARGET_TRACE}`)}\nreplays it in your zone with your TUNING, and shrinks it to the fewest operations that fail the same way.`);
  }
  const reference = replayChecked(trace, referenceZone);
  if (reference.failure !== undefined) throw new Error(`the reference zone fails traces/recorded/${TARGET_TRACE}: ${reference.failure.message}`);
  const problem = last === undefined ? 'no zone was made' : checkZone(last.proc, last.zone);
  replays = { tuned, reference, problem };
  return replays;
}

describe('a zone tuned for one real program', () => {
  it('names a recorded program, and tunes a threshold away from macOS', () => {
    const unfit = targetProblem();
    if (unfit !== '') throw new Error(unfit); // whole: an assertion would cut it short
    const { classes } = createAllocator(new Process());
    const macos = PRESETS.macos;
    const asked = sizeClassesFrom(TUNING);
    expect(
      { tinyLimit: classes.tinyLimit, smallLimit: classes.smallLimit },
      `TUNING asks for tinyLimit ${asked.tinyLimit} and smallLimit ${asked.smallLimit}, but the zone createAllocator makes has tinyLimit ${classes.tinyLimit} and smallLimit ${classes.smallLimit}: pass TUNING to createZone, as { ...TUNING, ...options }, and check that your chapter 5 zone takes its thresholds from both options`,
    ).toEqual(asked);
    expect(
      classes.tinyLimit !== macos.tinyLimit || classes.smallLimit !== macos.smallLimit,
      `your zone has macOS's thresholds (tinyLimit ${classes.tinyLimit}, smallLimit ${classes.smallLimit}), the reference's own: change TUNING in tuned.ts`,
    ).toBe(true);
  });

  it(`replays its program with every check of the trace driver, and beats the reference's utilization by ${100 * MARGIN} points`, () => {
    const { tuned, reference, problem } = replayBoth();
    expect(problem, `after the last operation of traces/recorded/${TARGET_TRACE}, the reference check finds:\n${problem}`).toBe('');
    expect(
      tuned.utilization,
      `on traces/recorded/${TARGET_TRACE} your tuned zone keeps ${percent(tuned.utilization)} of its peak footprint in use, chapter 5's reference zone ${percent(reference.utilization)}: ` +
        `it needs ${percent(reference.utilization + MARGIN)} or more`,
    ).toBeGreaterThanOrEqual(reference.utilization + MARGIN);
  }, 120_000);

  it('takes at least a page less at its peak than the reference', () => {
    const { tuned, reference } = replayBoth();
    expect(
      tuned.peakFootprint,
      `on traces/recorded/${TARGET_TRACE} your tuned zone's peak footprint is ${tuned.peakFootprint.toLocaleString('en-US')} bytes, the reference's ${reference.peakFootprint.toLocaleString('en-US')} (the same peak payload, ${tuned.peakPayload.toLocaleString('en-US')} bytes)`,
    ).toBeLessThanOrEqual(reference.peakFootprint - PAGE_SIZE);
  }, 120_000);
});
