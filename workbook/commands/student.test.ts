import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../exercises.ts';
import { earlierTodo } from './student.ts';

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
});
