// The workbook's command line: `npx tsx workbook/cli.ts <command>`, or `npm run <command> --`.
// The commands live in workbook/commands/; this file parses and dispatches.

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import { refreshChapter } from './chapter-markers.ts';
import { asksForJson, COMMAND_OPTIONS, type Options, parseOptions, refuseUnused, UsageError } from './commands/options.ts';
import { record } from './commands/record.ts';
import { check, hint, reset, start, status } from './commands/student.ts';
import { CompileError, bench, grade, trace } from './commands/tools.ts';
import { helpHint, usageOf } from './commands/usage.ts';
import { zoneStats } from './commands/zone-stats.ts';
import { ROOT } from './paths.ts';
import { writeSkeletonManifest } from './skeletons.ts';

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The recorded command's options are its own: record parses only what comes before it.
  if (command === 'record') return record(rest);
  // Help is asked for, not a mistake: to stdout, and exit 0. After `--`, a word like any other.
  const ownOptions = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (ownOptions.includes('--help') || ownOptions.includes('-h')) {
    console.log(usageOf(command));
    return 0;
  }
  const options = parseOptions(rest);
  // These take no word; a stray one (an exercise's name, a typo) would be ignored in silence.
  if (['start', 'watch', 'status'].includes(command ?? 'start') && options.positional.length > 0) {
    const hint = command === 'status' ? '' : ' To check one exercise: npm run check -- <exercise>.';
    throw new UsageError(`${command ?? 'start'} takes no word, only options: what is '${options.positional[0]}'?${hint}`);
  }
  // An option the command does not read is refused before any work, not ignored.
  const uses = optionsKey(command ?? 'start', options);
  if (uses !== undefined) refuseUnused(uses, options);
  switch (command) {
    case undefined:
    case 'start':
      return start(options);
    case 'watch':
      return start({ ...options, noSite: true }); // watch mode alone: the book is start's
    case 'reset':
      return reset(options);
    case 'status':
      return status(options);
    case 'check':
      return check(options);
    case 'hint':
      return hint(options);
    case 'bench':
      return bench(options);
    case 'grade':
      return grade(options);
    case 'trace':
      return trace(options);
    case 'zone-stats':
      return zoneStats(options);
    case 'skeletons':
      if (!options.update) throw new UsageError('skeletons takes --update: it records the current skeletons as the shipped ones.');
      console.log(`Recorded ${writeSkeletonManifest()} skeleton hashes in workbook/skeletons.json.`);
      return 0;
    case 'markers': {
      if (!options.update) throw new UsageError('markers takes --update: it rewrites the code and figures after every marker in chapters/.');
      for (const file of readdirSync(resolve(ROOT, 'chapters')).filter((f) => f.endsWith('.md'))) {
        console.log(`chapters/${file}: ${refreshChapter(resolve(ROOT, 'chapters', file))} blocks updated`);
      }
      // The charts' numbers, loaded only here: measuring them takes a minute when they changed.
      const { writeShippedCharts } = await import('../site/charts/index.ts');
      const stats = { measured: [] as string[], measureMs: 0 };
      const changed = writeShippedCharts(ROOT, stats);
      const measured = stats.measured.length === 0 ? '' : ` (measured ${stats.measured.join(', ')} in ${(stats.measureMs / 1000).toFixed(0)} s)`;
      console.log(`site/measured-charts.json: ${changed ? 'updated' : 'current'}${measured}`);
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(usageOf(command === 'help' ? options.positional[0] : undefined));
      return 0;
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

/** The entry of COMMAND_OPTIONS that says which options `command` reads; undefined for an unknown command or benchmark (said elsewhere). */
function optionsKey(command: string, options: Options): string | undefined {
  if (command === 'trace' && options.generate) return 'trace --generate';
  if (command === 'bench') {
    const what = options.positional[0] ?? 'allocators';
    return `bench ${what}` in COMMAND_OPTIONS ? `bench ${what}` : undefined;
  }
  return command in COMMAND_OPTIONS ? command : undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The message and where to read more: the whole usage after it would scroll it away.
    if (error instanceof UsageError) console.error(`${pc.red(error.message)}\n${helpHint(process.argv[2])}`);
    else if (error instanceof CompileError) console.error(error.message); // coloured where it helps, its excerpt plain
    else console.error(pc.red(error instanceof Error ? error.message : String(error)));
    // A script reading stdout as JSON gets JSON even so, not an empty stdout it cannot parse.
    if (asksForJson(process.argv.slice(2))) {
      const kind = error instanceof UsageError ? 'usage' : error instanceof CompileError ? 'compile' : 'failure';
      console.log(JSON.stringify({ error: stripVTControlCharacters(error instanceof Error ? error.message : String(error)), kind }, null, 2));
    }
    // Code that does not compile is the exercise's failure, as a failed check is: not a usage error.
    process.exitCode = error instanceof CompileError ? 1 : 2;
  },
);
