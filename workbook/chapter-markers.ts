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
// A missing file or region is an error naming the chapter's file and line.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { ROOT } from './paths.ts';

export interface Marker {
  kind: 'include' | 'output';
  /** What follows the colon: `solutions/01-bump/bump.ts#malloc`. */
  spec: string;
  /** 1-based line of the marker in the chapter. */
  line: number;
  /** The content of the fenced block right after the marker, or undefined if there is none. */
  block: string | undefined;
}

export class MarkerError extends Error {
  override name = 'MarkerError';
}

const MARKER = /^<!--\s*(include|output):\s*(\S+)\s*-->\s*$/;

export function findMarkers(markdown: string): Marker[] {
  const lines = markdown.split(/\r?\n/); // git on Windows may check the chapters out with \r\n
  const markers: Marker[] = [];
  lines.forEach((text, i) => {
    const match = MARKER.exec(text.trim());
    if (match === null) return;
    let block: string | undefined;
    if (/^```/.test(lines[i + 1] ?? '')) {
      const end = lines.findIndex((l, j) => j > i + 1 && /^```\s*$/.test(l));
      if (end !== -1) block = lines.slice(i + 2, end).join('\n');
    }
    markers.push({ kind: match[1] as Marker['kind'], spec: match[2], line: i + 1, block });
  });
  return markers;
}

/** The text a marker `path#region` or `path#L3-L9` stands for, dedented. */
export function resolveInclude(spec: string, where: string): string {
  const [path, region] = spec.split('#');
  const file = resolve(ROOT, path);
  if (!existsSync(file)) throw new MarkerError(`${where}: include of ${spec}: there is no file ${path}`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/); // the code as shown, whatever its line endings
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
    if (fresh === marker.block) continue;
    const blockLines = marker.block === '' ? 0 : marker.block.split('\n').length;
    lines.splice(marker.line + 1, blockLines, ...fresh.split('\n'));
    changed++;
  }
  if (changed > 0) writeFileSync(path, lines.join('\n'));
  return changed;
}
