// The skeletons as shipped, by hash: with it, git's history gives back a skeleton the student
// has changed (reset.ts), so the project's own tests (the red check of `npm test`, the grading
// sandbox) run on the skeletons as shipped, and a student who has solved some exercises keeps a
// green `npm test`. CI holds the manifest honest.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXERCISES, type Exercise, exercisePath } from './exercises.ts';
import { ROOT } from './paths.ts';
import { unixLineEnds } from './text.ts';

const MANIFEST = resolve(ROOT, 'workbook/skeletons.json');

/**
 * The hash the manifest records for a file's bytes, its lines ended by \n as shipped: git on
 * Windows checks files out with \r\n, and an untouched skeleton must still read as one.
 */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(unixLineEnds(bytes)).digest('hex');
}

export function hashFile(path: string): string {
  return sha256(readFileSync(resolve(ROOT, path)));
}

export function readSkeletonManifest(): Record<string, string> {
  return existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>) : {};
}

/** Records the current skeletons as the shipped ones; returns how many. */
export function writeSkeletonManifest(): number {
  const manifest: Record<string, string> = {};
  for (const exercise of EXERCISES) manifest[exercisePath(exercise)] = hashFile(exercisePath(exercise));
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return EXERCISES.length;
}

export function isUntouchedSkeleton(exercise: Exercise, manifest = readSkeletonManifest()): boolean {
  const path = exercisePath(exercise);
  return existsSync(resolve(ROOT, path)) && manifest[path] === hashFile(path);
}
