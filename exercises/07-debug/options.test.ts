// Chapter 7, step 1: the options (options.ts), read under macOS's names from the simulated
// process's environment, or given by code, and written into the debug record.
import { describe, expect, it } from 'vitest';
import { Process } from '../../machine/index.ts';
import { DEBUG, DEBUG_BYTES, FLAG_GUARD_EDGES, FLAG_NO_POSTLUDE, FLAG_NO_PRELUDE, FLAG_SCRIBBLE, FLAG_STACK_LOGGING } from '../../solutions/07-debug/options.ts';
import { loadExercise } from '../../workbook/target.ts';

const { resolveOptions, storeOptions, hasFlag } = await loadExercise<typeof import('./options.ts')>('07-debug/options.ts');

const OFF = { scribble: false, guardEdges: false, doNotProtectPrelude: false, doNotProtectPostlude: false, stackLogging: false, checkHeapStart: 0, checkHeapEach: 0 };

describe('resolveOptions', () => {
  it('reads the process environment, under macOS names', () => {
    const proc = new Process({ env: { MallocScribble: '1', MallocGuardEdges: '1', MallocStackLogging: '1', MallocCheckHeapStart: '100', MallocCheckHeapEach: '10' } });
    expect(resolveOptions(proc), 'MallocScribble=1 MallocGuardEdges=1 MallocStackLogging=1 MallocCheckHeapStart=100 MallocCheckHeapEach=10').toEqual({ ...OFF, scribble: true, guardEdges: true, stackLogging: true, checkHeapStart: 100, checkHeapEach: 10 });
    expect(resolveOptions(new Process()), 'an empty environment and no options: everything off').toEqual(OFF);
    expect(resolveOptions(new Process({ env: { MallocScribble: '0', MallocGuardEdges: 'NO', MallocDoNotProtectPrelude: 'YES' } })), "'0' and 'NO' are off, any other value on").toEqual({ ...OFF, doNotProtectPrelude: true });
  });

  it('takes the options of the code first: code wins over the environment', () => {
    const proc = new Process({ env: { MallocScribble: '1', MallocStackLogging: '1' } });
    expect(resolveOptions(proc, { scribble: false, checkHeapStart: 5 }), 'scribble: false in code, MallocScribble=1 in the environment').toEqual({ ...OFF, stackLogging: true, checkHeapStart: 5, checkHeapEach: 1000 });
  });

  it('reads every option from the environment, and lets the code turn each one off', () => {
    const env = { MallocScribble: '1', MallocGuardEdges: '1', MallocDoNotProtectPrelude: '1', MallocDoNotProtectPostlude: '1', MallocStackLogging: '1', MallocCheckHeapStart: '100', MallocCheckHeapEach: '10' };
    const ALL = { scribble: true, guardEdges: true, doNotProtectPrelude: true, doNotProtectPostlude: true, stackLogging: true, checkHeapStart: 100, checkHeapEach: 10 };
    const read = resolveOptions(new Process({ env }));
    const missed = (Object.keys(ALL) as Array<keyof typeof ALL>).filter((key) => read[key] !== ALL[key]);
    expect(read, `every variable set: ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}${missed.length === 0 ? '' : `. Not read from the environment: ${missed.join(', ')} (each option has its variable in ENVIRONMENT)`}`).toEqual(ALL);
    const code = { scribble: false, guardEdges: false, doNotProtectPrelude: false, doNotProtectPostlude: false, stackLogging: false, checkHeapStart: 5, checkHeapEach: 3 };
    const resolved = resolveOptions(new Process({ env }), code);
    const lost = (Object.keys(code) as Array<keyof typeof code>).filter((key) => resolved[key] !== code[key]);
    expect(resolved, `every variable set, and every option given by the code (false, 5 and 3): the code wins each time. ${lost.length === 0 ? '' : `The environment won for ${lost.join(', ')}: `}take the code's value whenever it is not undefined, even false or 0, and the environment's only then: options.x ?? the environment's (with ||, false || the environment's value is the environment's)`).toEqual(code);
    const off = resolveOptions(new Process({ env }), { checkHeapStart: 0, checkHeapEach: 0 });
    const counts = `checkHeapStart ${off.checkHeapStart}, checkHeapEach ${off.checkHeapEach}`;
    expect(counts, `checkHeapStart: 0 and checkHeapEach: 0 in the code, with MallocCheckHeapStart=100 MallocCheckHeapEach=10 in the environment: the code turns heap checks off${off.checkHeapStart === 100 || off.checkHeapEach === 10 ? ". The environment's count won over the code's 0: 0 || the environment's value is the environment's. Take the code's count with ??, which falls through only for undefined" : ''}`).toBe('checkHeapStart 0, checkHeapEach 0');
  });

  it('MallocCheckHeapEach alone checks from the first operation; MallocCheckHeapStart alone every 1000', () => {
    expect(resolveOptions(new Process({ env: { MallocCheckHeapEach: '7' } })), 'MallocCheckHeapEach=7 alone').toMatchObject({ checkHeapStart: 1, checkHeapEach: 7 });
    expect(resolveOptions(new Process({ env: { MallocCheckHeapStart: '9' } })), 'MallocCheckHeapStart=9 alone').toMatchObject({ checkHeapStart: 9, checkHeapEach: 1000 });
    expect(() => resolveOptions(new Process({ env: { MallocCheckHeapEach: 'often' } })), 'MallocCheckHeapEach=often: read the counts with envCount, which throws a TypeError naming the variable').toThrow('MallocCheckHeapEach="often": expected a whole number of operations');
  });
});

describe('storeOptions', () => {
  it('writes a flag for each switch, and the two counts, into the debug record', () => {
    const proc = new Process();
    const base = proc.static('test_debug_record', DEBUG_BYTES);
    storeOptions(proc, base, { ...OFF, scribble: true, stackLogging: true, doNotProtectPostlude: true, checkHeapStart: 3, checkHeapEach: 4 });
    expect(proc.load32(base + DEBUG.flags), 'DEBUG.flags: FLAG_SCRIBBLE | FLAG_STACK_LOGGING | FLAG_NO_POSTLUDE').toBe(FLAG_SCRIBBLE | FLAG_STACK_LOGGING | FLAG_NO_POSTLUDE);
    expect([proc.load32(base + DEBUG.checkStart), proc.load32(base + DEBUG.checkEach)], 'DEBUG.checkStart and DEBUG.checkEach').toEqual([3, 4]);
    expect(hasFlag(proc, base, FLAG_SCRIBBLE) && !hasFlag(proc, base, FLAG_GUARD_EDGES)).toBe(true);
    storeOptions(proc, base, { ...OFF, guardEdges: true, doNotProtectPrelude: true });
    expect(proc.load32(base + DEBUG.flags), 'stored again: the old flags are replaced, not added to').toBe(FLAG_GUARD_EDGES | FLAG_NO_PRELUDE);
  });
});
