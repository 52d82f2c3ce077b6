// Loaded before every test file when grading (a vitest setup file). It notes the functions
// the tests rely on (vitest's expect and its assertions, the machine's classes, the
// built-ins) before the submission's code is imported, fixes the built-ins' own functions,
// and after the file's tests checks that they are still the same functions and that a false
// assertion still fails. Code that patched them made its tests worthless: the grader fails
// the chapter, naming what changed.

import { afterAll, expect } from 'vitest';
import * as machine from '../../machine/index.ts';
import { INTEGRITY_MARK } from './sandbox.ts';

/** [label, function] pairs, in the order the objects were read. */
type Snapshot = Array<[string, unknown]>;

// The functions the check itself calls, taken before any submission runs: a patch that made
// them lie about the patch (a getOwnPropertyDescriptor that hides a replaced Object.is) would
// otherwise go unseen.
const ownKeys = Reflect.ownKeys;
const describe = Reflect.getOwnPropertyDescriptor;
const asText = String;
const emptyObject = Object.create;

// vitest keeps its matchers and its custom equality testers on the global object, under a
// symbol: a tester pushed there (or a matcher replaced) makes toEqual pass what it should not.
const MATCHERS = Symbol.for('$$jest-matchers-object');
const matchersHome = () => (globalThis as Record<symbol, { matchers?: object; customEqualityTesters?: unknown[] } | undefined>)[MATCHERS];
const testersBefore = matchersHome()?.customEqualityTesters?.slice() ?? [];

/** Whether vitest's custom equality testers are others than before: one added, removed or replaced. */
function testersChanged(): string[] {
  const now = matchersHome()?.customEqualityTesters ?? [];
  let same = now.length === testersBefore.length;
  for (let i = 0; same && i < now.length; i++) same = now[i] === testersBefore[i];
  return same ? [] : ["vitest's list of custom equality testers"];
}

function watched(): Array<[string, object]> {
  const objects: Array<[string, object]> = [
    ['expect', expect],
    ['expect(…)', Object.getPrototypeOf(expect(0)) as object],
    ['Object', Object],
    ['Object.prototype', Object.prototype],
    ['Array', Array],
    ['Number', Number],
    ['String', String],
    ['Symbol', Symbol],
    ['RegExp.prototype', RegExp.prototype],
    ['Function.prototype', Function.prototype],
    ['Array.prototype', Array.prototype],
    ['Number.prototype', Number.prototype],
    ['String.prototype', String.prototype],
    ['Map.prototype', Map.prototype],
    ['Set.prototype', Set.prototype],
    ['Promise.prototype', Promise.prototype],
    ['Error.prototype', Error.prototype],
    ['DataView.prototype', DataView.prototype],
    ['TypedArray.prototype', Object.getPrototypeOf(Uint8Array.prototype) as object],
    ['Math', Math],
    ['JSON', JSON],
    ['Reflect', Reflect],
    ['Atomics', Atomics],
    ['vitest matchers', matchersHome()?.matchers ?? {}],
  ];
  for (const [name, value] of Object.entries(machine)) {
    if (typeof value === 'function') objects.push([`machine ${name}`, value], [`machine ${name}.prototype`, (value as { prototype?: object }).prototype ?? {}]);
  }
  return objects;
}

/** Every function-valued property, getter and setter of the watched objects, by name. */
function snapshot(): Snapshot {
  const functions: Snapshot = [];
  const objects = watched();
  for (let i = 0; i < objects.length; i++) {
    const [name, object] = objects[i];
    const keys = ownKeys(object);
    for (let k = 0; k < keys.length; k++) {
      const d = describe(object, keys[k]);
      if (d === undefined) continue;
      const label = `${name}.${asText(keys[k])}`;
      if (typeof d.value === 'function') functions[functions.length] = [label, d.value];
      if (d.get !== undefined) functions[functions.length] = [`${label} (getter)`, d.get];
      if (d.set !== undefined) functions[functions.length] = [`${label} (setter)`, d.set];
    }
  }
  return functions;
}

/** What differs from `before`: functions replaced or removed, and any added to a built-in. */
function changes(before: Snapshot, after: Snapshot): string[] {
  // Plain dictionaries and loops, no Map or Set: their methods are among what may be patched.
  const byLabel = (pairs: Snapshot) => {
    const out: Record<string, unknown> = emptyObject(null);
    for (let i = 0; i < pairs.length; i++) out[pairs[i][0]] = pairs[i][1];
    return out;
  };
  const was = byLabel(before);
  const now = byLabel(after);
  const found: string[] = [];
  for (let i = 0; i < before.length; i++) if (now[before[i][0]] !== before[i][1] || !(before[i][0] in now)) found[found.length] = before[i][0];
  for (let i = 0; i < after.length; i++) if (!(after[i][0] in was) && !after[i][0].startsWith('expect')) found[found.length] = after[i][0];
  return found;
}

/** Assertions that must throw; a name for each that did not. */
function assertionsThatPass(): string[] {
  const checks: Array<[string, () => void]> = [
    ['expect(1).toBe(2)', () => expect(1).toBe(2)],
    ['expect([1]).toEqual([2])', () => expect([1]).toEqual([2])],
    ['expect(1).not.toBe(1)', () => expect(1).not.toBe(1)],
    ['expect(() => {}).toThrow()', () => expect(() => {}).toThrow()],
  ];
  const passing: string[] = [];
  for (let i = 0; i < checks.length; i++) {
    try {
      checks[i][1]();
      passing[passing.length] = checks[i][0];
    } catch {
      // as it must
    }
  }
  return passing;
}

const before = snapshot();

// The built-ins' own functions that assertions call (Object.is, Array.isArray, JSON.stringify…)
// are fixed for the run: `Object.is = …` throws, even when the code meant to put it back a
// moment later, before the check after the tests could see it. Not the prototypes: an object
// assigning its own toString would then throw as well.
for (const namespace of [Object, Array, Number, String, Symbol, Math, JSON, Reflect, Atomics, Promise]) {
  const keys = ownKeys(namespace);
  for (let k = 0; k < keys.length; k++) {
    const d = describe(namespace, keys[k]);
    if (d !== undefined && typeof d.value === 'function' && d.configurable === true) Object.defineProperty(namespace, keys[k], { ...d, writable: false, configurable: false });
  }
}

afterAll(() => {
  // Loops and concatenation only: a patched map or join must not empty the list it reports.
  const replaced = changes(before, snapshot());
  const testerChanges = testersChanged();
  for (let i = 0; i < testerChanges.length; i++) replaced[replaced.length] = testerChanges[i];
  const passing = assertionsThatPass();
  const count = replaced.length + passing.length;
  if (count === 0) return;
  let shown = '';
  for (let i = 0; i < count && i < 4; i++) {
    shown += (i === 0 ? '' : ', ') + (i < replaced.length ? `${replaced[i]} was replaced` : `${passing[i - replaced.length]} no longer fails`);
  }
  throw new Error(`${INTEGRITY_MARK} the submission's code changed what the tests rely on: ${shown}${count > 4 ? `, and ${count - 4} more` : ''}`);
});
