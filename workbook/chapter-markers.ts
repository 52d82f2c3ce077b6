// The two markers that keep the book's text tied to real code:
//
//   <!-- include: solutions/01-bump/bump.ts#malloc -->   (or #L10-L20)
//   ```ts
//   …exactly the lines of that region, dedented…
//   ```
//
//   <!-- output: chapters/examples/00-maps.ts -->
//   ```text
//   …exactly what that script prints…
//   ```
//
// An include of the code an exercise asks for (see isAnswer) is folded, so that a reader of the
// markdown on GitHub or in an editor's preview meets the exercise before its answer:
//
//   <!-- include: solutions/01-bump/bump.ts#malloc -->
//   <details><summary>…</summary>
//
//   ```ts
//   …
//   ```
//
//   </details>
//
// A missing file or region is an error naming the chapter's file and line.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { type Exercise, exerciseOfFile, exercisePath } from './exercises.ts';
import { ROOT } from './paths.ts';
import { shippedSkeleton } from './reset.ts';

export interface Marker {
  kind: 'include' | 'output';
  /** What follows the colon: `solutions/01-bump/bump.ts#malloc`. */
  spec: string;
  /** 1-based line of the marker in the chapter. */
  line: number;
  /** The content of the fenced block right after the marker, or undefined if there is none. */
  block: string | undefined;
  /** Whether the block is folded in a <details> (the lines FOLD_OPEN, '' before it, '', FOLD_CLOSE after). */
  folded: boolean;
  /** How many lines after the marker the block takes, its fences and fold included. */
  span: number;
}

export class MarkerError extends Error {
  override name = 'MarkerError';
}

const MARKER = /^<!--\s*(include|output):\s*(\S+)\s*-->\s*$/;

/** The fold's first line, the same for every answer (its file is in the marker above it). */
export const FOLD_OPEN = '<details><summary>The reference for an exercise of this chapter: try it first, then open</summary>';
export const FOLD_CLOSE = '</details>';

export function findMarkers(markdown: string): Marker[] {
  const lines = markdown.split(/\r?\n/); // git on Windows may check the chapters out with \r\n
  const markers: Marker[] = [];
  lines.forEach((text, i) => {
    const match = MARKER.exec(text.trim());
    if (match === null) return;
    const folded = lines[i + 1]?.trim() === FOLD_OPEN && lines[i + 2]?.trim() === '';
    const fence = folded ? i + 3 : i + 1;
    let block: string | undefined;
    let span = 0;
    if (/^```/.test(lines[fence] ?? '')) {
      const end = lines.findIndex((l, j) => j > fence && /^```\s*$/.test(l));
      if (end !== -1) {
        block = lines.slice(fence + 1, end).join('\n');
        const closed = folded && lines[end + 1]?.trim() === '' && lines[end + 2]?.trim() === FOLD_CLOSE;
        if (folded && !closed) block = undefined; // a fold left open: the block is not where it should be
        span = end - i + (closed ? 2 : 0);
      }
    }
    markers.push({ kind: match[1] as Marker['kind'], spec: match[2], line: i + 1, block, folded, span });
  });
  return markers;
}

/**
 * Whether an include from solutions/ shows what an exercise asks for: the shipped skeleton's
 * copy of the same lines differs (a TODO where the code is) or is missing. Code the skeleton
 * gives as it is, and solutions with no skeleton beside them, are no answers. The skeleton as
 * shipped, never the student's file: one who copied the reference has not made it given code.
 */
export function isAnswer(spec: string): boolean {
  if (!spec.startsWith('solutions/')) return false;
  const [path, region] = spec.replace(/^solutions\//, 'exercises/').split('#');
  const skeleton = shippedText(path);
  if (skeleton === undefined) return false;
  try {
    return pickRegion(skeleton.split(/\r?\n/), path, region, spec) !== resolveInclude(spec, spec);
  } catch {
    return true; // the skeleton lacks the region: its code is the exercise's to write
  }
}

/**
 * The text of `path` in exercises/ as shipped, or undefined if there is no such file: an
 * exercise's file is its shipped skeleton (found by workbook/skeletons.json), a given file is
 * the file itself.
 */
function shippedText(path: string): string | undefined {
  const exercise = exerciseOfFile(path.replace(/^exercises\//, ''));
  if (exercise !== undefined) return shippedSkeletonCached(exercise);
  const file = resolve(ROOT, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

const skeletons = new Map<Exercise, string | undefined>();

function shippedSkeletonCached(exercise: Exercise): string | undefined {
  if (!skeletons.has(exercise)) skeletons.set(exercise, recoveredSkeleton(exercise));
  return skeletons.get(exercise);
}

/** The shipped skeleton, or, in a copy that is no git clone and cannot recover it, the file as it is. */
function recoveredSkeleton(exercise: Exercise): string | undefined {
  try {
    return shippedSkeleton(exercise);
  } catch {
    const file = resolve(ROOT, exercisePath(exercise));
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }
}

/** Whether a marker's block should be folded: an include of an answer. */
export function shouldFold(marker: Pick<Marker, 'kind' | 'spec'>): boolean {
  return marker.kind === 'include' && isAnswer(marker.spec);
}

/** The text a marker `path#region` or `path#L3-L9` stands for, dedented. */
export function resolveInclude(spec: string, where: string): string {
  const [path, region] = spec.split('#');
  const file = resolve(ROOT, path);
  if (!existsSync(file)) throw new MarkerError(`${where}: include of ${spec}: there is no file ${path}`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/); // the code as shown, whatever its line endings
  return pickRegion(lines, path, region, spec, where);
}

/** The lines of `path` that `region` (a name, `L3-L9`, or undefined for all) stands for, dedented. */
function pickRegion(lines: string[], path: string, region: string | undefined, spec: string, where = spec): string {
  let picked: string[];
  if (region === undefined) picked = lines;
  else if (/^L\d+-L\d+$/.test(region)) {
    const [from, to] = region.slice(1).split('-L').map(Number);
    if (from < 1 || to > lines.length || from > to) throw new MarkerError(`${where}: include of ${spec}: ${path} has ${lines.length} lines`);
    picked = lines.slice(from - 1, to);
  } else {
    const start = lines.findIndex((l) => l.trim() === `// #region ${region}`);
    const end = lines.findIndex((l, i) => i > start && l.trim() === `// #endregion ${region}`);
    if (start === -1 || end === -1) {
      const known = lines.map((l) => /\/\/ #region (\S+)/.exec(l)?.[1]).filter(Boolean);
      throw new MarkerError(`${where}: include of ${spec}: ${path} has no region '${region}' (it has: ${known.join(', ') || 'none'})`);
    }
    picked = lines.slice(start + 1, end);
  }
  return dedent(picked).join('\n').replace(/\n+$/, '');
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(common));
}

/** What an output marker's script prints now, trailing newlines trimmed. */
export function runOutputScript(spec: string, where = spec): string {
  if (!existsSync(resolve(ROOT, spec))) throw new MarkerError(`${where}: output of ${spec}: there is no such script`);
  try {
    // Figures are plain text wherever they are made: no colours, whatever the terminal or CI says.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const printed = execFileSync(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), spec], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', env });
    return printed.replace(/\n+$/, '');
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error).trim().split('\n').slice(0, 6).join('\n');
    throw new MarkerError(`${where}: output of ${spec}: the script failed:\n${stderr}`);
  }
}

/**
 * Rewrites the fenced block after every marker of a chapter with what the marker stands
 * for today (for maintainers, after changing code the book shows). Returns the markers changed.
 */
export function refreshChapter(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  let changed = 0;
  for (const marker of findMarkers(lines.join('\n')).reverse()) {
    if (marker.block === undefined) continue;
    const where = `${relative(ROOT, path)}:${marker.line}`;
    const fresh = marker.kind === 'include' ? resolveInclude(marker.spec, where) : runOutputScript(marker.spec, where);
    const fold = shouldFold(marker);
    if (fresh === marker.block && fold === marker.folded) continue;
    const fenceOpen = lines[marker.line + (marker.folded ? 2 : 0)]!;
    const block = [fenceOpen, ...fresh.split('\n'), '```'];
    lines.splice(marker.line, marker.span, ...(fold ? [FOLD_OPEN, '', ...block, '', FOLD_CLOSE] : block));
    changed++;
  }
  if (changed > 0) writeFileSync(path, lines.join('\n'));
  return changed;
}
