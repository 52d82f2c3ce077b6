// What a submission's exercise files reach for, read from their source before anything runs.
// A file that imports the reference solutions or the test framework, or loads modules or
// runs code by names made at run time, fails its chapter; Node's own modules and
// process-wide hooks are listed for an instructor to look at, and change no score: a
// student may well print with node:util.

import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix, relative, resolve, sep } from 'node:path';
import { CHAPTERS, EXERCISES, exerciseOfFile } from '../exercises.ts';
import { isSpecifier, relativeImports, withoutComments } from '../imports.ts';

export interface Finding {
  /** `01-bump/bump.ts:3`. */
  where: string;
  chapter: string;
  /** The chapters it counts in: its own, and every one whose exercises import its file, directly or not. */
  chapters: string[];
  what: string;
  /** True when the chapter fails for it; false when it is only worth a look. */
  cheat: boolean;
}

/** A string literal on one line: its quote, then its text. */
const STRING_LITERAL = /(['"`])((?:\\[\s\S]|(?!\1)[^\\\n])*)\1/g; // a backslash may continue it on the next line

/** Node modules an allocator has no use for, with or without the `node:` prefix. */
const FRAMEWORK = /^(vitest|@vitest\/.*|chai|tinyspy|vite|vite-node)(\/.*)?$/;

/**
 * Findings in the exercise files of the submission rooted at `root` (the folder of chapter
 * folders), and in `more` of its files (`01-bump/align.ts`, a helper of the student's own).
 * `top` is the submission's folder as given (or unpacked), `root` or a folder above it.
 */
export function scanSubmission(root: string, more: readonly string[] = [], top: string = root): Finding[] {
  const files = [...EXERCISES.map((e) => `${e.chapter}/${e.file}`), ...more].filter((file) => existsSync(resolve(root, file)));
  const sources = new Map(files.map((file) => [file, readFileSync(resolve(root, file), 'utf8')]));
  // A cheat in a helper fails every chapter that uses it: 05-zones/x.ts may serve 06's exercises the reference.
  const users = new Map<string, string[]>();
  for (const chapter of CHAPTERS) {
    const seen = new Set(files.filter((f) => f.startsWith(`${chapter.slug}/`) && exerciseOfFile(f) !== undefined));
    for (const file of seen) for (const next of relativeImports(sources.get(file) ?? '', file)) if (sources.has(next)) seen.add(next);
    for (const file of seen) users.set(file, [...(users.get(file) ?? []), chapter.slug]);
  }
  const findings: Finding[] = [];
  for (const file of files) {
    const path = resolve(root, file);
    const chapter = file.split('/')[0];
    const chapters = [...new Set([...(CHAPTERS.some((c) => c.slug === chapter) ? [chapter] : []), ...(users.get(file) ?? [])])];
    // A link would be graded as whatever it points to on the grader's machine: the reference, say.
    const link = linkOnTheWay(top, path);
    if (link !== undefined) {
      const through = link === path ? '' : `, through ${relative(top, link)}`;
      findings.push({ where: file, chapter, chapters, what: `is a symbolic link (to ${readlinkSync(link)}${through}), not a file of the submission's own`, cheat: true });
    }
    for (const f of scanSource(sources.get(file) ?? '', file)) findings.push({ ...f, where: `${file}:${f.line}`, chapter, chapters });
  }
  return findings;
}

/** The first symbolic link on the way down from `top` to `path` (`top` itself not included), if any. */
function linkOnTheWay(top: string, path: string): string | undefined {
  let at = top;
  for (const step of relative(top, path).split(sep)) {
    at = join(at, step);
    if (lstatSync(at).isSymbolicLink()) return at;
  }
  return undefined;
}

/** Findings in one file's source, by line; `file` (`01-bump/bump.ts`) is where it sits, for its relative imports. */
export function scanSource(source: string, file?: string): Array<{ line: number; what: string; cheat: boolean }> {
  const code = withoutComments(source);
  const found: Array<{ line: number; what: string; cheat: boolean }> = [];
  // `text`: the code the index is in, when its names were read (their escapes make it shorter).
  const add = (index: number, what: string, cheat: boolean, text = code) => {
    const line = text.slice(0, index).split('\n').length;
    if (!found.some((f) => f.line === line && f.what === what)) found.push({ line, what, cheat });
  };
  // Every string literal: import specifiers, URLs and paths alike.
  for (const m of code.matchAll(STRING_LITERAL)) {
    // As the program reads it: '..\u002fsolutions' names the reference as surely as '../solutions'.
    const text = unescaped(m[2]);
    const quoted = text === m[2] ? `'${text}'` : `'${text}', written '${m[2]}'`;
    if (/(^|[/\\])solutions([/\\]|$)/.test(text)) add(m.index, `names the reference solutions (${quoted})`, true);
    else if (/^\$\$jest-/.test(text)) add(m.index, `names vitest's own state (${quoted}), where its matchers and equality testers are kept`, true);
    else if (FRAMEWORK.test(text) && isSpecifier(code, m.index)) add(m.index, `imports the test framework (${quoted})`, true);
    else if (/\.test\.ts$|(^|[/\\])workbook[/\\]grade([/\\]|$)/.test(text)) add(m.index, `names a test or the grader (${quoted})`, true);
    // Its tools load code by target (loadAllocator(id, 'solutions')); an exercise needs workbook/todo.ts alone.
    else if (/(^|[/\\])workbook([/\\](?!todo\.ts$)|$)/.test(text) && isSpecifier(code, m.index)) add(m.index, `imports the workbook's own tools (${quoted}), which can load the reference`, true);
    else if ((isBuiltin(text) || text.startsWith('node:')) && isSpecifier(code, m.index)) add(m.index, `imports Node's ${text.replace(/^node:/, '')} module`, false);
    // A package (esbuild could compile the reference for new Function to run): an exercise needs none.
    else if (isSpecifier(code, m.index) && /^[@a-z]/i.test(text) && !/^[a-z]:/i.test(text)) add(m.index, `imports a package (${quoted}), which no exercise needs`, true);
    // Anywhere else (the sandbox's temporary folder, where a test may have written a copy of the reference) is not the student's.
    else if (file !== undefined && isSpecifier(code, m.index) && !importable(file, text)) add(m.index, `imports from outside the exercises and the machine (${quoted})`, true);
  }
  // The exercises never need a module whose name is only known at run time.
  for (const m of code.matchAll(/\bimport\s*\(\s*(?!['"][^'"`]*['"]\s*\))/g)) add(m.index, 'imports a module by a computed name', true);
  for (const m of code.matchAll(/\brequire\s*\(\s*(?!['"][^'"`]*['"]\s*\))/g)) add(m.index, 'requires a module by a computed name', true);
  for (const m of code.matchAll(/\bcreateRequire\b/g)) add(m.index, 'makes a require() of its own, which loads any module', true);
  // The code alone, its strings blanked (same length, same lines): a message may say "eval (…)".
  // A name may be written with escapes (\u0046unction is Function): read as the program does.
  const bare = identifiersRead(code.replace(STRING_LITERAL, (_, quote: string, body: string) => `${quote}${body.replace(/[^\n]/g, ' ')}${quote}`));
  // Any Node module by a name made at run time: `module`, whose createRequire loads the reference.
  for (const m of bare.matchAll(/\bprocess\s*\.\s*(getBuiltinModule|binding|_linkedBinding|dlopen)\b/g)) add(m.index, `uses process.${m[1]}, which loads a module by a name made at run time`, true, bare);
  // Code from a string can name what the scan looks for without writing it (vitest's own loader, say).
  for (const m of bare.matchAll(/\beval\s*\(|(?<![.:]\s*)\bFunction\s*\(|\bconstruct\s*\(\s*Function\b|\.\s*constructor\s*\(/g)) add(m.index, 'runs code built from a string, which no exercise needs', true, bare);
  // The loader vitest gives each module, and the files vite finds by a pattern: either imports any file, the reference too.
  for (const m of bare.matchAll(/\b__vite_ssr_\w*|\b__vitest_\w*|\bimport\.meta\.glob\w*/g)) add(m.index, `reaches into vitest's module loader (${m[0]})`, true, bare);
  // A property of the global object by a computed name: one the scan cannot read (vitest's worker state holds every module loaded).
  for (const m of bare.matchAll(/\b(?:globalThis|global)\s*(?:as\s+[^)]+\)\s*)?\[/g)) add(m.index, 'reads the global object by a computed name', true, bare);
  const patterns: Array<[RegExp, string]> = [
    [/\brequire\s*\(/g, 'calls require()'],
    [/\bprocess\s*\.\s*(exit|reallyExit|abort|kill|chdir|on|once|env)\b/g, 'uses process.$1'],
    [/\bglobalThis\b|\bglobal\s*\.|\bSymbol\.for\s*\(/g, 'reaches into the global object'],
    [/\.\s*prototype\b|\b__proto__\b|\bsetPrototypeOf\b/g, "touches a class's prototype"],
    // The process's own bookkeeping, private to the machine, which the tests read: no allocator needs it.
    // (memoryOps and bytesMoved are left out: stats() gives them, by those names, to anyone.)
    [/(?:\.\s*|\[\s*['"`])(kernel|readTable|writeTable|ownFrame)\b/g, "reaches into the process's private state ($1)"],
  ];
  const named = identifiersRead(code);
  for (const [pattern, what] of patterns) {
    for (const m of named.matchAll(pattern)) add(m.index, what.replace('$1', m[1] ?? ''), false, named);
  }
  // What the assertions call, or what a test reads memory back through, put in place for a
  // moment: read in the code alone (not its strings), as the program sees it.
  const rewiring: Array<[RegExp, string]> = [
    [/(?<![.\w$])((?:Object|Array|Number|String|Symbol|Math|JSON|Reflect|Atomics|Promise|Function|Map|Set)\s*\.\s*\w+)\s*=(?![=>])/g, 'assigns over the built-in $1'],
    [/(?<![.\w$])(proc\s*\.\s*(?!errno\b)\w+)\s*=(?![=>])/g, 'assigns over $1, on the process the tests read memory through'],
    [/\b((?:Object|Reflect)\s*\.\s*(?:defineProperty|defineProperties|deleteProperty))\b|\b(delete)\s+[\w$.[\]'"`]+/g, 'redefines or deletes properties ($1)'],
  ];
  for (const [pattern, what] of rewiring) {
    for (const m of bare.matchAll(pattern)) add(m.index, what.replace('$1', m[1] ?? m[2] ?? ''), false, bare);
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Code with the escapes of its names read: `glob\u0061lThis` is globalThis, `\u0046unction` Function. */
function identifiersRead(code: string): string {
  return code.replace(/\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})/g, (whole: string, braced?: string, four?: string) => {
    const point = parseInt(braced ?? four ?? '', 16);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** A string literal's text with its escapes read: `\u002f`, `\u{2f}` and `\x2f` are all `/`. */
export function unescaped(text: string): string {
  const controls: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return text.replace(/\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|\r\n|([\s\S]))/g, (whole, braced?: string, four?: string, two?: string, other?: string) => {
    if (whole === '\\\r\n') return ''; // a line continued
    const code = braced ?? four ?? two;
    if (code !== undefined) return parseInt(code, 16) <= 0x10ffff ? String.fromCodePoint(parseInt(code, 16)) : whole;
    return controls[other as string] ?? (other === '\n' ? '' : (other as string));
  });
}

/** Whether an exercise file at `file` (`01-bump/bump.ts`) may import `specifier`: a file of the exercises, machine/ or workbook/todo.ts. */
function importable(file: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = posix.normalize(posix.join('exercises', posix.dirname(file), specifier.replace(/\\/g, '/')));
  return target.startsWith('exercises/') || target.startsWith('machine/') || target === 'workbook/todo.ts';
}

