// The modules a TypeScript file imports, read from its text: its specifiers after `from`,
// `import`, `import(` or `require(`, outside comments. The grader follows them to find what a
// cheat reaches; check and watch mode, to find the earlier exercises a failing one runs.

import { posix } from 'node:path';

/** Whether the string literal at `index` is a module specifier: after `from`, `import` or `import(`/`require(`. */
export function isSpecifier(code: string, index: number): boolean {
  return /(\bfrom|\bimport|\bimport\s*\(|\brequire\s*\(|\bgetBuiltinModule\s*\()\s*$/.test(code.slice(Math.max(0, index - 40), index));
}

/** The source with its comments blanked out (lines kept), strings and template literals left alone. */
export function withoutComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && !(c !== '`' && source[j] === '\n')) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
/**
 * The files `file` (`01-bump/bump.ts`, '/'-separated) imports by a relative path, as paths beside
 * it: importing '../common.ts' gives `common.ts`. `runtimeOnly` leaves out `import type` and
 * `export type`, which run nothing.
 */
export function relativeImports(source: string, file: string, { runtimeOnly = false } = {}): string[] {
  const code = withoutComments(source);
  return [...code.matchAll(/(['"])(\.{1,2}\/[^'"\n]*)\1/g)]
    .filter((m) => isSpecifier(code, m.index) && !(runtimeOnly && isTypeOnly(code, m.index)))
    .map((m) => posix.normalize(posix.join(posix.dirname(file), m[2])));
}

/** Whether the statement holding the specifier at `index` is `import type …` or `export type …`. */
function isTypeOnly(code: string, index: number): boolean {
  const start = Math.max(code.lastIndexOf('import', index), code.lastIndexOf('export', index));
  return start !== -1 && /^(import|export)\s+type\s/.test(code.slice(start, index));
}
