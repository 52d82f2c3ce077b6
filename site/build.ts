// npm run site                      build site/dist/ from chapters/*.md
// npm run site -- --with-solutions  the instructor build, with the full solutions
// npm run site -- --serve [--port N]  build, serve on localhost, rebuild on changes
// npm run site -- --out <folder>    build somewhere else

import { relative } from 'node:path';
import { buildSite, ROOT, SiteBuildError } from './generator.ts';
import { serveSite } from './serve.ts';

const args = process.argv.slice(2);
const withSolutions = args.includes('--with-solutions');
const valueOf = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};

try {
  if (args.includes('--serve')) {
    const port = valueOf('--port');
    const site = await serveSite({ port: port === undefined ? undefined : Number(port), withSolutions, log: (line) => console.log(line) });
    console.log(`Serving the book at ${site.url} (Ctrl-C to stop)`);
    process.on('SIGINT', () => void site.close().then(() => process.exit(0)));
  } else {
    const out = valueOf('--out');
    const result = buildSite({ withSolutions, outDir: out });
    const measured = result.charts.measured.length === 0 ? '' : ` (${result.charts.measureMs.toFixed(0)} ms of it measuring the charts ${result.charts.measured.join(', ')}; kept in site/dist/.cache for the next build)`;
    console.log(`Built ${result.pages.length} pages in ${result.ms.toFixed(0)} ms${measured}: ${relative(ROOT, result.outDir) || '.'}/index.html${withSolutions ? ' (with solutions)' : ''}`);
  }
} catch (error) {
  if (error instanceof SiteBuildError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
