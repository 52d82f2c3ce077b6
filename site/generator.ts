// The site: every chapter in chapters/*.md to a page of site/dist/, with the index (README),
// print.html (the whole book on one page), the search index, and, for instructors, the
// solutions. Every internal link and fragment is checked; a broken one fails the build.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { EXERCISES } from '../workbook/exercises.ts';
import { hintsFor } from '../workbook/hints.ts';
import { escapeHtml, highlight } from './highlight.ts';
import { copyButton, createMarkdown, newEnv, type Heading, type RenderEnv, type Section, type SourceLink } from './markdown.ts';
import { buildSearchIndex } from './search-index.ts';
import { renderPage, type NavEntry } from './template.ts';
import { renderCharts, type ChartStats } from './charts/index.ts';
import { bundleHeapView, heapViewHtml, HEAP_VIEW_SCRIPT, renderHeapViews } from './heap-embed.ts';
import { bundleZoneView, renderZoneViews } from './zone-embed.ts';
import { renderDebugViews } from './debug-embed.ts';

export const SITE_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(SITE_DIR, '..');
export const DEFAULT_OUT = resolve(SITE_DIR, 'dist');

export interface BuildOptions {
  /** Where the site goes: site/dist by default. */
  outDir?: string;
  /** The instructor build: the full solution files, a page per chapter. */
  withSolutions?: boolean;
  /** The repository to read chapters and code from (tests point it at a copy). */
  root?: string;
}

export interface BuildResult {
  outDir: string;
  pages: string[];
  ms: number;
  /** The charts measured by this build (the rest came from site/dist/.cache), and the time that took. */
  charts: ChartStats;
}

export class SiteBuildError extends Error {
  override name = 'SiteBuildError';
  constructor(readonly problems: string[]) {
    super(`The site was not built:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

interface Page {
  /** File name in dist: `01-bump.html`. */
  name: string;
  /** Source, relative to the root: `chapters/01-bump.md`. */
  source: string;
  title: string;
  /** Sidebar label: `1. A bump allocator`. */
  label: string;
  html: string;
  headings: Heading[];
  links: SourceLink[];
  sections: Section[];
  /** The chapter's slug (`01-bump`), absent for the index and solution pages. */
  slug?: string;
}

const require = createRequire(import.meta.url);

export function buildSite(options: BuildOptions = {}): BuildResult {
  const start = performance.now();
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? DEFAULT_OUT;
  const withSolutions = options.withSolutions ?? false;
  const md = createMarkdown();
  const problems: string[] = [];
  const charts: ChartStats = { measured: [], measureMs: 0 };

  const chapterFiles = readdirSync(join(root, 'chapters')).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();
  const pageNames = new Map<string, string>([['README.md', 'index.html']]);
  for (const file of chapterFiles) pageNames.set(`chapters/${file}`, file.replace(/\.md$/, '.html'));

  const hints = (id: string) => {
    const exercise = EXERCISES.find((e) => e.id === id);
    return exercise === undefined ? [] : hintsFor(exercise);
  };

  const render = (source: string, strictLinks: boolean): { html: string; env: RenderEnv } => {
    const markdown = readFileSync(join(root, source), 'utf8');
    const env = newEnv(source, markdown, pageNames, { strictLinks, hintsFor: hints });
    const html = md.render(markdown, env);
    problems.push(...env.errors);
    const views = renderDebugViews(renderZoneViews(renderHeapViews(html, env, problems, root), env, problems, root), env, problems);
    return { html: renderCharts(views, env, problems, root, charts), env };
  };

  const pages: Page[] = [];
  const readme = render('README.md', false);
  pages.push({ name: 'index.html', source: 'README.md', title: 'The malloc workbook', label: 'Start here', html: readme.html, headings: readme.env.headings, links: readme.env.links, sections: readme.env.sections });

  for (const file of chapterFiles) {
    const source = `chapters/${file}`;
    const { html, env } = render(source, true);
    const slug = file.replace(/\.md$/, '');
    const title = env.headings.find((h) => h.level === 1)?.text ?? slug;
    const number = Number(file.slice(0, 2));
    pages.push({ name: pageNames.get(source)!, source, title, label: `${number}. ${title}`, html, headings: env.headings, links: env.links, sections: env.sections, slug });
  }

  if (existsSync(join(root, HEAP_PAGE_TRACE))) pages.push(heapPage(root, problems));

  if (withSolutions) {
    for (const chapter of pages.filter((p) => p.slug !== undefined)) {
      const folder = join(root, 'solutions', chapter.slug!);
      if (!existsSync(folder)) continue;
      pages.push(solutionPage(chapter, folder, root));
    }
  }

  checkLinks(pages, problems);
  if (problems.length > 0) throw new SiteBuildError(problems);

  const files = new Map<string, string>();
  const chapters = pages.filter((p) => p.slug !== undefined);
  const nav: NavEntry[] = pages.filter((p) => !p.name.startsWith('solutions-')).map((p) => ({ name: p.name, label: p.label }));
  const solutionNav: NavEntry[] = pages.filter((p) => p.name.startsWith('solutions-')).map((p) => ({ name: p.name, label: p.label }));
  const reading = pages.filter((p) => !p.name.startsWith('solutions-'));
  for (const page of pages) {
    const index = reading.indexOf(page);
    files.set(
      page.name,
      renderPage({
        title: page.name === 'index.html' ? page.title : `${page.title} · The malloc workbook`,
        current: page.name,
        nav,
        solutionNav,
        body: page.html,
        headings: page.headings.filter((h) => h.level === 2),
        prev: index > 0 ? { name: reading[index - 1].name, label: reading[index - 1].label } : undefined,
        next: index !== -1 && index < reading.length - 1 ? { name: reading[index + 1].name, label: reading[index + 1].label } : undefined,
        kind: page.slug !== undefined ? 'chapter' : 'page',
      }),
    );
  }
  files.set('print.html', printPage(chapters));
  files.set('assets/search-index.js', buildSearchIndex(reading.map((p) => ({ page: p.name, pageTitle: p.label, sections: p.sections }))));
  for (const asset of readdirSync(join(SITE_DIR, 'assets'))) files.set(`assets/${asset}`, readFileSync(join(SITE_DIR, 'assets', asset), 'utf8'));
  const minisearch = readFileSync(join(dirname(require.resolve('minisearch')), '..', 'umd', 'index.js'), 'utf8');
  files.set('assets/minisearch.js', minisearch.replace(/\n\/\/# sourceMappingURL=.*$/m, ''));
  files.set('assets/heap-view.js', bundleHeapView(SITE_DIR));
  files.set('assets/zone-view.js', bundleZoneView(SITE_DIR));

  problems.push(...checkSiteLinks(files));
  if (problems.length > 0) throw new SiteBuildError(problems);

  // Write into a fresh folder beside the old site, then swap, so a server never sees half a site.
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'assets'), { recursive: true });
  try {
    for (const [name, text] of files) writeFileSync(join(staging, name), text);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }

  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) {
    // Keep what tests and tools put beside the site (screenshots), and the measured numbers.
    for (const kept of ['screenshots', '.cache']) {
      const keep = join(outDir, kept);
      if (existsSync(keep)) renameSync(keep, join(staging, kept));
    }
    renameSync(outDir, old);
  }
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  return { outDir, pages: [...pages.map((p) => p.name), 'print.html'], ms: performance.now() - start, charts };
}


/**
 * Every relative href and src of the finished site, the template's too, must reach a file of
 * the site, and a fragment an id on that page. Links to other sites are not followed. The text of
 * a page (its <main>) never links to the page itself without a fragment: such a link is a file
 * of the repository taken for a page.
 */
export function checkSiteLinks(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const ids = new Map<string, Set<string>>();
  for (const [name, text] of files) if (name.endsWith('.html')) ids.set(name, new Set([...text.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
  for (const [name, text] of files) {
    if (!name.endsWith('.html')) continue;
    for (const match of text.matchAll(/\s(href|src)="([^"]*)"/g)) {
      const url = match[2].replace(/&amp;/g, '&');
      if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) {
        if (match[1] === 'src' || !/^(https?|mailto):/.test(url)) if (!url.startsWith('data:')) problems.push(`${name}: ${match[1]}="${url}" loads from another host`);
        continue;
      }
      const [path, fragment] = url.split('#');
      const target = path === '' ? name : path;
      if (!files.has(target)) problems.push(`${name}: the link to ${url} points at no file of the site`);
      else if (fragment !== undefined && fragment !== '' && !ids.get(target)?.has(decodeURIComponent(fragment))) problems.push(`${name}: the link to ${url}: ${target} has no element #${fragment}`);
    }
    const main = /<main[\s>][\s\S]*<\/main>/.exec(text)?.[0] ?? '';
    for (const match of main.matchAll(/\shref="([^"#]*)"/g)) {
      if (match[1] === name) problems.push(`${name}: the link to ${match[1]} in the text leads to the page itself`);
    }
  }
  return problems;
}

/** Every relative link must reach a page, and its fragment a heading or element on that page. */
function checkLinks(pages: Page[], problems: string[]): void {
  const ids = new Map<string, Set<string>>();
  for (const page of pages) ids.set(page.name, new Set([...page.html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1])));
  for (const page of pages) {
    for (const link of page.links) {
      const [path, fragment] = link.href.split('#');
      const target = path === '' ? page.name : path;
      const targetIds = ids.get(target);
      if (targetIds === undefined) problems.push(`${link.where}: the link to ${link.href} points at no page of the site`);
      else if (fragment !== undefined && fragment !== '' && !targetIds.has(decodeURIComponent(fragment))) {
        const source = pages.find((p) => p.name === target)?.source ?? target;
        problems.push(`${link.where}: the link to ${link.href}: ${source} has no heading #${fragment}`);
      }
    }
  }
}

const HEAP_PAGE_TRACE = 'traces/short.rep';

/** A page of its own for the heap view: every allocator, a short trace, step by step. */
function heapPage(root: string, problems: string[]): Page {
  const view = heapViewHtml('coalescing', HEAP_PAGE_TRACE, root, 'site/heap-embed.ts');
  if ('problem' in view) problems.push(view.problem);
  const html = `<h1 id="top">The heap, step by step</h1>
<p>A trace from <code>traces/</code> replayed by the reference allocators, in this page. Every block is drawn to scale from the heap's own bytes: its header, the payload the program asked for, the padding, and the free blocks. Step with the buttons or the ← and → keys (Home and End jump), pick another allocator, and hover over, tap or focus a block to read its header. Served by <code>npm start</code>, <em>Beside it</em> runs your own allocator from <code>exercises/</code> on the same trace and points at the first step where your heap differs.</p>
${'html' in view ? view.html : ''}${HEAP_VIEW_SCRIPT}
`;
  const headings: Heading[] = [{ level: 1, id: 'top', text: 'The heap, step by step', html: 'The heap, step by step' }];
  return { name: 'heap.html', source: 'site/heap-view', title: 'The heap, step by step', label: 'The heap, step by step', html, headings, links: [], sections: [{ id: 'top', title: 'The heap, step by step', text: 'heap view trace blocks header payload padding free step allocator' }] };
}

function solutionPage(chapter: Page, folder: string, root: string): Page {
  const files = readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
  const headings: Heading[] = [{ level: 1, id: 'top', text: `Solutions: ${chapter.title}`, html: escapeHtml(`Solutions: ${chapter.title}`) }];
  let html = `<h1 id="top">Solutions: ${escapeHtml(chapter.title)}</h1>\n<p>The reference solutions of <a href="${chapter.name}">${escapeHtml(chapter.label)}</a>, in full. This page is part of the instructor build only.</p>\n`;
  for (const file of files) {
    const path = relative(root, join(folder, file));
    const id = `file-${basename(file, '.ts')}`;
    headings.push({ level: 2, id, text: path, html: `<code>${escapeHtml(path)}</code>` });
    const code = readFileSync(join(folder, file), 'utf8').replace(/\n+$/, '');
    html += `<h2 id="${id}"><code>${escapeHtml(path)}</code></h2>\n<figure class="block code"><figcaption class="block-title"><span class="file">${escapeHtml(path)}</span></figcaption><div class="block-body">${copyButton()}<pre class="language-typescript" tabindex="0"><code class="language-typescript">${highlight(code, 'ts')}</code></pre></div></figure>\n`;
  }
  return { name: `solutions-${chapter.slug}.html`, source: relative(root, folder), title: `Solutions: ${chapter.title}`, label: `Solutions ${chapter.label}`, html, headings, links: [], sections: [] };
}

/** The whole book on one page: ids prefixed by chapter, links between chapters kept inside the page. */
function printPage(chapters: Page[]): string {
  const names = new Set(chapters.map((c) => c.name));
  // Each chapter with a view ends in the view's script; on one page, each script runs once, at
  // the end, or the views of the first chapters would be made live twice (their pickers doubled).
  const viewScripts = new Set<string>();
  let body = '';
  for (const chapter of chapters) {
    const prefix = chapter.slug!;
    const html = chapter.html
      // No script unfolds the reference code here (site.js does on a chapter's page): paper shows it open.
      .replace(/<details class="answer">/g, '<details class="answer" open>')
      .replace(/<script src="assets\/[a-z-]+-view\.js"><\/script>\n?/g, (script) => {
        viewScripts.add(script.trim());
        return '';
      })
      .replace(/\sid="([^"]+)"/g, ` id="${prefix}--$1"`)
      .replace(/\shref="([^"]*)"/g, (whole, href: string) => {
        if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return whole;
        const [path, fragment] = href.split('#');
        if (path === '') return ` href="#${prefix}--${fragment}"`;
        if (names.has(path)) {
          const slug = path.replace(/\.html$/, '');
          return fragment === undefined || fragment === '' ? ` href="#${slug}"` : ` href="#${slug}--${fragment}"`;
        }
        return whole;
      });
    body += `<section class="print-chapter" id="${prefix}" aria-label="${escapeHtml(chapter.label)}">\n${html}</section>\n`;
  }
  const contents = chapters.map((c) => `<li><a href="#${c.slug}">${escapeHtml(c.label)}</a></li>`).join('\n');
  return renderPage({
    title: 'The malloc workbook (the whole book)',
    current: 'print.html',
    nav: [],
    solutionNav: [],
    body: `<h1 id="the-whole-book">The malloc workbook</h1>\n<nav aria-label="Chapters" class="print-contents"><ol>${contents}</ol></nav>\n${body}${[...viewScripts].join('\n')}\n`,
    headings: [],
    kind: 'print',
  });
}

export function chapterCount(root = ROOT): number {
  return readdirSync(join(root, 'chapters')).filter((f) => /^\d\d-.*\.md$/.test(f)).length;
}
