// Chapter 8: your chapter 5 zone, tuned for one real program. A zone's thresholds decide which
// scale serves a request, and so which memory it takes: a tiny or small region, or pages of its
// own from mmap. Pick a recorded program in traces/recorded/, measure, and choose the
// thresholds that leave the least memory idle on it.
// Check your work with `npm run check -- tuned`; stuck? `npm run hint -- tuned`.
// This file builds on your chapter 5 zone (../05-zones/zone.ts): finish that first.

import type { Process } from '../../machine/index.ts';
import { createZone, type Zone, type ZoneOptions } from '../05-zones/zone.ts';

/** The recorded program the tuning is for: a file of traces/recorded/. */
export const TARGET_TRACE = 'ls.rep';

// #region tuning
/**
 * ls keeps one 32,816-byte buffer (48 bytes over 32 KiB) live beside a few hundred small blocks.
 * As a large block it maps nine fresh pages; with small blocks up to 64 KiB it is a small block of
 * 65 quanta, partly in pages the small region touched for blocks freed before: 78.7% utilization against
 * 69.6% (npm run trace -- zones traces/recorded/ls.rep --option smallLimit=65536).
 */
export const TUNING: ZoneOptions = { tinyLimit: 1008, smallLimit: 64 * 1024 };
// #endregion tuning

export function createAllocator(proc: Process, options: ZoneOptions = {}): Zone {
  return createZone(proc, { ...TUNING, ...options });
}
