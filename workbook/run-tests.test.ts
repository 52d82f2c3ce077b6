import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';
import { cleanMessage } from './run-tests.ts';

describe('cleanMessage', () => {
  const frame = (path: string, line: number) => `    at f (${join(ROOT, path)}:${line}:7)`;

  it("keeps the student's own line when reference code threw above it", () => {
    const raw = [
      'SegmentationFault: read of 4 bytes at 0xaff04164, which is not mapped.',
      frame('solutions/05-zones/tiny-region.ts', 47),
      frame('solutions/05-zones/tiny-region.ts', 90),
      frame('exercises/05-zones/rack.ts', 290),
      frame('exercises/05-zones/rack.test.ts', 37),
      frame('node_modules/vitest/dist/index.js', 1),
    ].join('\n');
    expect(cleanMessage(raw)).toBe(
      'SegmentationFault: read of 4 bytes at 0xaff04164, which is not mapped.\n  at solutions/05-zones/tiny-region.ts:47\n  at exercises/05-zones/rack.ts:290',
    );
  });

  it('keeps the top two frames when the first is already the student’s', () => {
    const raw = ['Error: boom', frame('exercises/05-zones/rack.ts', 12), frame('exercises/05-zones/rack.test.ts', 40), frame('workbook/todo.ts', 3)].join('\n');
    expect(cleanMessage(raw)).toBe('Error: boom\n  at exercises/05-zones/rack.ts:12\n  at exercises/05-zones/rack.test.ts:40');
  });

  it("shows the exercise's own line when the error passed through it below another exercise file", () => {
    const raw = [
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds',
      frame('solutions/06-magazines/lock.ts', 30),
      frame('exercises/06-magazines/cross-thread.ts', 51),
      frame('exercises/06-magazines/cross-thread.ts', 77),
      frame('exercises/06-magazines/magazines.ts', 160),
      frame('exercises/06-magazines/magazines.test.ts', 88),
    ].join('\n');
    expect(cleanMessage(raw, ROOT, '06-magazines/magazines.ts')).toBe(
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds\n  at solutions/06-magazines/lock.ts:30\n  at exercises/06-magazines/magazines.ts:160',
    );
    expect(cleanMessage(raw, ROOT, '06-magazines/cross-thread.ts'), 'checking cross-thread.ts, its first line is the one').toBe(
      'Error: deadlock: thread 1 waits for lock 0x00600040, which it holds\n  at solutions/06-magazines/lock.ts:30\n  at exercises/06-magazines/cross-thread.ts:51',
    );
  });
});
