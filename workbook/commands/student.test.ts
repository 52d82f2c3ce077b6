import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../exercises.ts';
import { readProgress } from '../progress.ts';
import type { ExerciseResult } from '../run-tests.ts';
import { earlierTodo, exerciseToReset, failedInEarlier, recordProgress, selectNamed } from './student.ts';

const exercise = (id: string) => EXERCISES.find((e) => e.id === id)!;
const todoMessage = (where: string) => `NotImplemented: Not written yet: takeFree(block, msize)\n  Open ${where}, replace the todo(…) call with your code, and run the check again.\n  at ${where}`;

describe('the Next line of npm run check', () => {
  it('names the earlier exercise whose todo the checked one ran into', () => {
    expect(earlierTodo(todoMessage('exercises/05-zones/rack.ts:212'), exercise('zone'))?.id).toBe('rack');
  });

  it('finds it in a staged copy of a student folder too', () => {
    expect(earlierTodo(todoMessage('.target-ann/05-zones/rack.ts:212'), exercise('zone'))?.id).toBe('rack');
  });

  it("says nothing more when the todo is the checked exercise's own, or there is none", () => {
    expect(earlierTodo(todoMessage('exercises/05-zones/zone.ts:52'), exercise('zone'))).toBeUndefined();
    expect(earlierTodo('AssertionError: expected 0 to be 16', exercise('zone'))).toBeUndefined();
  });

  it('names the earlier exercise a failure happened inside, with its line, past the tests and the reference code', () => {
    const failure = (...frames: string[]) => `SegmentationFault: read of 4 bytes at 0x00000008\n  at ${frames.join('\n  at ')}`;
    const inRack = failedInEarlier(failure('exercises/05-zones/rack.ts:140', 'exercises/06-magazines/magazines.ts:88'), exercise('magazines'));
    expect([inRack?.exercise.id, inRack?.where]).toEqual(['rack', 'exercises/05-zones/rack.ts:140']);
    expect(failedInEarlier(failure('solutions/05-zones/tiny-region.ts:70', 'exercises/05-zones/zone-testing.ts:30', '.target-ann/05-zones/rack.ts:140'), exercise('zone'))?.exercise.id).toBe('rack');
    expect(failedInEarlier(failure('exercises/06-magazines/magazines.ts:88', 'exercises/05-zones/rack.ts:140'), exercise('magazines')), 'the checked exercise threw first: its own fault').toBeUndefined();
    expect(failedInEarlier(failure('exercises/06-magazines/magazines.test.ts:12'), exercise('magazines'))).toBeUndefined();
    // lock() throws a Deadlock, but the caller took the lock twice or never let it go.
    const deadlock = `Deadlock: thread 2 waits at 0x00600000 (which holds 2) for a value only another thread could change\n  at exercises/06-magazines/lock.ts:33\n  at exercises/06-magazines/cross-thread.ts:61`;
    expect(failedInEarlier(deadlock, exercise('cross-thread')), 'a deadlock is the caller\'s').toBeUndefined();
  });

  it("calls a failure on an earlier exercise's throw line a refusal of what the checked one passed, naming the call", () => {
    const message = `TypeError: createAllocator: tinyLimit 1000 is not a multiple of 16\n  at exercises/05-zones/size-classes.ts:77\n  at exercises/05-zones/zone.ts:48\n  at exercises/08-real-programs/tuned.ts:23`;
    const source = (lines: Record<string, string>) => (file: string, line: number) => lines[`${file}:${line}`];
    const refused = failedInEarlier(message, exercise('tuned'), source({ 'exercises/05-zones/size-classes.ts:77': '    throw new TypeError(`createAllocator: …`);' }));
    expect(refused).toMatchObject({ where: 'exercises/05-zones/size-classes.ts:77', refused: true, caller: 'exercises/08-real-programs/tuned.ts:23' });
    const crashed = failedInEarlier(message, exercise('tuned'), source({ 'exercises/05-zones/size-classes.ts:77': '  return classes.tinyLimit / quantum;' }));
    expect(crashed, 'a line that does not throw: the earlier code failed on its own').toMatchObject({ refused: false });
    expect(failedInEarlier(message, exercise('tuned'), () => undefined), 'a file that cannot be read').toMatchObject({ refused: false });
    const rethrown = failedInEarlier(message, exercise('tuned'), source({ 'exercises/05-zones/size-classes.ts:77': '    throw error; // not ours' }));
    expect(rethrown, 'a rethrow passes a failure on: not a check').toMatchObject({ refused: false });
  });
});

describe('the progress that check and status record', () => {
  const result = (id: string, status: ExerciseResult['status']): ExerciseResult => ({ exercise: exercise(id), status, tests: [], error: '' });

  it("marks the student's passing exercises done, as watch mode does; status also takes it back from one that fails now", () => {
    const dir = mkdtempSync(join(tmpdir(), 'progress-'));
    try {
      const file = join(dir, '.workbook-progress');
      recordProgress([result('bump', 'pass'), result('batched', 'fail')], 'exercises', file);
      expect([...readProgress(file).done]).toEqual(['bump']);
      recordProgress([result('bump', 'fail')], 'exercises', file); // check of one exercise: says nothing about done
      expect([...readProgress(file).done]).toEqual(['bump']);
      recordProgress(EXERCISES.map((e) => result(e.id, e.id === 'batched' ? 'pass' : 'fail')), 'exercises', file); // status: all of them
      expect([...readProgress(file).done]).toEqual(['batched']);
      recordProgress([result('memory', 'pass')], 'solutions', file); // the reference is not the student's progress
      expect(readProgress(file).done.has('memory')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an exercise named by part of its name', () => {
  it('is suggested by hint, check and reset, as a typo is', () => {
    expect(() => selectNamed('coalesce')).toThrow(/^There is no chapter or exercise 'coalesce'\. Did you mean 'coalescing'\? Try one of: /);
    expect(() => exerciseToReset(['coalesce'])).toThrow(new RegExp("^There is no chapter or exercise 'coalesce'\\. Did you mean 'coalescing'\\?"));
    expect(() => selectNamed('guard')).toThrow("Did you mean 'guard-edges'?");
    expect(() => selectNamed('coalecsing')).toThrow("Did you mean 'coalescing'?"); // the typo's own suggestion, once
    expect(() => selectNamed('xyz')).toThrow(/^There is no chapter or exercise 'xyz'\. Try one of/);
    expect(selectNamed('coalescing').map((e) => e.id)).toEqual(['coalescing']);
  });
});
