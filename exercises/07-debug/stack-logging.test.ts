// Chapter 7, step 5: MallocStackLogging (stack-logging.ts). The tests record events as the
// debug zone does, from functions of this file, so the stacks name them.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { MALLOC_LOG_TYPE_ALLOCATE, MALLOC_LOG_TYPE_DEALLOCATE } from '../../solutions/07-debug/logger.ts';
import { STACK_LOG, STACK_LOG_BYTES } from '../../solutions/07-debug/stack-logging.ts';
import { loadExercise } from '../../workbook/target.ts';

const { createStackLog, formatHistory } = await loadExercise<typeof import('./stack-logging.ts')>('07-debug/stack-logging.ts');

type Log = ReturnType<typeof createStackLog>;

function allocateNode(log: Log, address: number): void {
  log.record(MALLOC_LOG_TYPE_ALLOCATE, address, 48);
}
function releaseNode(log: Log, address: number): void {
  log.record(MALLOC_LOG_TYPE_DEALLOCATE, address, 48);
}

const NODE = 0x10000040;
const FRAME = (name: string) => new RegExp(`^${name} \\(.*stack-logging\\.test\\.ts:\\d+:\\d+\\)$`);

describe('MallocStackLogging', () => {
  it('records where each block was allocated and freed; history finds them by any address inside', () => {
    const log = createStackLog(new Process());
    allocateNode(log, NODE);
    releaseNode(log, NODE);
    allocateNode(log, NODE + 0x100); // another block
    const events = log.history(NODE + 20);
    expect(events.map((e) => [e.type, hex(e.address), e.size]), `the events of the block holding ${hex(NODE + 20)}, oldest first`).toEqual([
      ['alloc', hex(NODE), 48],
      ['free', hex(NODE), 48],
    ]);
    expect(events[0]!.stack.split('\n')[0], 'the innermost frame of the program: the function that called malloc').toMatch(FRAME('allocateNode'));
    expect(events[1]!.stack.split('\n')[0]).toMatch(FRAME('releaseNode'));
    expect(log.history(NODE + 48), 'one byte past the block').toEqual([]);
  });

  it('stores each stack once, as an interned string in simulated memory', () => {
    const proc = new Process();
    const log = createStackLog(proc);
    for (let i = 0; i < 50; i++) allocateNode(log, NODE + i * 48);
    releaseNode(log, NODE);
    const base = proc.static('stack_logging', STACK_LOG_BYTES);
    expect(proc.load32(base + STACK_LOG.logCount), 'STACK_LOG.logCount: events').toBe(51);
    expect(proc.load32(base + STACK_LOG.siteCount), 'STACK_LOG.siteCount: two call sites, allocateNode and releaseNode, so two stacks').toBe(2);
    const ids = new Set(Array.from({ length: 50 }, (_, i) => proc.load32(proc.load32(base + STACK_LOG.log) + i * 16 + 12)));
    expect(ids.size, 'the 50 allocation events hold the same stack id').toBe(1);
    expect(log.history(NODE + 49 * 48)[0]!.stack).toBe(log.history(NODE)[0]!.stack);
  });

  it('knows where a live block came from, and not a freed one', () => {
    const log = createStackLog(new Process());
    allocateNode(log, NODE);
    allocateNode(log, NODE + 64);
    releaseNode(log, NODE + 64);
    expect(log.allocationSite(NODE)?.split('\n')[0], 'a live block: its allocation site').toMatch(FRAME('allocateNode'));
    expect(log.allocationSite(NODE + 64), 'a freed block').toBeUndefined();
    expect(log.allocationSite(NODE + 8), 'an address inside a block is not a block').toBeUndefined();
  });

  it('formats malloc_history: each event, then its stack, indented', () => {
    const events = [
      { type: 'alloc' as const, address: NODE, size: 48, stack: 'allocateNode (list.c:10:3)\nmain (main.c:5:1)' },
      { type: 'free' as const, address: NODE, size: 48, stack: 'releaseNode (list.c:20:3)' },
    ];
    expect(formatHistory(NODE, events)).toBe(
      [`ALLOC ${hex(NODE)}-${hex(NODE + 47)} [size=48]:`, '    allocateNode (list.c:10:3)', '    main (main.c:5:1)', `FREE  ${hex(NODE)}-${hex(NODE + 47)} [size=48]:`, '    releaseNode (list.c:20:3)'].join('\n'),
    );
    expect(formatHistory(NODE, [])).toBe(`malloc_history: no allocation or free recorded at ${hex(NODE)} (is MallocStackLogging on?)`);
  });
});
