// Hints, revealed one at a time. Each chapter folder has a hints.md with a `## <exercise>`
// section per exercise; hints inside a section are separated by lines of `---`.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { type Exercise } from './exercises.ts';
import { EXERCISES_DIR, PROGRESS_FILE } from './paths.ts';
import { updateProgress } from './progress.ts';
import { reflowParagraphs, terminalMarkdown } from './text.ts';

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

/**
 * A hint as the terminal shows it: its code spans in colour or, where there is none (a pipe,
 * NO_COLOR), between backticks as markdown writes them, so that a span of code holding a
 * backtick still reads as one span.
 */
export function hintForTerminal(markdown: string, colour = pc.isColorSupported): string {
  return terminalMarkdown(reflowParagraphs(markdown), colour ? pc.cyan : plainCodeSpan);
}

/**
 * A code span in markdown's own form: `x`, or, around code that holds backticks, a longer run
 * of them than any inside (``new HeapCorruption(`…`)``), with a space where the code starts or
 * ends with one.
 */
export function plainCodeSpan(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${code}${pad}${fence}`;
}
