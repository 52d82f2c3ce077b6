// Chapter 0, warm-up 2: read /proc/self/maps and summarize it, as macOS's vmmap does.

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
  const entries: MapsEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const [start, end] = fields[0].split('-').map((hex) => parseInt(hex, 16));
    entries.push({ start, end, perms: fields[1], name: fields.slice(5).join(' ') });
  }
  return entries;
}

/**
 * Adds up the mappings by name, the largest first (ties by name). Anonymous mappings
 * (no name) are reported as `[anonymous]`.
 */
export function summarizeMaps(text: string): RegionSummary[] {
  const byName = new Map<string, RegionSummary>();
  for (const entry of parseMaps(text)) {
    const name = entry.name === '' ? '[anonymous]' : entry.name;
    const row = byName.get(name) ?? { name, mappings: 0, bytes: 0 };
    row.mappings++;
    row.bytes += entry.end - entry.start;
    byName.set(name, row);
  }
  return [...byName.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}
