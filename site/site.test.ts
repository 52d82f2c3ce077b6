// The site build: every chapter becomes a page, included code is read from its file, every
// link is checked, nothing loads from another host, and solutions stay out of the students' site.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLD_OPEN, findMarkers, resolveInclude } from '../workbook/chapter-markers.ts';
import { createAllocator as createCoalescing, Header, HEADER_SIZE } from '../solutions/03-coalescing/coalescing.ts';
import { BlockMeta, createAllocator as createFreeList, META_SIZE } from '../solutions/02-free-list/free-list.ts';
import { readTraces, runTraces } from '../workbook/trace/run.ts';
import { chartData, CHARTS, inputsHash, readShippedCharts } from './charts/index.ts';
import { fitPolicies } from './charts/fit-policies.ts';
import { magazineThreads } from './charts/magazine-threads.ts';
import { createAllocator as createMagazines } from '../solutions/06-magazines/magazines.ts';
import { spread } from '../chapters/examples/06-spread.ts';
import { buildSite, checkSiteLinks, ROOT, SiteBuildError, type BuildResult } from './generator.ts';
import { highlight, splitHighlightedLines } from './highlight.ts';
import { serveSite } from './serve.ts';
import { describeState, differingBlock, firstDifference, formatOp, HeapReplay } from './heap-view/model.ts';
import { chartHeight, MIN_SCALE, percent, renderBarChart, renderSvgFile } from './charts/svg.ts';
import { createMarkdown, newEnv } from './markdown.ts';
import MiniSearch from 'minisearch';
import { buildSearchIndex, STEM_SOURCE, stem } from './search-index.ts';
import { bundleStudentAllocators, locateTodos } from './heap-embed.ts';
import { todo } from '../workbook/todo.ts';
import { copyShippedExercises } from '../workbook/reset.ts';
import { parseRep } from '../workbook/trace/rep.ts';
import type { Allocator, Process } from '../machine/index.ts';

const chapters = readdirSync(resolve(ROOT, 'chapters')).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();
const scratch = mkdtempSync(join(tmpdir(), 'workbook-site-'));
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
/** The text of HTML, as a reader (or a copy button) sees it. */
const textOf = (html: string) =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

let student: BuildResult;
let instructor: BuildResult;
beforeAll(() => {
  // The charts' numbers are measured once and kept in site/dist/.cache; the timed build reads them.
  const warm = { measured: [], measureMs: 0 };
  chartData(ROOT, Object.keys(CHARTS), warm);
  if (warm.measured.length > 0) console.log(`site: measured the charts ${warm.measured.join(', ')} in ${warm.measureMs.toFixed(0)} ms`);
  student = buildSite({ outDir: join(scratch, 'student') });
  instructor = buildSite({ outDir: join(scratch, 'instructor'), withSolutions: true });
  console.log(`site: the whole book (${chapters.length} chapters) built in ${student.ms.toFixed(0)} ms`);
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run site', () => {
  // How long the build takes is printed above, not asserted: these machines are shared and noisy.
  it('makes a page of every chapter, an index and print.html', () => {
    for (const chapter of chapters) expect(student.pages).toContain(chapter.replace(/\.md$/, '.html'));
    expect(student.pages).toContain('index.html');
    expect(student.pages).toContain('print.html');
  });

  it('lists every chapter in the sidebar of every page, the current one marked', () => {
    for (const chapter of chapters) {
      const page = chapter.replace(/\.md$/, '.html');
      const html = read(student.outDir, page);
      const sidebar = /<nav class="sidebar"[\s\S]*?<\/nav>/.exec(html)![0];
      for (const other of chapters) expect(sidebar).toContain(`href="${other.replace(/\.md$/, '.html')}"`);
      expect(sidebar).toContain(`<a href="${page}" aria-current="page">`);
    }
  });

  it('links each chapter to the one before and after it', () => {
    const pages = ['index.html', ...chapters.map((c) => c.replace(/\.md$/, '.html'))];
    pages.forEach((page, i) => {
      const html = read(student.outDir, page);
      if (i > 0) expect(html).toContain(`rel="prev" href="${pages[i - 1]}"`);
      if (i < pages.length - 1) expect(html).toContain(`rel="next" href="${pages[i + 1]}"`);
    });
  });

  it('shows included code as it stands in its file, titled with the file, highlighted at build time', () => {
    for (const chapter of chapters) {
      const markdown = read(resolve(ROOT, 'chapters'), chapter);
      const html = read(student.outDir, chapter.replace(/\.md$/, '.html'));
      for (const marker of findMarkers(markdown).filter((m) => m.kind === 'include')) {
        const [path, region] = marker.spec.split('#');
        const title = `<span class="file">${path} · ${region}</span>`;
        const at = html.indexOf(title);
        expect(at, `${chapter}: the block of ${marker.spec} has a title`).toBeGreaterThan(-1);
        const code = /<code class="language-(?:typescript|c)">([\s\S]*?)<\/code><\/pre>/.exec(html.slice(at))![1];
        expect(code).toContain('<span class="token keyword">');
        expect(textOf(code)).toBe(resolveInclude(marker.spec, chapter));
      }
    }
  });

  it('gives every code block a copy button, and an anchor to every heading', () => {
    const html = read(student.outDir, '01-bump.html');
    const blocks = html.match(/<figure class="block code">/g) ?? [];
    expect(blocks.length).toBeGreaterThan(0);
    expect(html.match(/<button type="button" class="copy" hidden>Copy<\/button><pre/g)).toHaveLength(blocks.length);
    expect(html).toMatch(/<h2 id="the-contract">The contract<\/h2>\s*<a class="heading-anchor" href="#the-contract"><span class="visually-hidden">Link to the section “The contract”<\/span>/);
  });

  it('draws exercise boxes with the file to open, the command to run and the hints folded', () => {
    const html = read(student.outDir, '01-bump.html');
    expect(html).toContain('<aside class="box exercise" role="note" aria-label="Exercise"><p class="box-title">Exercise <code class="box-file">exercises/01-bump/bump.ts</code></p>');
    expect(html).toContain('<pre class="command"><code>npm run check -- bump</code></pre>');
    expect(html).toMatch(/<details class="hint"><summary>Hint 1 of \d+<\/summary>/);
    expect(html).not.toContain('<strong>Exercise:</strong>');
  });

  it("gives every exercise box its exercise's hints, where the box names only the check command", () => {
    for (const chapter of chapters) {
      const html = read(student.outDir, chapter.replace(/\.md$/, '.html'));
      for (const box of html.match(/<aside class="box exercise"[\s\S]*?<\/aside>/g) ?? []) {
        const id = /npm run check -- ([a-z][\w-]*)/.exec(box)?.[1];
        if (id !== undefined) expect(box, `${chapter}: the box of ${id}`).toContain('<details class="hint"><summary>Hint 1 of');
      }
    }
  });

  it('makes every table reachable from the keyboard, since a wide one scrolls sideways, and leaves no header cell empty', () => {
    let tables = 0;
    for (const chapter of chapters) {
      const html = read(student.outDir, chapter.replace(/\.md$/, '.html'));
      for (const table of html.match(/<table\b[^>]*>/g) ?? []) {
        tables++;
        expect(table, chapter).toContain('tabindex="0"');
      }
      expect(html, chapter).not.toMatch(/<th\b[^>]*>\s*<\/th>/);
    }
    expect(tables).toBeGreaterThan(0);
    const md = createMarkdown();
    expect(md.render('| | a |\n|---|---|\n| x | 1 |\n', newEnv('t.md', '', new Map()))).toContain('<tr>\n<td></td>\n<th>a</th>');
  });

  it('heads each row of a table with an empty corner with its first cell, as it heads each column with its title', () => {
    const md = createMarkdown();
    const render = (table: string) => md.render(table, newEnv('t.md', '', new Map()));
    expect(render('| | a | b |\n|---|---|---|\n| x | 1 | 2 |\n| `y` | 3 | 4 |\n')).toContain('<tbody>\n<tr>\n<th scope="row">x</th>\n<td>1</td>\n<td>2</td>\n</tr>\n<tr>\n<th scope="row"><code>y</code></th>\n<td>3</td>');
    // A table whose first column has a title is a list of records: its rows have no heading.
    expect(render('| n | a |\n|---|---|\n| x | 1 |\n')).toContain('<tr>\n<td>x</td>\n<td>1</td>');
    let compared = 0;
    for (const page of ['05-zones.html', '06-magazines.html']) {
      for (const table of read(student.outDir, page).match(/<table\b[\s\S]*?<\/table>/g) ?? []) {
        if (!table.includes('<thead>\n<tr>\n<td></td>')) continue;
        compared++;
        for (const row of table.split('<tbody>')[1].match(/<tr>\n<t[dh][^>]*>/g)!) expect(row, page).toBe('<tr>\n<th scope="row">');
      }
    }
    expect(compared).toBe(3);
  });

  it('keeps a number and its unit on one line in a table', () => {
    expect(read(student.outDir, '06-magazines.html')).toContain('<td>0.691\u00a0s</td>');
    expect(read(student.outDir, '05-zones.html')).toContain('1\u00a0MiB, 64,504 quanta');
    const md = createMarkdown();
    expect(md.render('| size |\n|---|\n| 16 bytes, 2 pages of 4 KiB |\n', newEnv('t.md', '', new Map()))).toContain('<td>16\u00a0bytes, 2\u00a0pages of 4\u00a0KiB</td>');
    // Outside tables the text wraps where it will.
    expect(md.render('16 bytes\n', newEnv('t.md', '', new Map()))).toBe('<p>16 bytes</p>\n');
  });

  it('makes tips, notes, warnings and exercises notes, not a page full of landmarks of one name', () => {
    const html = read(student.outDir, '01-bump.html');
    const boxes = html.match(/<aside class="box [^"]+"[^>]*>/g) ?? [];
    expect(boxes.length).toBeGreaterThan(1);
    for (const box of boxes) expect(box).toContain('role="note"');
    const md = createMarkdown();
    expect(md.render('> **Try it:** run `npm run trace`.\n', newEnv('t.md', '', new Map()))).toMatch(/^<aside class="box tip" role="note" aria-label="Try it"><p class="box-title">Try it<\/p>\n<p>Run <code>npm run trace<\/code>\.<\/p>/);
  });

  it('quotes the prose of a section under a search result, not its code', () => {
    const markdown = '# T\n\n## S\n\n```ts\nconst first = 1;\n```\n\nWords about it.\n';
    const env = newEnv('chapters/00-t.md', markdown, new Map());
    createMarkdown().render(markdown, env);
    const section = env.sections.find((s) => s.id === 's')!;
    expect(section.text).toContain('const first');
    expect(section.prose).toBe('Words about it.');
    const window: { WORKBOOK_SEARCH?: { index: string } } = {};
    new Function('window', buildSearchIndex([{ page: 't.html', pageTitle: 'T', sections: env.sections }]))(window);
    const stored = JSON.parse(window.WORKBOOK_SEARCH!.index).storedFields as Record<string, { href: string; excerpt: string }>;
    expect(Object.values(stored).find((f) => f.href === 't.html#s')?.excerpt).toBe('Words about it.');
  });

  it('indexes each word by its stem, the same function the page searches with: coalesce finds what coalescing finds', () => {
    expect(['coalesce', 'coalesces', 'coalesced', 'coalescing'].map(stem)).toEqual(['coalesc', 'coalesc', 'coalesc', 'coalesc']);
    expect(['free', 'frees', 'freed', 'freeing'].map(stem)).toEqual(['fre', 'fre', 'fre', 'fre']);
    expect(['mapped', 'maps', 'process', 'processes', 'entries', 'block_meta', 'MADV_DONTNEED', 'sbrk'].map(stem)).toEqual(['map', 'map', 'process', 'process', 'entry', 'block_meta', 'madv_dontneed', 'sbrk']);
    // The book's own index, loaded as the page loads it (site.js): with the stemmer it carries.
    const window: { WORKBOOK_SEARCH?: { index: string; options: object; stem: (term: string) => string } } = {};
    new Function('window', read(join(student.outDir, 'assets'), 'search-index.js'))(window);
    const data = window.WORKBOOK_SEARCH!;
    expect(String(data.stem)).toBe(STEM_SOURCE);
    const engine = MiniSearch.loadJSON(data.index, { ...data.options, processTerm: data.stem } as ConstructorParameters<typeof MiniSearch>[0]);
    const found = (query: string) => engine.search(query, { combineWith: 'AND', fuzzy: false }).map((hit) => hit.href as string).sort();
    const coalescing = found('coalescing');
    expect(found('coalesce')).toEqual(coalescing);
    expect(found('coalesced')).toEqual(coalescing);
    // Chapter 3's opening section (its first), which says "coalescing", is found by "coalesce".
    const stored = Object.entries(JSON.parse(data.index).storedFields as Record<string, { href: string }>);
    const opening = stored.filter(([, f]) => f.href.startsWith('03-coalescing.html#')).sort(([a], [b]) => Number(a) - Number(b))[0][1].href;
    expect(found('coalesce')).toContain(opening);
    // One term for all the forms of a word: the index stays under 600 kB (about 580 kB unstemmed).
    expect(read(join(student.outDir, 'assets'), 'search-index.js').length).toBeLessThan(600_000);
  });

  it('puts an in-page contents list of the sections on every chapter', () => {
    const html = read(student.outDir, '03-coalescing.html');
    const toc = /<nav class="toc"[\s\S]*?<\/nav>/.exec(html)![0];
    expect(toc).toContain('href="#boundary-tags"');
  });

  it('asks nothing of another host: every src and href of the site is relative', () => {
    for (const name of readdirSync(student.outDir).filter((f) => f.endsWith('.html'))) {
      const html = read(student.outDir, name);
      for (const [, attr, url] of html.matchAll(/\s(src|href)="([^"]*)"/g)) {
        if (attr === 'src' || !/^https?:/.test(url)) expect(url, `${name}: ${attr}=${url}`).not.toMatch(/^(\/|[a-z][a-z0-9+.-]*:)/i);
      }
    }
    const css = read(join(student.outDir, 'assets'), 'site.css');
    expect(css).not.toMatch(/url\(|@import|@font-face/);
  });

  it('writes each colour of the stylesheet once, its light and dark values side by side', () => {
    // Print sets a few colours of its own (dark text on white); every other declaration counts.
    const css = read(join(student.outDir, 'assets'), 'site.css').replace(/@media print \{(?:[^{}]|\{[^{}]*\})*\}/, '');
    const declared = [...css.matchAll(/(--[\w-]+)\s*:/g)].map((m) => m[1]);
    expect(declared).toContain('--bg');
    expect(declared.filter((name, i) => declared.indexOf(name) !== i), 'declared more than once').toEqual([]);
  });

  it('applies a saved theme before the first paint', () => {
    const html = read(student.outDir, '00-the-process.html');
    expect(html.indexOf("localStorage.getItem('workbook-theme')")).toBeLessThan(html.indexOf('assets/site.css'));
  });

  it('loads the script of each kind of view once in print.html, after every view', () => {
    const html = read(student.outDir, 'print.html');
    for (const script of ['assets/heap-view.js', 'assets/zone-view.js']) {
      expect(html.split(`<script src="${script}"></script>`), script).toHaveLength(2);
      expect(html.indexOf(`<script src="${script}">`)).toBeGreaterThan(html.lastIndexOf('<figure class="heap-view"'));
      expect(html.indexOf(`<script src="${script}">`)).toBeGreaterThan(html.lastIndexOf('<figure class="zone-view"'));
    }
  });

  it('keeps every link of print.html inside the page, every id once', () => {
    const html = read(student.outDir, 'print.html');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, href] of html.matchAll(/<a [^>]*href="([^"]*)"/g)) {
      if (href === 'index.html' || /^https?:/.test(href)) continue;
      expect(href, 'a link in print.html').toMatch(/^#/);
      expect(ids).toContain(href.slice(1));
    }
    for (const chapter of chapters) expect(html).toContain(`<section class="print-chapter" id="${chapter.replace(/\.md$/, '')}"`);
    expect(html).not.toContain('class="sidebar"');
  });

  it('prints the reference code of every exercise unfolded: print.html runs no script to open it', () => {
    const html = read(student.outDir, 'print.html');
    const answers = html.match(/<details class="answer"[^>]*>/g) ?? [];
    expect(answers.length).toBeGreaterThan(40);
    expect(answers.filter((a) => a !== '<details class="answer" open>')).toEqual([]);
    expect(html).not.toContain('assets/site.js');
    // A chapter's page keeps them folded until the reader opens them.
    expect(read(student.outDir, '01-bump.html')).toContain('<details class="answer">');
  });

  it("folds each answer once: the markdown's own fold (for GitHub and editors) gives way to the site's", () => {
    for (const chapter of chapters) {
      const markdown = readFileSync(resolve(ROOT, 'chapters', chapter), 'utf8');
      const html = read(student.outDir, chapter.replace(/\.md$/, '.html'));
      const folded = findMarkers(markdown).filter((m) => m.folded).length;
      expect((html.match(/<details class="answer">/g) ?? []).length, `${chapter}: the site's folds, one per folded include of the markdown`).toBe(folded);
      expect(html, `${chapter}: the markdown's fold is not drawn`).not.toContain(FOLD_OPEN);
      expect(html.match(/<\/details>/g)?.length ?? 0, `${chapter}: no </details> left over`).toBe((html.match(/<details[\s>]/g) ?? []).length);
    }
  });

  it('builds a search index, split by heading, that knows the last chapter', () => {
    const index = read(join(student.outDir, 'assets'), 'search-index.js');
    const last = chapters.at(-1)!.replace(/\.md$/, '.html');
    expect(index).toContain(`${last}#`);
    expect(index).toMatch(/^\/\/ Built by site\/search-index\.ts\.\nwindow\.WORKBOOK_SEARCH = /);
  });

  it('shows the full solutions only in the instructor build', () => {
    const solution = readFileSync(resolve(ROOT, 'solutions/01-bump/bump.ts'), 'utf8');
    // A line of the solution that no chapter includes: its imports.
    const hidden = solution.split('\n').find((l) => l.startsWith('import '))!;
    const escaped = hidden.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const allText = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => textOf(read(dir, f))).join('\n');
    expect(student.pages.some((p) => p.startsWith('solutions-'))).toBe(false);
    expect(allText(student.outDir)).not.toContain(hidden);
    expect(instructor.pages).toContain('solutions-01-bump.html');
    expect(textOf(read(instructor.outDir, 'solutions-01-bump.html'))).toContain(hidden);
    expect(read(instructor.outDir, '01-bump.html')).toContain('href="solutions-01-bump.html"');
    void escaped;
  });
});

describe('charts', () => {
  it('draws the fit policies of chapter 3 and the allocators of chapter 4 as SVG, with their numbers in a table', () => {
    const traces = readdirSync(resolve(ROOT, 'traces')).filter((f) => f.endsWith('.rep')).map((f) => f.replace(/\.rep$/, ''));
    const fits = /<figure class="chart-figure" data-chart="fit-policies">[\s\S]*?<\/figure>/.exec(read(student.outDir, '03-coalescing.html'))![0];
    expect(fits).toMatch(/<svg class="chart" viewBox="[^"]+" role="img" aria-label="Utilization per trace/);
    expect(fits).toContain('<title>');
    expect(fits).toContain('<figcaption>');
    for (const fit of ['first fit', 'next fit', 'best fit']) expect(fits).toMatch(new RegExp(`<text class="chart-legend" [^>]*>${fit}</text>`));
    for (const trace of traces) expect(fits).toContain(`<th scope="row">${trace}</th>`);
    const all = /<figure class="chart-figure" data-chart="allocators">[\s\S]*?<\/figure>/.exec(read(student.outDir, '04-realloc.html'))![0];
    expect(all.match(/<svg class="chart"/g)).toHaveLength(2);
    for (const label of ['free list (ch. 2)', 'coalescing (ch. 3)', 'realloc in place (ch. 4)']) expect(all).toContain(`<th scope="row">${label}</th>`);
    expect(all).toContain(`<td class="num">${traces.length} of ${traces.length}</td>`);
  });

  it('draws traces along their replay: in chapter 3 the heap of each fit policy, in chapter 5 the zone beside chapter 4', () => {
    const timeline = /<figure class="chart-figure" data-chart="fit-timeline">[\s\S]*?<\/figure>/.exec(read(student.outDir, '03-coalescing.html'))![0];
    expect(timeline).toMatch(/<svg class="chart" viewBox="[^"]+" role="img" aria-label="Live payload and footprint along traces\/coalescing\.rep\. The payload peaks at [\d.]+ KiB; first fit peaks at/);
    expect(timeline.match(/<path d="M/g)).toHaveLength(4);
    for (const fit of ['first fit', 'next fit', 'best fit']) expect(timeline).toContain(`<th scope="row">${fit}</th>`);
    expect(timeline).toContain('--svg heap.svg');
    const zones = /<figure class="chart-figure" data-chart="zones-timeline">[\s\S]*?<\/figure>/.exec(read(student.outDir, '05-zones.html'))![0];
    expect(zones).toMatch(/aria-label="Live payload and footprint along traces\/mixed\.rep\./);
    for (const allocator of ['chapter 4', 'zones']) expect(zones).toContain(`<th scope="row">${allocator}</th>`);
  });

  it('keeps labels apart: one line when it fits, two at a hyphen or parenthesis, turned when even two lines would run into the next', () => {
    const chart = (groups: string[], width?: number) =>
      renderBarChart({ title: 'T', desc: 'D', groups, series: ['s'], values: groups.map(() => [0.5]), axis: { label: 'y', max: 1, format: percent, ticks: 4 }, width });
    const short = chart(['git-log', 'ls', 'python3', 'sort']);
    expect(short).toContain('text-anchor="middle">git-log</text>');
    expect(short).not.toContain('<tspan');
    const two = chart(['free list (ch. 2)', 'coalescing (ch. 3)', 'realloc in place (ch. 4)'], 420);
    expect(two).toMatch(/>realloc in place<tspan x="[\d.]+" dy="14">\(ch\. 4\)<\/tspan><\/text>/);
    const many = ['binary-small', 'binary', 'churn', 'coalescing-small', 'coalescing', 'mixed', 'random', 'random2', 'realloc', 'short', 'tiny'];
    const turned = chart(many);
    for (const label of many) expect(turned).toMatch(new RegExp(`rotate\\(-35\\)" text-anchor="end">${label}</text>`));
    // The plot keeps its height; the picture grows by the room the turned labels take.
    const height = (svg: string) => Number(/viewBox="0 0 \d+ (\d+)"/.exec(svg)![1]);
    expect(height(turned)).toBeGreaterThan(height(short));
    expect(height(turned)).toBe(chartHeight({ title: 'T', desc: 'D', groups: many, series: ['s'], values: [], axis: { label: 'y', max: 1, format: percent, ticks: 4 } }));
    const file = renderSvgFile('Both', [
      { title: 'A', desc: 'D', groups: many, series: ['s'], values: many.map(() => [0.5]), axis: { label: 'y', max: 1, format: percent, ticks: 4 } },
      { title: 'B', desc: 'D', groups: ['ls'], series: ['s'], values: [[0.5]], axis: { label: 'y', max: 1, format: percent, ticks: 4 } },
    ]);
    expect(file).toContain(`y="${30 + height(turned)}"`);
  });

  it('marks a value below a logarithmic axis, which would otherwise draw no bar and read as a run left out', () => {
    const svg = renderBarChart({ title: 'T', desc: 'D', groups: ['ls'], series: ['bump', 'zones'], values: [[0.002, 30]], axis: { label: 'y', max: 10_000, format: (v) => String(v), ticks: 5, log: { min: 0.1 } } });
    expect(svg).toMatch(/<text class="chart-below" [^>]*>&lt;0\.1<title>ls, bump: 0\.002, below the axis<\/title><\/text>/);
    expect(svg.match(/<rect class="chart-s/g)).toHaveLength(3); // two legend keys, one bar
    const html = read(student.outDir, '08-real-programs.html');
    expect(html).toContain('marks a cost below the axis: bump');
  });

  it('keeps a chart legible on a narrow screen: a least width, in a box that scrolls sideways from the keyboard too', () => {
    for (const [page, name] of [['03-coalescing.html', 'fit-policies'], ['04-realloc.html', 'allocators']]) {
      const figure = new RegExp(`<figure class="chart-figure" data-chart="${name}">[\\s\\S]*?</figure>`).exec(read(student.outDir, page))![0];
      const scroll = /<div class="chart-scroll" tabindex="0" role="group" aria-label="[^"]+">([\s\S]*?)<\/div>\n<figcaption>/.exec(figure);
      expect(scroll, name).not.toBeNull();
      for (const svg of scroll![1].match(/<svg class="chart"[^>]*>/g)!) {
        const width = Number(/viewBox="0 0 (\d+)/.exec(svg)![1]);
        expect(svg).toContain(`style="min-width:${Math.round(width * MIN_SCALE)}px"`);
      }
      expect(figure).toContain('<table tabindex="0">');
    }
  });

  it('measures utilization per fit with the trace driver, as npm run trace does', () => {
    const root = mkdtempSync(join(scratch, 'traces-'));
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    const data = fitPolicies.measure(root);
    const traces = readTraces([join(root, 'traces')], root);
    expect(data.traces).toEqual(['short']);
    for (const [i, fit] of ['first', 'next', 'best'].entries()) {
      const [run] = runTraces(traces, createCoalescing, { shrink: false, replay: { timing: false, allocatorOptions: { fit } } });
      expect(data.utilization[0][i]).toBe(run.result.utilization);
    }
  });

  it("draws chapter 6's magazines on one thread and on four, measured as its example spreads the calls", () => {
    const figure = /<figure class="chart-figure" data-chart="magazine-threads">[\s\S]*?<\/figure>/.exec(read(student.outDir, '06-magazines.html'))![0];
    for (const series of ['zones, 4 threads', 'magazines, 1 thread', 'magazines, 4 threads']) expect(figure).toMatch(new RegExp(`<text class="chart-legend" [^>]*>${series}</text>`));
    expect(figure).toContain('<th scope="row">churn</th>');
    const root = mkdtempSync(join(scratch, 'threads-'));
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    const [trace] = readTraces([join(root, 'traces')], root);
    const utilization = (create: Parameters<typeof spread>[1], threads?: Parameters<typeof spread>[2]) =>
      runTraces([trace], spread(trace, create, threads), { shrink: false, replay: { timing: false } })[0].result.utilization;
    const data = magazineThreads.measure(root);
    expect(data.traces).toEqual(['short']);
    expect(data.utilization[0].slice(1)).toEqual([utilization(createMagazines, () => 0), utilization(createMagazines)]);
    expect(data.utilization[0][2]!, 'four magazines keep four regions where one keeps one').toBeLessThan(data.utilization[0][1]!);
  });

  it('measures nothing when nothing it depends on changed, and again when a trace changes', () => {
    const again = buildSite({ outDir: join(scratch, 'again') });
    expect(again.charts.measured).toEqual([]);
    const root = mkdtempSync(join(scratch, 'hash-'));
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    const before = inputsHash(root);
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8') + 'a 99 16\n');
    expect(inputsHash(root)).not.toBe(before);
    const withTrace = inputsHash(root);
    mkdirSync(join(root, 'chapters', 'examples'), { recursive: true });
    writeFileSync(join(root, 'chapters', 'examples', '06-spread.ts'), '// how chapter 6 spreads calls over threads\n');
    expect(inputsHash(root), "chapter 6's chart spreads calls as its example does").not.toBe(withTrace);
  });

  it('ships the numbers of every chart, measured from the book as it stands, so that a fresh clone measures nothing', () => {
    const shipped = readShippedCharts(ROOT);
    expect(shipped, 'site/measured-charts.json is missing: npx tsx workbook/cli.ts markers --update writes it').toBeDefined();
    expect(shipped!.inputs, 'site/measured-charts.json was measured from other solutions, traces, machine, driver or charts: npx tsx workbook/cli.ts markers --update measures them again').toBe(inputsHash(ROOT));
    expect(Object.keys(shipped!.charts).sort()).toEqual(Object.keys(CHARTS).sort());
    // A clone has no cache yet: what it builds comes from the shipped numbers while they are current.
    const clone = mkdtempSync(join(scratch, 'clone-'));
    mkdirSync(join(clone, 'site'));
    writeFileSync(join(clone, 'site', 'measured-charts.json'), JSON.stringify({ inputs: inputsHash(clone), charts: { allocators: shipped!.charts.allocators } }));
    const stats = { measured: [] as string[], measureMs: 0 };
    expect(chartData(clone, ['allocators'], stats)).toEqual({ allocators: shipped!.charts.allocators });
    expect(stats.measured).toEqual([]);
  });

  it('a program the reader records beside the shipped ones (npm run record) changes no chart: it is not measured again', () => {
    const root = mkdtempSync(join(scratch, 'recorded-'));
    mkdirSync(join(root, 'traces', 'recorded'), { recursive: true });
    writeFileSync(join(root, 'traces', 'recorded', 'ls.rep'), readFileSync(resolve(ROOT, 'traces/recorded/ls.rep')));
    const before = inputsHash(root);
    writeFileSync(join(root, 'traces', 'recorded', 'git-status.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    expect(inputsHash(root)).toBe(before);
    writeFileSync(join(root, 'traces', 'recorded', 'ls.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    expect(inputsHash(root)).not.toBe(before);
  });
});

describe('a broken book does not build', () => {
  const book = (files: Record<string, string>) => {
    const root = mkdtempSync(join(scratch, 'book-'));
    mkdirSync(join(root, 'chapters'));
    writeFileSync(join(root, 'README.md'), '# A book\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'chapters', name), text);
    return root;
  };
  const problemsOf = (root: string): string[] => {
    try {
      buildSite({ root, outDir: join(root, 'dist') });
    } catch (error) {
      expect(error).toBeInstanceOf(SiteBuildError);
      return (error as SiteBuildError).problems;
    }
    return [];
  };

  it('names the chapter and line of a link to a missing page or heading', () => {
    const root = book({
      '00-a.md': '# A\n\n## Here\n\nSee [b](01-b.md#nowhere), [here](#here), [b](01-b.md#there) and [gone](#gone).\n\nAnd [a file](../machine/process.ts).\n',
      '01-b.md': '# B\n\n## There\n',
    });
    expect(problemsOf(root)).toEqual([
      'chapters/00-a.md:7: the link to ../machine/process.ts points at no page of the site (link to a chapter, chapters/NN-name.md, or a heading in one)',
      'chapters/00-a.md:5: the link to 01-b.html#nowhere: chapters/01-b.md has no heading #nowhere',
      'chapters/00-a.md:5: the link to #gone: chapters/00-a.md has no heading #gone',
    ]);
  });

  it('names the chapter and line of an include whose file or region is missing', () => {
    const root = book({
      '00-a.md': '# A\n\n<!-- include: solutions/01-bump/bump.ts#nope -->\n```ts\n```\n\n<!-- include: solutions/none.ts#a -->\n```ts\n```\n',
    });
    const problems = problemsOf(root);
    expect(problems[0]).toMatch(/^chapters\/00-a\.md:3: include of solutions\/01-bump\/bump\.ts#nope: .* has no region 'nope'/);
    expect(problems[1]).toMatch(/^chapters\/00-a\.md:7: include of solutions\/none\.ts#a: there is no file/);
  });

  it('shows the code of the file even when the chapter holds an old copy', () => {
    const root = book({ '00-a.md': '# A\n\n<!-- include: solutions/01-bump/bump.ts#free -->\n```ts\nold code\n```\n' });
    buildSite({ root, outDir: join(root, 'dist') });
    const html = read(join(root, 'dist'), '00-a.html');
    expect(html).not.toContain('old code');
    expect(textOf(html)).toContain(resolveInclude('solutions/01-bump/bump.ts#free', 'here'));
  });

  it('marks a table or picture wider than a printed line, for print to shrink rather than wrap', () => {
    const line = (n: number) => `${'x'.repeat(n - 1)}|`;
    const root = book({ '00-a.md': `# A\n\n\`\`\`text\n${line(80)}\n\`\`\`\n\n\`\`\`text\n${line(81)}\n\`\`\`\n\n\`\`\`text\n${line(121)}\n\`\`\`\n\n\`\`\`ts\n// ${line(130)}\n\`\`\`\n` });
    buildSite({ root, outDir: join(root, 'dist') });
    const html = read(join(root, 'dist'), '00-a.html');
    expect(html.match(/<figure class="block [^"]*">/g)).toEqual(['<figure class="block figure">', '<figure class="block figure wide">', '<figure class="block figure wide wider">', '<figure class="block code">']);
  });

  it('embeds the heap view where a chapter asks for it, and names a wrong allocator or trace', () => {
    const root = book({
      '00-a.md': '# A\n\n<!-- heap-view: coalescing traces/short.rep -->\n\n<!-- heap-view: nope traces/short.rep -->\n\n<!-- heap-view: free-list traces/none.rep -->\n\n<!-- heap-view: free-list traces/short.rep at 9999 -->\n\n<!-- heap-view: free-list traces/short.rep at seven -->\n',
    });
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    const problems = problemsOf(root);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('chapters/00-a.md:11: a heap view names an allocator and a trace, and may name the step it opens at: <!-- heap-view: coalescing traces/short.rep at 7 -->');
    expect(problems[1]).toMatch(/^chapters\/00-a\.md:5: the heap view knows no allocator 'nope'/);
    expect(problems[2]).toBe('chapters/00-a.md:7: the heap view\'s trace traces/none.rep does not exist');
    expect(problems[3]).toMatch(/^chapters\/00-a\.md:9: the heap view opens at step 9999, and traces\/short\.rep has \d+ operations$/);
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n\n<!-- heap-view: coalescing traces/short.rep -->\n\n<!-- heap-view: free-list traces/short.rep at 7 -->\n');
    buildSite({ root, outDir: join(root, 'dist') });
    const html = read(join(root, 'dist'), '00-a.html');
    expect(html).toContain('<figure class="heap-view" data-allocator="coalescing"');
    expect(html, 'the step the text points at').toContain('<figure class="heap-view" data-allocator="free-list" data-trace="traces/short.rep" data-step="7">');
    expect(html).toMatch(/<div class="hv-bar" [^>]*data-blocks="\d+">/);
    expect(html).toContain('<script src="assets/heap-view.js"></script>');
  });

  it('embeds the zone view where a chapter asks for it, and names a malformed marker, a missing trace or one too long', () => {
    const root = book({
      '00-a.md': '# A\n\n<!-- zone-view: zones traces/short.rep -->\n\n<!-- zone-view: zones -->\n\n<!-- zone-view zones traces/short.rep -->\n\n<!-- zone-view: zones traces/none.rep -->\n\n<!-- zone-view: zones traces/long.rep -->\n\n<!-- zone-view: coalescing traces/short.rep -->\n',
    });
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    writeFileSync(join(root, 'traces', 'long.rep'), readFileSync(resolve(ROOT, 'traces/tiny.rep')));
    expect(problemsOf(root)).toEqual([
      'chapters/00-a.md:5: a zone view names an allocator and a trace: <!-- zone-view: zones traces/short.rep -->',
      'chapters/00-a.md:7: a zone view is written <!-- zone-view: zones traces/short.rep --> on a line of its own',
      "chapters/00-a.md:9: the zone view's trace traces/none.rep does not exist",
      'chapters/00-a.md:11: the zone view draws every block: traces/long.rep has 6000 operations, at most 400 are readable',
      "chapters/00-a.md:13: the zone view knows no allocator 'coalescing' (it knows zones)",
    ]);
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n\n<!-- zone-view: zones traces/short.rep -->\n');
    buildSite({ root, outDir: join(root, 'dist') });
    const html = read(join(root, 'dist'), '00-a.html');
    expect(html).toContain('<figure class="zone-view" data-allocator="zones" data-trace="traces/short.rep" data-step="9">');
    expect(html).toMatch(/<div class="zv-zone" data-regions="2" data-large="0" data-written="2">/);
    expect(html).toContain('<script src="assets/zone-view.js"></script>');
    expect(html).not.toContain('assets/heap-view.js');
    expect(read(join(root, 'dist'), 'assets/zone-view.js')).toMatch(/^\/\/ The zone view, bundled/);
  });

  it('shows the zone view in chapter 5, where the footprint is taught', () => {
    const markdown = read(resolve(ROOT, 'chapters'), '05-zones.md');
    const html = read(student.outDir, '05-zones.html');
    const figure = /<figure class="zone-view"[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    expect(markdown.indexOf('<!-- zone-view: zones traces/short.rep -->')).toBeGreaterThan(markdown.indexOf('It still charges a region for what it costs'));
    expect(figure).toMatch(/<div class="zv-region" role="group" aria-label="tiny region 0x[0-9a-f]{8}, band 1: 1 of 256 pages written/);
    expect(figure.match(/<div class="zv-region" /g)).toHaveLength(2);
    expect(html.match(/<script src="assets\/zone-view.js"><\/script>/g)).toHaveLength(1);
  });

  it('embeds a debug view where a chapter asks for it, and names a malformed marker or a picture it does not know', () => {
    const root = book({
      '00-a.md': '# A\n\n<!-- debug-view: scribble -->\n\n<!-- debug-view: nope -->\n\n<!-- debug-view: scribble guard-edges -->\n\n<!-- debug-view scribble -->\n\n<!-- debug-view: -->\n',
    });
    expect(problemsOf(root)).toEqual([
      'chapters/00-a.md:7: a debug view names one picture: <!-- debug-view: scribble --> or <!-- debug-view: guard-edges -->',
      'chapters/00-a.md:9: a debug view is written <!-- debug-view: scribble --> on a line of its own',
      'chapters/00-a.md:11: a debug view names one picture: <!-- debug-view: scribble --> or <!-- debug-view: guard-edges -->',
      "chapters/00-a.md:5: the debug view knows no picture 'nope' (it knows scribble, guard-edges)",
    ]);
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n\n<!-- debug-view: scribble -->\n\n<!-- debug-view: guard-edges -->\n');
    buildSite({ root, outDir: join(root, 'dist') });
    const html = read(join(root, 'dist'), '00-a.html');
    expect(html.match(/<figure class="debug-view" data-view="(scribble|guard-edges)">/g)).toEqual(['<figure class="debug-view" data-view="scribble">', '<figure class="debug-view" data-view="guard-edges">']);
    expect(html).not.toMatch(/<script src="assets\/(heap|zone)-view\.js">/);
  });

  it('shows the debug views in chapter 7, each in its section, drawn from the run its example prints', () => {
    const markdown = read(resolve(ROOT, 'chapters'), '07-debug.md');
    const html = read(student.outDir, '07-debug.html');
    const section = (heading: string) => {
      const start = html.indexOf(`>${heading}</h2>`);
      return html.slice(start, html.indexOf('<h2', start + 1));
    };
    const scribble = /<figure class="debug-view" data-view="scribble">[\s\S]*?<\/figure>/.exec(section('MallocScribble: 0xAA in, 0x55 out'))?.[0] ?? '';
    const guard = /<figure class="debug-view" data-view="guard-edges">[\s\S]*?<\/figure>/.exec(section('MallocGuardEdges: a fault at the first byte too far'))?.[0] ?? '';
    expect(scribble).toMatch(/<figcaption[^>]*>MallocScribble=1: /);
    expect(guard).toMatch(/<figcaption[^>]*>MallocGuardEdges=1: /);
    // The same addresses as the examples' output the chapter shows: the picture and the example are one run.
    const node = /MallocScribble=1: node = malloc\(40\) = (0x[0-9a-f]+)/.exec(markdown)?.[1];
    const table = /table = malloc\(40000\) = (0x[0-9a-f]+)/.exec(markdown)?.[1];
    expect(scribble).toContain(`<ol class="dv-steps" data-block="${node}" data-usable="48">`);
    expect(guard).toContain(`<ol class="dv-pages" data-block="${table}" data-usable="40960">`);
    expect(scribble.match(/<li class="dv-step"/g)).toHaveLength(4);
    expect(guard.match(/data-prot="---p"/g)).toHaveLength(2);
    // The prose points at each picture just before it.
    const before = (marker: string) => markdown.slice(0, markdown.indexOf(marker)).trimEnd().split('\n\n').at(-1);
    expect(before('<!-- debug-view: scribble -->')).toMatch(/^The picture follows node's 48 bytes/);
    expect(before('<!-- debug-view: guard-edges -->')).toMatch(/^The picture draws the same run page by page/);
  });

  it('names the chapter and line of a chart that does not exist', () => {
    const root = book({ '00-a.md': '# A\n\nA chart:\n\n<!-- chart: nope -->\n' });
    expect(problemsOf(root)).toEqual([`chapters/00-a.md:5: there is no chart 'nope' (there are ${Object.keys(CHARTS).join(', ')}; each is a module of site/charts/)`]);
  });

  it('lets the heap view pick any short trace of traces/, and the one its marker names', () => {
    const root = book({ '00-a.md': '# A\n\n<!-- heap-view: free-list traces/short.rep -->\n' });
    mkdirSync(join(root, 'traces'));
    const short = readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8');
    writeFileSync(join(root, 'traces', 'short.rep'), short);
    writeFileSync(join(root, 'traces', 'also.rep'), short);
    writeFileSync(join(root, 'traces', 'long.rep'), readFileSync(resolve(ROOT, 'traces/tiny.rep')));
    buildSite({ root, outDir: join(root, 'dist') });
    for (const page of ['00-a.html', 'heap.html']) {
      const data = JSON.parse(/<script type="application\/json" class="hv-data">([^<]*)<\/script>/.exec(read(join(root, 'dist'), page))![1]);
      expect(data.trace).toBe('traces/short.rep');
      expect(data.traces.map((t: { trace: string }) => t.trace)).toEqual(['traces/also.rep', 'traces/short.rep']);
    }
  });

  it('checks the links of the finished pages too', () => {
    const files = new Map([
      ['a.html', '<a href="b.html#x">b</a> <img src="https://example.com/i.png"> <a href="missing.html">m</a>'],
      ['b.html', '<h2 id="y">y</h2>'],
    ]);
    expect(checkSiteLinks(files)).toEqual([
      'a.html: the link to b.html#x: b.html has no element #x',
      'a.html: src="https://example.com/i.png" loads from another host',
      'a.html: the link to missing.html points at no file of the site',
    ]);
  });
});

describe('a link to a file of the repository', () => {
  it('is plain text on the site, never a link to the page itself', () => {
    const root = mkdtempSync(join(scratch, 'files-'));
    mkdirSync(join(root, 'chapters'));
    writeFileSync(join(root, 'README.md'), '# A book\n\nSee [`traces/README.md`](traces/README.md), [the notes](notes/README.md#top) and [chapter A](chapters/00-a.md#here).\n');
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n\n## Here\n\nBack to [the start](../README.md).\n');
    buildSite({ root, outDir: join(root, 'dist') });
    const index = read(join(root, 'dist'), 'index.html');
    expect(index).toContain('See <span class="unlinked"><code>traces/README.md</code></span>, <span class="unlinked">the notes</span> and <a href="00-a.html#here">chapter A</a>.');
    expect(read(join(root, 'dist'), '00-a.html')).toContain('Back to <a href="index.html">the start</a>.');
  });

  it('in a chapter names the chapter and line', () => {
    const root = mkdtempSync(join(scratch, 'files-'));
    mkdirSync(join(root, 'chapters'));
    writeFileSync(join(root, 'README.md'), '# A book\n');
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n\nSee [the traces](../traces/README.md).\n');
    expect(() => buildSite({ root, outDir: join(root, 'dist') })).toThrow(/chapters\/00-a\.md:3: the link to \.\.\/traces\/README\.md points at no page of the site/);
  });

  it('is found in the finished pages if it still became a link to the page itself', () => {
    const files = new Map([
      ['index.html', '<a class="brand" href="index.html">Book</a><main id="content"><p>See <a href="index.html">traces/README.md</a> and <a href="index.html#x">x</a>.</p><h2 id="x">x</h2></main>'],
      ['a.html', '<nav><a href="a.html" aria-current="page">A</a></nav><main><a href="index.html">start</a></main>'],
    ]);
    expect(checkSiteLinks(files)).toEqual(['index.html: the link to index.html in the text leads to the page itself']);
  });

  it('never links a built page to itself', () => {
    for (const result of [student, instructor]) {
      for (const page of result.pages) {
        const main = /<main[\s>][\s\S]*<\/main>/.exec(read(result.outDir, page))![0];
        expect(main, page).not.toContain(`href="${page}"`);
      }
    }
    expect(read(student.outDir, 'index.html')).toContain('(described in <span class="unlinked"><code>traces/README.md</code></span>)');
  });
});

describe('the heap view beside a second allocator', () => {
  const ops = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'short.rep').ops;
  it('finds no difference between an allocator and itself', () => {
    expect(firstDifference(new HeapReplay('coalescing', ops), () => new HeapReplay('coalescing', ops, (proc) => createCoalescing(proc)))).toBeUndefined();
  });
  it('names the first step where the blocks differ, or where the allocator threw', () => {
    const padded = (proc: Process): Allocator => {
      const heap = createCoalescing(proc);
      return { ...heap, malloc: (size: number) => heap.malloc(size + 64) };
    };
    expect(firstDifference(new HeapReplay('coalescing', ops), () => new HeapReplay('coalescing', ops, padded))).toMatchObject({ step: 1, op: 'p0 = malloc(439)', threw: false, message: expect.stringMatching(/^block 1: the reference has a 464-byte used block at 0x[0-9a-f]+, yours has a 528-byte used block/) });
    let calls = 0;
    const failing = (proc: Process): Allocator => {
      const heap = createCoalescing(proc);
      return { ...heap, malloc: (size: number) => (++calls === 3 ? (() => { throw new Error('Not written yet: place'); })() : heap.malloc(size)) };
    };
    expect(firstDifference(new HeapReplay('coalescing', ops), () => new HeapReplay('coalescing', ops, failing))).toEqual({ step: 4, op: 'p2 = malloc(382)', threw: true, message: 'Not written yet: place' });
  });
  it('says when the heap cannot be read as the reference lays it out, rather than that the allocator threw', () => {
    // Chapter 2's walker: a size that is not a multiple of 16.
    const unaligned = (proc: Process): Allocator => {
      const heap = createFreeList(proc);
      const malloc = (size: number) => {
        const ptr = heap.malloc(size);
        BlockMeta.write(proc, ptr - META_SIZE, 'size', size + 1);
        return ptr;
      };
      return { ...heap, malloc };
    };
    expect(firstDifference(new HeapReplay('free-list', ops), () => new HeapReplay('free-list', ops, unaligned))).toMatchObject({
      step: 1,
      op: 'p0 = malloc(439)',
      threw: true,
      unreadable: true,
      message: expect.stringMatching(/^heap walk: the header at 0x[0-9a-f]{8} has size 440, not a positive multiple of 16/),
    });
    // Chapter 3's checker, stopped short of the epilogue: no picture of half a heap.
    const unmarked = (proc: Process): Allocator => {
      const heap = createCoalescing(proc);
      const malloc = (size: number) => {
        const ptr = heap.malloc(size);
        Header.write(proc, ptr - HEADER_SIZE, 'magic', 0);
        return ptr;
      };
      return { ...heap, malloc };
    };
    expect(firstDifference(new HeapReplay('coalescing', ops), () => new HeapReplay('coalescing', ops, unmarked))).toMatchObject({
      step: 1,
      threw: true,
      unreadable: true,
      message: expect.stringMatching(/^block at 0x[0-9a-f]{8}: the header's magic is not/),
    });
  });
  it('finds the block it names, to mark in both pictures', () => {
    const keeping = (proc: Process): Allocator => ({ ...createCoalescing(proc), free: () => {} });
    const kept = firstDifference(new HeapReplay('coalescing', ops), () => new HeapReplay('coalescing', ops, keeping))!;
    expect(kept.unreadable).toBeUndefined();
    const at = differingBlock(new HeapReplay('coalescing', ops).stepTo(kept.step).blocks, new HeapReplay('coalescing', ops, keeping).stepTo(kept.step).blocks);
    expect(kept.message).toMatch(new RegExp(`^block ${at! + 1}: `));
    expect(differingBlock(new HeapReplay('coalescing', ops).stepTo(kept.step - 1).blocks, new HeapReplay('coalescing', ops, keeping).stepTo(kept.step - 1).blocks)).toBeUndefined();
  });
});

describe('the views name each step as the C call it stands for', () => {
  it('malloc, realloc and free, the trace id as the pointer', () => {
    expect(formatOp({ kind: 'a', id: 3, bytes: 114 })).toBe('p3 = malloc(114)');
    expect(formatOp({ kind: 'r', id: 3, bytes: 200 })).toBe('p3 = realloc(p3, 200)');
    expect(formatOp({ kind: 'f', id: 3 })).toBe('free(p3)');
    const ops = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'short.rep').ops;
    const state = new HeapReplay('coalescing', ops).stepTo(1);
    expect(describeState(state)).toMatch(/^Step 1 of \d+: p0 = malloc\(\d+\)\. 1 block, 1 in use, 0 free\.$/);
  });
});

describe("the student's bundle", () => {
  it('tells each todo of an exercise its file and line, since a stack in the page names only the bundle', () => {
    // The shipped skeletons, not the student's files: their findFreeBlock may be written already.
    const shipped = mkdtempSync(join(scratch, 'shipped-'));
    copyShippedExercises(shipped);
    const source = readFileSync(join(shipped, 'exercises/02-free-list/free-list.ts'), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes("todo('findFreeBlock(size)")) + 1;
    expect(line, 'the skeleton still has this todo').toBeGreaterThan(0);
    const bundle = ['  // exercises/02-free-list/free-list.ts', '      todo("findFreeBlock(size): first fit over the list of blocks");', '  // workbook/todo.ts', '  todo("not an exercise");'].join('\n');
    const located = locateTodos(bundle, shipped).split('\n');
    expect(located[1]).toBe(`      todo.call("exercises/02-free-list/free-list.ts:${line}", "findFreeBlock(size): first fit over the list of blocks");`);
    expect(located[3], 'only the calls in exercises/ are located').toBe('  todo("not an exercise");');
    expect(() => todo.call(`exercises/02-free-list/free-list.ts:${line}`, 'findFreeBlock(size)')).toThrow(`Open exercises/02-free-list/free-list.ts:${line}, replace`);
    // A bundle that is not strict code passes the place boxed, as a String object.
    expect(() => todo.call(new String('exercises/05-zones/zone.ts:63') as unknown as string, 'malloc(size)')).toThrow('Open exercises/05-zones/zone.ts:63, replace');
  });

  it('bundles each allocator on its own: one that does not compile says why, and the others still run', () => {
    const root = mkdtempSync(join(scratch, 'bundled-'));
    const files = { '02-free-list/free-list.ts': 'ok', '03-coalescing/coalescing.ts': 'broken', '04-realloc/realloc.ts': 'ok', '05-zones/zone.ts': 'ok' };
    for (const [file, state] of Object.entries(files)) {
      mkdirSync(join(root, 'exercises', file, '..'), { recursive: true });
      writeFileSync(join(root, 'exercises', file), state === 'ok' ? 'export const createAllocator = () => ({ id: 1 });\n' : 'export const createAllocator = (;\n');
    }
    const window: { WORKBOOK_STUDENT?: { allocators: Record<string, { file: string; create?: unknown; error?: string }> } } = {};
    const document = { dispatchEvent: () => true };
    new Function('window', 'document', 'Event', bundleStudentAllocators(join(root, 'site')))(window, document, class {});
    const allocators = window.WORKBOOK_STUDENT!.allocators;
    expect(Object.keys(allocators).sort()).toEqual(['coalescing', 'free-list', 'realloc', 'zones']);
    expect(allocators.coalescing.error).toMatch(/^Your exercises do not compile \(exercises\/03-coalescing\/coalescing\.ts, or a file it imports\):\nexercises\/03-coalescing\/coalescing\.ts:1: /);
    // A file that is not there is said so, with the way back.
    rmSync(join(root, 'exercises/04-realloc/realloc.ts'));
    new Function('window', 'document', 'Event', bundleStudentAllocators(join(root, 'site')))(window, document, class {});
    expect(window.WORKBOOK_STUDENT!.allocators.realloc.error).toBe('exercises/04-realloc/realloc.ts is missing:\nnpm run reset -- realloc puts the skeleton back.');
    for (const id of ['free-list', 'realloc', 'zones']) expect(typeof allocators[id].create, id).toBe('function');
  });
});

describe('highlighted lines', () => {
  it('close and reopen the spans that cross a line', () => {
    expect(splitHighlightedLines('<span class="a">x\ny</span>\nz')).toEqual(['<span class="a">x</span>', '<span class="a">y</span>', 'z']);
  });

  it("colour npm's scripts as words, not as the shell's builtins", () => {
    expect(highlight('npm test', 'sh')).toBe('<span class="token function">npm</span> test');
    expect(highlight('test -f x', 'sh')).toContain('<span class="token builtin class-name">test</span>');
  });
});

describe('serveSite', () => {
  it('serves the built site on a free localhost port and rebuilds when a chapter changes', async () => {
    const lines: string[] = [];
    const site = await serveSite({ outDir: join(scratch, 'served'), log: (line) => lines.push(line) });
    try {
      expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const index = await fetch(site.url);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('href="01-bump.html"');
      const css = await fetch(`${site.url}assets/site.css`);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
      expect((await fetch(`${site.url}../package.json`)).status).not.toBe(200);
      const missing = await fetch(`${site.url}05-zone.html`);
      expect(missing.status).toBe(404);
      const page = await missing.text();
      expect(page, 'a page the book does not have says so, and links to the ones it has').toContain('There is no page <code>/05-zone.html</code> here');
      expect(page).toContain('<a href="/05-zones.html">05-zones</a>');

      const chapter = resolve(ROOT, 'chapters', chapters[0]);
      const now = new Date();
      utimesSync(chapter, now, now);
      await expect.poll(() => lines.some((l) => /changed, rebuilding/.test(l)), { timeout: 5000 }).toBe(true);
      await expect.poll(() => lines.filter((l) => /^site: built/.test(l)).length, { timeout: 5000 }).toBe(2);
    } finally {
      await site.close();
    }
  });
});
