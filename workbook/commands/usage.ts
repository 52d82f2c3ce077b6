// The command line's usage: the whole text for `--help`, one command's lines for
// `<command> --help`, and the one line that follows a usage error.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALLOCATORS } from '../allocators.ts';
import { EXERCISES } from '../exercises.ts';
import { ROOT } from '../paths.ts';

/** The registry's allocators, a line or two each: the name, its chapter, what it does. */
function allocatorLines(): string {
  const indent = ' '.repeat(29);
  const width = Math.max(...ALLOCATORS.map((a) => a.id.length));
  return ALLOCATORS.map((a) => {
    const words = `(${a.chapter}) ${a.description}`.split(' ');
    const lines: string[] = [];
    let line = `${indent}  ${a.id.padEnd(width)}  `;
    const start = line.length;
    for (const word of words) {
      if (line.length > start && line.length + word.length > 96) {
        lines.push(line.trimEnd());
        line = ' '.repeat(start);
      }
      line += `${word} `;
    }
    lines.push(line.trimEnd());
    return lines.join('\n');
  }).join('\n');
}

/** The points of the whole workbook, out of which grade scores a submission by default. */
const TOTAL_POINTS = EXERCISES.reduce((n, e) => n + e.points, 0);

// A command's entry starts with its name, two spaces in; the lines below it, indented further,
// are its own. usageOf() relies on that.
const COMMANDS = `Commands:
  start                      the book on localhost and watch mode on your first unfinished
                             exercise (npm start)
      --port <n>             serve the book on port n (default 4740, or any free one if it
                             is taken)
      --no-site              watch mode only, no book
      --manual-run           run the tests on r only, not on every save
  watch                      watch mode on your first unfinished exercise:
                             tests run on every save; keys h hint, n next, l list,
                             c check all, r run, q quit. --manual-run: run on r only
  reset <exercise>           put the shipped skeleton back, after asking (your file is
                             backed up in .workbook-backups/)
      --yes, -y              do not ask: needed where there is no terminal to answer in
  status                     chapters with exercises done, and the next step
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
  check [chapter|exercise]   run the tests of your exercises (all, 01, bump, …)
      --target <t>           exercises (yours, the default), solutions, or a folder
      --json                 print one JSON document instead
      --watch                run again whenever a file in exercises/ changes
  hint <exercise|chapter>    show the next hint (one more each time)
  trace <allocator>[,<allocator>…] [file.rep|folder]… [--option name=value]…
                             replay allocation traces through an allocator and check every
                             result (every trace in traces/ by default, not traces/recorded:
                             name it to replay the recorded programs); a failure is shrunk.
                             The allocators, each with its chapter:
${allocatorLines()}
      --target <t>           exercises (yours, the default), solutions, or a folder
      --option name=value    an option for the allocator's createAllocator(proc, options), such
                             as fit=best (coalescing) or scribble=true (debug); checked before
                             any replay: a name it does not read is refused with those it does,
                             a switch takes true/false (yes/no, on/off, 1/0), a count a number
      --threads <n>          make the calls on n logical threads (1 to 64), as chapter 6 measures
                             the magazines: id k's on thread k mod n, but one id in four is freed
                             by the next thread; a failure is shrunk keeping each call on its
                             thread (default: all on thread 0)
      --json                 print one JSON document instead
      --svg <file>           also draw each trace's live payload and footprint along the
                             replay, one chart a trace, every allocator named beside it
      --force                write --svg over a file that is not a chart trace or bench drew
  trace --generate           (maintainers) write the workbook's traces into traces/
  grade <submission>… [--batch <folder>]
                             grade submissions with the canonical tests, chapter by chapter,
                             each in a sandbox with a time and memory limit, two at a time.
                             A submission: a folder holding exercises/, a folder of chapter
                             folders (01-bump/, …), or a .zip, .tar or .tar.gz of one.
                             The table goes to stdout, progress to stderr. The whole
                             workbook is worth ${TOTAL_POINTS} points (workbook/exercises.ts).
      --batch <folder>         every folder and archive in it, a submission each
      --json                   instead of the table: Exercism's test-runner v3 document (an
                               array for several), each test with its exercise and points
      --csv <file>             a gradebook: a row per submission, the notes, the path
      --junit <file>           JUnit XML, for a CI server
      --gradescope <file|folder>   Gradescope's results.json: a file for one submission, a
                               folder of <name>.json for several (or a path ending in /)
      --force                  overwrite an earlier run's reports (refused without it)
      --extra-tests <folder>   hidden tests, as <chapter>/<name>.test.ts
      --timeout <seconds>      per chapter (default 30); --memory <MiB> (default 1024)
      --points <file.json>     points per exercise id, instead of workbook/exercises.ts
      --chapters 01,02         grade only these chapters
  bench [allocators|machine|threads]
                             one of three benchmarks. allocators, the default: every allocator
                             of the book on every trace in traces/, beside @thi.ng/malloc and
                             the C library's malloc: utilization, memory operations per call,
                             ops/s and its ratio to bump and @thi.ng/malloc; then the
                             reference allocators' targets, pass or short
      --traces <folder|file.rep>[,…]   other traces (a course's, say) instead of traces/
      --target <t>           solutions (the reference, the default here), exercises (yours,
                             without the book's targets), or a folder
      --json                 print one JSON document instead (the targets included)
      --svg <file>           also write the averages as an SVG chart
      --force                write --svg over a file that is not a chart trace or bench drew
  bench machine              speed of the simulated memory against a plain DataView
  bench threads              chapter 6's stress workload on real worker threads: one lock
                             against a magazine per thread (lock waits, time, every byte checked)
      --workers <n> (2)  --repeat <n> (3)  --ops <steps per worker> (100000)
      --target exercises     your magazines instead of the reference in solutions/
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
      --force                overwrite traces/recorded/<name>.rep if it exists (never one the book ships)
      --keep-failed          write the trace even when the command fails (not written otherwise)
      --json                 print one JSON document instead
                             (these come before the command; the command's output is discarded)
  skeletons --update         (maintainers) record the shipped skeletons' hashes
  markers --update           (maintainers) refresh the code and figures the chapters show
`;

export const USAGE = `The malloc workbook

Usage: npx tsx workbook/cli.ts <command> [options]   (or npm run <command> -- [options])
       npx tsx workbook/cli.ts <command> --help       that command's lines of this text

A command refuses an option it does not use. --name value may be written --name=value;
after --, every word is a word, not an option (zone-stats -- -1).

${COMMANDS}`;

/** Each command's lines of the usage, by name (trace's --generate and bench's machine and threads included). */
function entries(): Map<string, string[]> {
  const byCommand = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of COMMANDS.split('\n').slice(1)) {
    const name = /^ {2}([a-z][a-z-]*)/.exec(line)?.[1];
    if (name !== undefined) {
      current = byCommand.get(name) ?? [];
      byCommand.set(name, current);
    }
    if (line !== '') current?.push(line);
  }
  return byCommand;
}

/** The npm scripts of package.json: the commands `npm run <command>` also runs. */
function npmScripts(): Record<string, string> {
  try {
    return (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  } catch {
    return {};
  }
}

/** `command`'s own lines of the usage under a usage line of its own; the whole usage for any other word. */
export function usageOf(command: string | undefined): string {
  const lines = command === undefined ? undefined : entries().get(command);
  if (command === undefined || lines === undefined) return USAGE;
  const npm = npmScripts()[command] === `tsx workbook/cli.ts ${command}` ? `   (or npm run ${command} -- [options])` : '';
  return `Usage: npx tsx workbook/cli.ts ${command} [options]${npm}\n\n${lines.join('\n')}`;
}

/** The line after a usage error: where to read how `command` is used, the way it was typed. */
export function helpHint(command: string | undefined): string {
  if (command === undefined || !entries().has(command)) return 'Run npx tsx workbook/cli.ts --help for the commands.';
  // Typed as `npm run bench -- …`: answer in the same words.
  const typed = process.env.npm_lifecycle_event === command ? `npm run ${command} -- --help` : `npx tsx workbook/cli.ts ${command} --help`;
  return `Run ${typed} for its options.`;
}
