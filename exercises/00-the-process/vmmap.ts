// Chapter 0, warm-up 2: read /proc/self/maps and summarize it, as macOS's vmmap does.
// Check your work with `npm run check -- vmmap`; stuck? `npm run hint -- vmmap`.

import { todo } from '../../workbook/todo.ts';

/** One line of /proc/self/maps. */
export interface MapsEntry {
  start: number;
  end: number;
  /** `rw-p` and the like. */
  perms: string;
  /** The last column: a path, `[heap]`, `[stack]`, `[anon:…]`, or '' for anonymous memory. */
  name: string;
}

/** One row of the summary: every mapping with the same name, added up. */
export interface RegionSummary {
  name: string;
  mappings: number;
  bytes: number;
}

/** Parses the text of proc.maps() (or a real /proc/self/maps) into entries. */
export function parseMaps(text: string): MapsEntry[] {
  // TODO: one entry per non-empty line. Fields are separated by spaces:
  // `start-end perms offset device inode name`, where start and end are hexadecimal
  // and the name may be missing, or contain spaces.
  todo('parseMaps(text): turn each line into { start, end, perms, name }');
}

/**
 * Adds up the mappings by name, the largest first (ties by name). Anonymous mappings
 * (no name) are reported as `[anonymous]`.
 */
export function summarizeMaps(text: string): RegionSummary[] {
  // TODO: group parseMaps(text) by name, counting mappings and adding up their bytes.
  todo('summarizeMaps(text): one row per name, largest first');
}
