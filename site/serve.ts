// Serves the built site on localhost and rebuilds it when a chapter or any code it shows
// changes; an open page reloads itself after a rebuild. `npm start` calls serveSite.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { extname, join, normalize, relative, sep } from 'node:path';
import { buildSite, DEFAULT_OUT, ROOT, SITE_DIR, SiteBuildError } from './generator.ts';
import { bundleStudentAllocators } from './heap-embed.ts';
import { escapeHtml } from './highlight.ts';
import { type TreeWatcher, watchTree } from '../workbook/watch-tree.ts';

export interface ServeOptions {
  /** 0 or absent: any free port. */
  port?: number;
  withSolutions?: boolean;
  log?: (line: string) => void;
  /** After each build: undefined when it was built, else why not (the pages served stay the last built). */
  onBuilt?: (failure: string | undefined) => void;
  /** Where to build and serve from: site/dist by default. */
  outDir?: string;
}

export interface ServedSite {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** What changes the site: the chapters and every folder a chapter can include from. */
export const WATCHED = ['chapters', 'solutions', 'exercises', 'machine', 'site/assets', 'README.md'];

const RELOAD_SCRIPT = `<script>(function(){var s=new EventSource('/__reload');s.onmessage=function(){location.reload();};})();</script>`;
/** The student's allocators for the heap view: served here only, never part of the static site. */
const STUDENT_SCRIPT = '<script src="/__student.js"></script>';

export async function serveSite(options: ServeOptions = {}): Promise<ServedSite> {
  const log = options.log ?? (() => {});
  const outDir = options.outDir ?? DEFAULT_OUT;
  let student = '';
  let failure = '';
  const build = (): boolean => {
    student = bundleStudentAllocators(SITE_DIR);
    try {
      const result = buildSite({ withSolutions: options.withSolutions, outDir });
      const measured = result.charts.measured.length === 0 ? '' : ` (measured the charts ${result.charts.measured.join(', ')} in ${result.charts.measureMs.toFixed(0)} ms)`;
      log(`site: built ${result.pages.length} pages in ${result.ms.toFixed(0)} ms${measured}`);
      options.onBuilt?.(undefined);
      return true;
    } catch (error) {
      failure = error instanceof SiteBuildError ? error.message : `site: the build failed: ${(error as Error).stack}`;
      log(failure);
      options.onBuilt?.(failure);
      return false;
    }
  };
  const listeners = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (path === '/__reload') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write(': connected\n\n');
      listeners.add(response);
      request.on('close', () => listeners.delete(response));
      return;
    }
    if (path === '/__student.js') {
      response.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' }).end(student);
      return;
    }
    let file = normalize(join(outDir, path));
    if (file !== outDir && !file.startsWith(outDir + sep)) {
      response.writeHead(403).end('Forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end(notFoundPage(path, outDir));
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    let body: Buffer | string = readFileSync(file);
    if (extname(file) === '.html') body = body.toString('utf8').replace('</body>', `${STUDENT_SCRIPT}${RELOAD_SCRIPT}</body>`);
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // Built once the port is ours: a port in use is said at once, not after a minute of measuring charts.
  if (!build() && !existsSync(join(outDir, 'index.html'))) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new Error(failure);
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  // Rebuild once a burst of saves has settled.
  let timer: NodeJS.Timeout | undefined;
  const changed = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      log(`site: ${what} changed, rebuilding`);
      if (build()) for (const listener of listeners) listener.write('data: reload\n\n');
    }, 80);
  };
  const watchers: TreeWatcher[] = [];
  for (const entry of WATCHED) {
    const path = join(ROOT, entry);
    if (!existsSync(path)) continue;
    // Known once: a watched file deleted (README.md) must not make the next event throw.
    const base = statSync(path).isDirectory() ? path : ROOT;
    watchers.push(
      watchTree(path, (name) => {
        const file = relative(ROOT, join(base, name));
        if (file.endsWith('~') || /\.test\.ts$/.test(file)) return;
        changed(file);
      }),
    );
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const listener of listeners) listener.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page for an address the book does not have: what was asked for, and the pages it has. */
function notFoundPage(path: string, outDir: string): string {
  const pages = readdirSync(outDir).filter((f) => f.endsWith('.html') && f !== 'index.html').sort();
  const links = pages.map((f) => `<li><a href="/${encodeURI(f)}">${escapeHtml(f.replace(/\.html$/, ''))}</a></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not in the book</title><link rel="stylesheet" href="/assets/site.css"></head>
<body><main class="content" style="padding:2rem"><h1>Not in the book</h1><p>There is no page <code>${escapeHtml(path)}</code> here. Start from <a href="/">the contents</a>, or open one of its pages:</p><ul>${links}</ul></main></body></html>
`;
}
