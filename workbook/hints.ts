// Hints, revealed one at a time. Each chapter folder has a hints.md with a `## <exercise>`
// section per exercise; hints inside a section are separated by lines of `---`.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Exercise } from './exercises.ts';
import { EXERCISES_DIR, PROGRESS_FILE } from './paths.ts';
import { updateProgress } from './progress.ts';

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

/** Reveals the next hint of `exercise`; returns every hint seen so far, the new one last. */
export function revealNextHint(exercise: Exercise, file = PROGRESS_FILE): { shown: string[]; total: number } {
  const hints = hintsFor(exercise);
  let count = 0;
  updateProgress((progress) => {
    count = Math.min(hints.length, (progress.hints.get(exercise.id) ?? 0) + 1);
    progress.hints.set(exercise.id, count);
  }, file);
  return { shown: hints.slice(0, count), total: hints.length };
}
