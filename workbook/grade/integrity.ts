// Loaded before every test file when grading (a vitest setup file). It notes the functions
// the tests rely on (vitest's expect and its assertions, the machine's classes, the
// built-ins) before the submission's code is imported, and after the file's tests checks
// that they are still the same functions and that a false assertion still fails. Code
// that patched them made its tests worthless: the grader fails the chapter, naming what
// changed.

import { afterAll, expect } from 'vitest';
import * as machine from '../../machine/index.ts';
import { INTEGRITY_MARK } from './sandbox.ts';

type Snapshot = Map<string, unknown>;

function watched(): Array<[string, object]> {
  const objects: Array<[string, object]> = [
    ['expect', expect],
    ['expect(…)', Object.getPrototypeOf(expect(0)) as object],
    ['Object', Object],
    ['Object.prototype', Object.prototype],
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
  ];
  for (const [name, value] of Object.entries(machine)) {
    if (typeof value === 'function') objects.push([`machine ${name}`, value], [`machine ${name}.prototype`, (value as { prototype?: object }).prototype ?? {}]);
  }
  return objects;
}

/** Every function-valued property, getter and setter of the watched objects, by name. */
function snapshot(): Snapshot {
  const functions: Snapshot = new Map();
  for (const [name, object] of watched()) {
    for (const key of Reflect.ownKeys(object)) {
      const d = Reflect.getOwnPropertyDescriptor(object, key);
      if (d === undefined) continue;
      const label = `${name}.${String(key)}`;
      if (typeof d.value === 'function') functions.set(label, d.value);
      if (d.get !== undefined) functions.set(`${label} (getter)`, d.get);
      if (d.set !== undefined) functions.set(`${label} (setter)`, d.set);
    }
  }
  return functions;
}

/** What differs from `before`: functions replaced or removed, and any added to a built-in. */
function changes(before: Snapshot, after: Snapshot): string[] {
  const changed = [...before.keys()].filter((key) => after.get(key) !== before.get(key));
  const added = [...after.keys()].filter((key) => !before.has(key) && !key.startsWith('expect'));
  return [...changed, ...added];
}

/** Assertions that must throw; a name for each that did not. */
function assertionsThatPass(): string[] {
  const checks: Array<[string, () => void]> = [
    ['expect(1).toBe(2)', () => expect(1).toBe(2)],
    ['expect([1]).toEqual([2])', () => expect([1]).toEqual([2])],
    ['expect(1).not.toBe(1)', () => expect(1).not.toBe(1)],
    ['expect(() => {}).toThrow()', () => expect(() => {}).toThrow()],
  ];
  return checks.filter(([, check]) => {
    try {
      check();
      return true;
    } catch {
      return false;
    }
  }).map(([name]) => name);
}

const before = snapshot();

afterAll(() => {
  const problems = [...changes(before, snapshot()).map((what) => `${what} was replaced`), ...assertionsThatPass().map((what) => `${what} no longer fails`)];
  if (problems.length > 0) {
    const shown = problems.slice(0, 4).join(', ');
    throw new Error(`${INTEGRITY_MARK} the submission's code changed what the tests rely on: ${shown}${problems.length > 4 ? `, and ${problems.length - 4} more` : ''}`);
  }
});
