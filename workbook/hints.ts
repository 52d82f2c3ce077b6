// Hints, revealed one at a time. Each chapter folder has a hints.md with a `## <exercise>`
// section per exercise; hints inside a section are separated by lines of `---`.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Exercise } from './exercises.ts';
import { EXERCISES_DIR, PROGRESS_FILE } from './paths.ts';

export function hintsFor(exercise: Exercise): string[] {
  const file = resolve(EXERCISES_DIR, exercise.chapter, 'hints.md');
  if (!existsSync(file)) return [];
  const sections = readFileSync(file, 'utf8').split(/^## /m).slice(1);
  const section = sections.find((s) => s.split('\n', 1)[0].trim() === exercise.id);
  if (section === undefined) return [];
  return section
    .slice(section.indexOf('\n') + 1)
    .split(/^---\s*$/m)
    .map((hint) => hint.trim())
    .filter((hint) => hint !== '');
}

/** How many hints of each exercise the student has seen, from the progress file. */
export function readHintsSeen(file = PROGRESS_FILE): Map<string, number> {
  const seen = new Map<string, number>();
  if (!existsSync(file)) return seen;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^hint (\S+) (\d+)$/.exec(line.trim());
    if (match !== null) seen.set(match[1], Number(match[2]));
  }
  return seen;
}

export function writeHintsSeen(seen: Map<string, number>, file = PROGRESS_FILE): void {
  const lines = ['# malloc workbook progress: hints seen per exercise. Safe to copy or delete.'];
  for (const [id, count] of [...seen].sort()) lines.push(`hint ${id} ${count}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Reveals the next hint of `exercise`; returns every hint seen so far, the new one last. */
export function revealNextHint(exercise: Exercise, file = PROGRESS_FILE): { shown: string[]; total: number } {
  const hints = hintsFor(exercise);
  const seen = readHintsSeen(file);
  const count = Math.min(hints.length, (seen.get(exercise.id) ?? 0) + 1);
  seen.set(exercise.id, count);
  writeHintsSeen(seen, file);
  return { shown: hints.slice(0, count), total: hints.length };
}
