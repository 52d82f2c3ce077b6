// `npm run zone-stats -- <size>…`: the table of macOS's classic scalable_zone_statistics
// example, for a fresh process that has allocated <size> bytes, so a student can watch a
// request move from tiny to small to large as it crosses each threshold.

import pc from 'picocolors';
import { Process } from '../../machine/index.ts';
import { stageTarget, targetRoot } from '../target.ts';
import { atLines, sourceOf } from '../trace/driver.ts';
import { renderTable } from '../trace/report.ts';
import { checkAllocatorOptions } from './allocator-options.ts';
import { measuredTarget, whose } from './measured.ts';
import { UsageError, type Options } from './options.ts';
import { loadCompiled } from './tools.ts';

const SCALES = ['tiny', 'small', 'large'] as const;

interface Statistics {
  blocksInUse: number;
  sizeInUse: number;
  maxSizeInUse: number;
  sizeAllocated: number;
}

interface ZoneLike {
  malloc(size: number): number;
  statistics(scale?: string): Statistics;
  classes?: { tinyLimit: number; smallLimit: number };
}

export interface ZoneStatsReport {
  size: number;
  pointer: number;
  scale: string | undefined;
  statistics: Record<(typeof SCALES)[number], Statistics>;
}

export async function zoneStats(options: Options): Promise<number> {
  if (options.positional.length === 0) throw new UsageError('zone-stats needs a size in bytes: npm run zone-stats -- 497');
  const sizes = options.positional.map(sizeOf);
  // The reference unless asked otherwise: the point is to watch the thresholds.
  const target = measuredTarget(options);
  // A folder runs from a copy inside the workbook, where its imports of the machine resolve.
  const staged = stageTarget(target);
  try {
    return await report(sizes, target, staged.target, options);
  } finally {
    staged.cleanup();
  }
}

/** A size in bytes as typed, or a UsageError saying what is wrong with it. */
export function sizeOf(arg: string): number {
  if (!/^\d+$/.test(arg)) throw new UsageError(`zone-stats: '${arg}' is not a size in bytes (a whole number, 0 or more, such as 497).`);
  // Past 2^53 - 1 a number no longer holds every whole value: 2^53 + 1 would be read as 2^53.
  if (!Number.isSafeInteger(Number(arg))) throw new UsageError(`zone-stats: '${arg}' is too large: a size goes up to ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER).`);
  return Number(arg);
}

async function report(sizes: number[], target: string, staged: string, options: Options): Promise<number> {
  const { createAllocator } = await loadCompiled('zones', staged, target);
  const allocatorOptions = checkAllocatorOptions('zones', createAllocator, options.allocatorOptions);
  const reports: ZoneStatsReport[] = sizes.map((size) => {
    let call = 'createAllocator(proc)';
    try {
      const zone = createAllocator(new Process(), allocatorOptions) as unknown as ZoneLike;
      if (typeof zone.statistics !== 'function') throw new Error(`The zones allocator of ${target} has no statistics() yet: write exercises/05-zones/statistics.ts first.`);
      call = `malloc(${size})`;
      const pointer = zone.malloc(size);
      call = `statistics() after malloc(${size})`;
      const statistics = Object.fromEntries(SCALES.map((s) => [s, zone.statistics(s)])) as ZoneStatsReport['statistics'];
      const scale = SCALES.find((s) => statistics[s].blocksInUse > 0);
      return { size, pointer, scale, statistics };
    } catch (error) {
      // Where in the zone's own code it threw, as trace and check say it.
      const name = error instanceof Error ? error.name : typeof error;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${call} threw ${name}: ${message}${atLines(sourceOf(error, targetRoot(staged)))}`, { cause: error });
    }
  });
  if (options.json) {
    console.log(JSON.stringify({ target, options: allocatorOptions, reports }, null, 2));
    return 0;
  }
  const here = process.env.INIT_CWD ?? process.cwd();
  // Beside the tables, not in them: the chapter shows what goes to stdout, as it stands.
  process.stderr.write(pc.dim(`With ${whose(target, 'zone', '05-zones', here)}, one malloc in a fresh process each. Sizes in bytes.\n\n`));
  for (const report of reports) {
    const where = report.pointer === 0 ? 'malloc returned NULL' : `a ${report.scale} block`;
    console.log(`malloc(${report.size}): ${where}`);
    const rows = SCALES.map((s) => {
      const st = report.statistics[s];
      return [s, String(st.blocksInUse), String(st.sizeInUse), String(st.maxSizeInUse), String(st.sizeAllocated)];
    });
    console.log(renderTable(['Region', 'Blocks in use', 'Size in use', 'Max size in use', 'Size allocated'], rows));
    console.log('');
  }
  return 0;
}
