// Chapter 8: your chapter 5 zone, tuned for one real program. A zone's thresholds decide which
// scale serves a request, and so which memory it takes: a tiny or small region, or pages of its
// own from mmap. Pick a recorded program in traces/recorded/, measure, and choose the
// thresholds that leave the least memory idle on it.
// Check your work with `npm run check -- tuned`; stuck? `npm run hint -- tuned`.
// This file builds on your chapter 5 zone (../05-zones/zone.ts): finish that first.

import type { Process } from '../../machine/index.ts';
import { createZone, type Zone, type ZoneOptions } from '../05-zones/zone.ts';

/** The recorded program the tuning is for: a file of traces/recorded/. */
// TODO: name the program you tune for: ls.rep or git-log.rep. (On python3.rep and sort.rep no
// thresholds beat the reference by two points; a recording of your own is not in a grader's
// copy of the book.)
export const TARGET_TRACE = 'ls.rep';

/**
 * The thresholds your zone uses on TARGET_TRACE: tinyLimit (a multiple of 16, up to 1008),
 * smallLimit (above tinyLimit, up to 1 MiB), or a preset.
 */
// TODO: measure (npm run trace -- zones traces/recorded/ls.rep --option smallLimit=…) and put
// here the thresholds that beat chapter 5's reference on your program. Say why in a comment.
export const TUNING: ZoneOptions = { tinyLimit: 1008, smallLimit: 32 * 1024 };

export function createAllocator(proc: Process, options: ZoneOptions = {}): Zone {
  return createZone(proc, { ...TUNING, ...options });
}
