// npm run site                      build site/dist/ from chapters/*.md
// npm run site -- --with-solutions  the instructor build, with the full solutions
// npm run site -- --serve [--port N]  build, serve on localhost, rebuild on changes
// npm run site -- --out <folder>    build somewhere else

import { existsSync, mkdtempSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, portOption } from '../workbook/commands/options.ts';
import { nearestName } from '../workbook/text.ts';
import { buildSite, ROOT, SiteBuildError } from './generator.ts';
import { serveSite } from './serve.ts';

const USAGE = `npm run site -- [--with-solutions] [--serve [--port N] | --out <folder>]

  (nothing)          build the book into site/dist/ (open site/dist/index.html)
  --with-solutions   the instructor's build: every solution shown in full
  --serve            build, serve on http://127.0.0.1, rebuild when a file changes
  --port N           the port to serve on (1 to 65535); any free one if left out
  --out <folder>     build into another folder: a new or empty one, or an earlier build`;

const OPTIONS = {
  'with-solutions': { type: 'boolean' },
  serve: { type: 'boolean' },
  port: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readArgs(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const near = nearestName(unknown, Object.keys(OPTIONS));
      throw new UsageError(`Unknown option --${unknown}.${near === undefined ? '' : ` Did you mean --${near}?`}`);
    }
    const positional = /Unexpected argument '([^']+)'/.exec(message)?.[1];
    if (positional !== undefined) throw new UsageError(`npm run site takes no words, only options: what is '${positional}'?`);
    const needsValue = /Option '[^']*--([\w-]+)[^']*' argument missing/.exec(message)?.[1];
    if (needsValue !== undefined) throw new UsageError(`--${needsValue} needs a value${needsValue === 'out' ? ': the folder to build into' : ': a port number'}.`);
    throw new UsageError(message);
  }
}

/** The port asked for: 0 (any free one) when none was. */
/** The folder to build into: its parent must be a folder this process may write in. */
function outOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const out = resolve(process.env.INIT_CWD ?? process.cwd(), value);
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(`--out ${value}: ${parent} is not a folder; make it first, or choose another place.`);
  try {
    // Made and removed at once: the one test that holds for root too, and in /proc, where a recursive mkdir would loop.
    rmdirSync(mkdtempSync(join(parent, '.site-')));
  } catch (error) {
    throw new UsageError(`--out ${value}: cannot write in ${parent} (${(error as NodeJS.ErrnoException).code}); choose a folder of your own.`);
  }
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${value}: ${out} is a file; the site is a folder, so choose another name.`);
  // The build replaces its folder as a whole: only an earlier build, or nothing, may be there.
  const held = existsSync(out) ? readdirSync(out) : [];
  const aBuild = held.includes('index.html') && held.includes('assets');
  if (held.length > 0 && !aBuild) {
    const some = held.slice(0, 3).join(', ') + (held.length > 3 ? ', …' : '');
    throw new UsageError(`--out ${value}: ${out} holds ${some}, and no earlier build of the site; the build replaces its folder as a whole, so name a new or empty folder.`);
  }
  return out;
}

async function main(args: string[]): Promise<void> {
  const values = readArgs(args);
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const withSolutions = values['with-solutions'] === true;
  if (values.serve === true) {
    if (values.out !== undefined) throw new UsageError('--serve builds into site/dist/: leave --out out, or build with --out and no --serve.');
    const port = portOption(values.port) ?? 0;
    const site = await serveSite({ port, withSolutions, log: (line) => console.log(line) }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new UsageError(`Port ${port} is in use (by another npm start or npm run site -- --serve?). Choose another with --port N, or leave --port out for any free one.`);
      throw error;
    });
    console.log(`Serving the book at ${site.url} (Ctrl-C to stop)`);
    process.on('SIGINT', () => void site.close().then(() => process.exit(0)));
    return;
  }
  if (values.port !== undefined) throw new UsageError('--port is for --serve: npm run site -- --serve --port N.');
  const result = buildSite({ withSolutions, outDir: outOf(values.out) });
  const measured = result.charts.measured.length === 0 ? '' : ` (${result.charts.measureMs.toFixed(0)} ms of it measuring the charts ${result.charts.measured.join(', ')}; kept in site/dist/.cache for the next build)`;
  console.log(`Built ${result.pages.length} pages in ${result.ms.toFixed(0)} ms${measured}: ${relative(ROOT, result.outDir) || '.'}/index.html${withSolutions ? ' (with solutions)' : ''}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\nRun npm run site -- --help for the options.`);
    process.exit(2);
  }
  if (error instanceof SiteBuildError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
