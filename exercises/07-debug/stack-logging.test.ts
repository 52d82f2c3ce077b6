// Chapter 7, step 5: MallocStackLogging (stack-logging.ts). The tests record events as the
// debug zone does, from functions of this file, so the stacks name them.
import { describe, expect, it } from 'vitest';
import { Process, hex } from '../../machine/index.ts';
import { MALLOC_LOG_TYPE_ALLOCATE, MALLOC_LOG_TYPE_DEALLOCATE } from '../../solutions/07-debug/logger.ts';
import { SITE_SLOTS, STACK_LOG, STACK_LOG_BYTES, STRINGS_BYTES } from '../../solutions/07-debug/stack-logging.ts';
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
    expect(events[1]!.stack.split('\n')[0], 'the innermost frame of the free event: the function that called free').toMatch(FRAME('releaseNode'));
    const past = log.history(NODE + 48).map((e) => `${e.type} ${hex(e.address)} [size=${e.size}]`);
    expect(past, `history(${hex(NODE + 48)}), one byte past the block ${hex(NODE)} of 48 bytes: its last byte is ${hex(NODE + 47)}`).toEqual([]);
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
    expect(log.history(NODE + 49 * 48)[0]!.stack, 'the stack of the 50th allocation, read back from its id: the same text as the first').toBe(log.history(NODE)[0]!.stack);
  });

  it('lays each string out as [u32 length][bytes] padded to 4, and compares the whole text when a slot is taken', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const texts: string[] = [];
    for (const round of [0, 1]) {
      const proc = new Process();
      const log = createStackLog(proc);
      const base = proc.static('stack_logging', STACK_LOG_BYTES);
      const get = (field: keyof typeof STACK_LOG) => proc.load32(base + STACK_LOG[field]);
      allocateNode(log, NODE + 0x1000); // maps the string area and the table
      if (round === 1) {
        // A decoy of the same length as releaseNode's stack, where the probe for that stack starts.
        const bytes = utf8(texts[0]!);
        let hash = 0x811c9dc5;
        for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
        let slot = (hash >>> 0) & (SITE_SLOTS - 1);
        while (proc.load32(get('sites') + slot * 4) !== 0) slot = (slot + 1) & (SITE_SLOTS - 1);
        const id = get('stringsUsed');
        proc.store32(get('strings') + id, bytes.length);
        for (let i = 0; i < bytes.length; i++) proc.store8(get('strings') + id + 4 + i, 0x78);
        proc.store32(base + STACK_LOG.stringsUsed, id + 4 + Math.ceil(bytes.length / 4) * 4);
        proc.store32(base + STACK_LOG.siteCount, get('siteCount') + 1);
        proc.store32(get('sites') + slot * 4, id);
      }
      releaseNode(log, NODE);
      const stack = log.history(NODE)[0]!.stack;
      if (round === 1) {
        expect(stack, "releaseNode's stack, after the test put another string of the same length in the slot where its probe starts: intern must compare the text itself, not only the length, and probe on").toBe(texts[0]);
        break;
      }
      texts.push(stack);
      const ids = [0, 1].map((i) => proc.load32(get('log') + i * 16 + 12));
      const lengths = [log.history(NODE + 0x1000)[0]!.stack, stack].map((text) => utf8(text).length);
      const layout = ids.map((id) => ({ id, length: proc.load32(get('strings') + id) }));
      expect(layout, `the two strings' ids (offsets in the string area, ${hex(get('strings'))}) and the u32 length at each`).toEqual([{ id: 4, length: lengths[0] }, { id: 4 + 4 + Math.ceil(lengths[0]! / 4) * 4, length: lengths[1] }]);
      expect(get('stringsUsed'), `STACK_LOG.stringsUsed after strings of ${lengths[0]} and ${lengths[1]} bytes: 4, then 4 + the bytes padded to 4 for each`).toBe(4 + lengths.reduce((sum, n) => sum + 4 + Math.ceil(n / 4) * 4, 0));
    }
  });

  it('records an event with no stack (id 0) when the table would pass ¾ full or the strings would overflow', () => {
    const full = SITE_SLOTS * 0.75;
    for (const [field, value, what] of [
      ['siteCount', full, `STACK_LOG.siteCount set to ${full}, ¾ of the ${SITE_SLOTS} slots: one more would pass ¾, and probing a fuller table gets slow, then endless`],
      ['stringsUsed', STRINGS_BYTES - 8, `STACK_LOG.stringsUsed set to ${STRINGS_BYTES - 8}, 8 bytes short of STRINGS_BYTES: a new stack would write past the string area`],
    ] as const) {
      const proc = new Process();
      const log = createStackLog(proc);
      const base = proc.static('stack_logging', STACK_LOG_BYTES);
      const get = (name: keyof typeof STACK_LOG) => proc.load32(base + STACK_LOG[name]);
      let before = {};
      // allocateNode (which maps the string area and the table), then releaseNode's stack, not
      // seen yet, then allocateNode's again, already stored: all from one line, so one stack each.
      for (const step of [0, 1, 2]) {
        if (step === 1) {
          proc.store32(base + STACK_LOG[field], value);
          before = { siteCount: get('siteCount'), stringsUsed: get('stringsUsed') };
        }
        (step === 1 ? releaseNode : allocateNode)(log, NODE);
      }
      const ids = [0, 1, 2].map((i) => proc.load32(get('log') + i * 16 + 12));
      expect(ids[1], `${what}. The id of releaseNode's new stack should be 0 (no stack); the events' ids were ${ids.join(', ')}`).toBe(0);
      expect({ siteCount: get('siteCount'), stringsUsed: get('stringsUsed') }, `${what}: nothing stored, nothing counted`).toEqual(before);
      expect(ids[2], `${what}: a stack stored before is still found, by its id`).toBe(ids[0]);
    }
    const proc = new Process();
    const log = createStackLog(proc);
    const base = proc.static('stack_logging', STACK_LOG_BYTES);
    allocateNode(log, NODE);
    proc.store32(base + STACK_LOG.siteCount, full - 1);
    releaseNode(log, NODE);
    const id = proc.load32(proc.load32(base + STACK_LOG.log) + 16 + 12);
    expect(id, `STACK_LOG.siteCount set to ${full - 1}: one more stack makes the table exactly ¾ full, which does not pass ¾, so it is stored (its id is not 0)`).not.toBe(0);
  });

  it('knows where a live block came from, and not a freed one', () => {
    const log = createStackLog(new Process());
    allocateNode(log, NODE);
    allocateNode(log, NODE + 64);
    releaseNode(log, NODE + 64);
    expect(log.allocationSite(NODE)?.split('\n')[0], 'a live block: its allocation site').toMatch(FRAME('allocateNode'));
    expect(log.allocationSite(NODE + 64), `${hex(NODE + 64)}, a freed block: its newest event is a FREE, so it has no allocation site now (read the log from its newest event back; an older ALLOCATE at the address is history)`).toBeUndefined();
    expect(log.allocationSite(NODE + 8), 'an address inside a block is not a block').toBeUndefined();
  });

  it('formats malloc_history: each event, then its stack, indented', () => {
    const events = [
      { type: 'alloc' as const, address: NODE, size: 48, stack: 'allocateNode (list.c:10:3)\nmain (main.c:5:1)' },
      { type: 'free' as const, address: NODE, size: 48, stack: 'releaseNode (list.c:20:3)' },
    ];
    expect(formatHistory(NODE, events), "formatHistory of an alloc and a free: a line per event with the block's first and last byte, then its frames indented by four spaces").toBe(
      [`ALLOC ${hex(NODE)}-${hex(NODE + 47)} [size=48]:`, '    allocateNode (list.c:10:3)', '    main (main.c:5:1)', `FREE  ${hex(NODE)}-${hex(NODE + 47)} [size=48]:`, '    releaseNode (list.c:20:3)'].join('\n'),
    );
    expect(formatHistory(NODE, []), 'formatHistory with no events').toBe(`malloc_history: no allocation or free recorded at ${hex(NODE)} (is MallocStackLogging on?)`);
  });
});
