// todo(): the message names the file and line to open, as a student can type it.

import { afterEach, describe, expect, it } from 'vitest';
import { todo } from './todo.ts';

const original = Error.prepareStackTrace;
afterEach(() => {
  Error.prepareStackTrace = original;
});

/** Calls todo as if from the frame `caller`, the stack V8 would give it there. */
function messageFrom(caller: string): string {
  Error.prepareStackTrace = () => `Error\n    at todo (workbook/todo.ts:14:17)\n    at ${caller}`;
  try {
    todo('return the first block');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('todo did not throw');
}

describe('todo', () => {
  it('names the file and line of the call', () => {
    expect(messageFrom('malloc (/home/ada/malloc-workbook/exercises/01-bump/bump.ts:12:7)')).toContain('Open exercises/01-bump/bump.ts:12, replace the todo(…) call');
    expect(messageFrom('file:///home/ada/malloc-workbook/.target-ann-x1/01-bump/bump.ts:12:7')).toContain('Open .target-ann-x1/01-bump/bump.ts:12,');
  });

  it('names it from a Windows frame too, with forward slashes', () => {
    expect(messageFrom('malloc (C:\\Users\\Ada\\malloc-workbook\\exercises\\01-bump\\bump.ts:12:7)')).toContain('Open exercises/01-bump/bump.ts:12, replace');
    expect(messageFrom('malloc (C:\\Users\\Ada\\malloc-workbook\\.target-ann-x1\\01-bump\\bump.ts:12:7)')).toContain('Open .target-ann-x1/01-bump/bump.ts:12,');
    expect(messageFrom('file:///C:/Users/Ada/malloc-workbook/exercises/01-bump/bump.ts:12:7')).toContain('Open exercises/01-bump/bump.ts:12,');
  });
});
