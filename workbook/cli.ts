// The workbook's command line: `npx tsx workbook/cli.ts <command>`, or `npm run <command> --`.
// The commands live in workbook/commands/; this file parses and dispatches.

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { refreshChapter } from './chapter-markers.ts';
import { parseOptions, UsageError } from './commands/options.ts';
import { record } from './commands/record.ts';
import { check, hint, reset, start, status } from './commands/student.ts';
import { bench, grade, trace } from './commands/tools.ts';
import { zoneStats } from './commands/zone-stats.ts';
import { ROOT } from './paths.ts';
import { writeSkeletonManifest } from './skeletons.ts';

const USAGE = `The malloc workbook

Usage: npx tsx workbook/cli.ts <command> [options]   (or npm run <command> -- [options])

Commands:
  start                      the book on localhost and watch mode (npm start; --no-site: no book)
  watch                      watch mode on your first unfinished exercise:
                             tests run on every save; keys h hint, n next, l list,
                             c check all, r run, q quit. --manual-run: run on r only
  reset <exercise>           put the shipped skeleton back (your file is backed up)
  status                     chapters with exercises done, and the next step
  check [chapter|exercise]   run the tests of your exercises (all, 01, bump, …)
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
      --watch                run again whenever a file in exercises/ changes
  hint <exercise|chapter>    show the next hint (one more each time)
  trace <allocator>[,<allocator>…] [file.rep|folder]… [--option name=value]…
                             replay allocation traces through an allocator and check every
                             result (every trace in traces/ by default, not traces/recorded:
                             name it to replay the recorded programs); a failure is shrunk
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
  trace --generate           (maintainers) write the workbook's traces into traces/
  grade <submission>… [--batch <folder>]
                             grade submissions with the canonical tests, chapter by chapter,
                             each in a sandbox with a time and memory limit
      --json | --csv <file> | --junit <file> | --gradescope <file|folder>
      --extra-tests <folder>   hidden tests, as <chapter>/<name>.test.ts
      --timeout <seconds>      per chapter (default 30); --memory <MiB> (default 1024)
      --points <file.json>     points per exercise id, instead of workbook/exercises.ts
      --chapters 01,02         grade only these chapters
  bench [allocators]         every allocator of the book on every trace in traces/, beside
                             @thi.ng/malloc and the C library's malloc: utilization, memory
                             operations per call, ops/s and its ratio to bump and @thi.ng/malloc;
                             then the reference allocators' targets, pass or short
      --traces <folder|file.rep>[,…]   other traces (a course's, say) instead of traces/
      --json                 print one JSON document instead (the targets included)
      --svg <file>           also write the averages as an SVG chart
  bench machine              speed of the simulated memory against a plain DataView
  bench threads              chapter 6's stress workload on real worker threads: one lock
                             against a magazine per thread (lock waits, time, every byte checked)
      --workers <n> (2)  --repeat <n> (3)  --ops <steps per worker> (100000)
  zone-stats <size>…         the zone's statistics per scale (tiny, small, large) after one
                             malloc(<size>) in a fresh process, as macOS's classic example
      --option preset=32-bit   older thresholds (32-bit, 32-bit-1gb); tinyLimit=, smallLimit=
      --target <t>           solutions (the default here), exercises, or a folder
      --json                 print one JSON document instead
  record <command …>         run a real Linux program with an LD_PRELOAD library (built with
                             cc at first use) that logs its malloc, calloc, realloc and free,
                             and write the calls as traces/recorded/<name>.rep
      --name <name>          the trace's name (default: the command's)
      --max-ops <n>          stop the trace after n operations (and say so)
      --force                overwrite traces/recorded/<name>.rep if it exists
      --json                 print one JSON document instead
                             (these come before the command; the command's output is discarded)
  skeletons --update         (maintainers) record the shipped skeletons' hashes
  markers --update           (maintainers) refresh the code and figures the chapters show
`;

// ------------------------------------------------------------------ main

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The recorded command's options are its own: record parses only what comes before it.
  if (command === 'record') return record(rest);
  const options = parseOptions(rest);
  switch (command) {
    case undefined:
    case 'start':
    case 'watch':
      return start(options);
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
      return zoneStats(options, rest.some((arg) => arg === '--target' || arg.startsWith('--target=')));
    case 'skeletons':
      if (!options.update) throw new UsageError('skeletons takes --update: it records the current skeletons as the shipped ones.');
      console.log(`Recorded ${writeSkeletonManifest()} skeleton hashes in workbook/skeletons.json.`);
      return 0;
    case 'markers': {
      if (!options.update) throw new UsageError('markers takes --update: it rewrites the code and figures after every marker in chapters/.');
      for (const file of readdirSync(resolve(ROOT, 'chapters')).filter((f) => f.endsWith('.md'))) {
        console.log(`chapters/${file}: ${refreshChapter(resolve(ROOT, 'chapters', file))} blocks updated`);
      }
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command '${command}'.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${pc.red(error.message)}\n\n${USAGE}`);
    else console.error(pc.red(error instanceof Error ? error.message : String(error)));
    process.exitCode = 2;
  },
);
