// The site in a real browser (Debian's Chromium through playwright-core): pages load cleanly
// from file:// and from a sub-path, links resolve, search, keys, theme, copy, accessibility.
// Without Chromium these tests are skipped and say why; under CI=true that is a failure.

import { EXERCISES } from '../workbook/exercises.ts';
import { isUntouchedSkeleton } from '../workbook/skeletons.ts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Process } from '../machine/index.ts';
import { createAllocator as createFreeList } from '../solutions/02-free-list/free-list.ts';
import { walkHeap } from '../solutions/02-free-list/walk.ts';
import { checkHeap } from '../solutions/03-coalescing/check.ts';
import { createAllocator as createCoalescing } from '../solutions/03-coalescing/coalescing.ts';
import { RACK } from '../solutions/05-zones/rack.ts';
import { REGION } from '../solutions/05-zones/region.ts';
import { createAllocator as createZone } from '../solutions/05-zones/zone.ts';
import { parseRep } from '../workbook/trace/rep.ts';
import { buildSite, ROOT, SITE_DIR } from './generator.ts';
import { serveSite } from './serve.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const found = existsSync(CHROMIUM);
const why = `no Chromium at ${CHROMIUM}: install it with apt-get install chromium, or set CHROMIUM_PATH`;
/** Screenshots land beside the site, where a build keeps them. */
export const SCREENSHOTS = resolve(SITE_DIR, 'dist', 'screenshots');

if (!found) console.warn(`site/browser.test.ts: browser tests skipped: ${why}`);

/** A script that sets `window.WORKBOOK_STUDENT` as npm start's would, from `source` (imports from the book's root). */
function studentBundle(source: string): string {
  return buildSync({ stdin: { contents: source, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'iife', platform: 'browser', write: false }).outputFiles[0].text;
}

describe('Chromium for the browser tests', () => {
  it.runIf(process.env.CI === 'true')('is installed under CI', () => {
    expect(found, why).toBe(true);
  });
});

describe.skipIf(!found)(`the site in Chromium${found ? '' : ` (skipped: ${why})`}`, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'workbook-browser-'));
  const out = join(scratch, 'site');
  let browser: Browser;
  let pages: string[];
  let server: Server;
  let subPathUrl: string;

  beforeAll(async () => {
    pages = buildSite({ outDir: out }).pages.filter((p) => p.endsWith('.html'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    // The same files under a sub-path, as a course's web server would put them.
    server = createServer((request, response) => {
      const prefix = '/courses/malloc/';
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      let file = path.startsWith(prefix) ? normalize(join(out, path.slice(prefix.length))) : '';
      if (file !== '' && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (file === '' || !file.startsWith(out) || !existsSync(file)) return void response.writeHead(404).end();
      const types: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml' };
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    subPathUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/courses/malloc/`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    rmSync(scratch, { recursive: true, force: true });
  });

  const fileUrl = (page: string) => pathToFileURL(join(out, page)).href;
  /** Runs `js` in the page (written as text: this file is type-checked without the DOM's types). */
  const inPage = <T = unknown>(page: Page, js: string) => page.evaluate(js) as Promise<T>;

  /** A page that records console errors, uncaught exceptions and every request it makes. */
  async function open(url: string, options: { colorScheme?: 'light' | 'dark'; script?: string } = {}) {
    const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: { width: 1400, height: 1000 } });
    // A script to run before the page's own: a student's allocators, as `npm start` would serve them.
    if (options.script !== undefined) await context.addInitScript(options.script);
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(url);
    return { page, errors, requests, close: () => context.close() };
  }

  /** A book of one chapter, `markdown`, open in the browser, with a search of it that answers the titles found. */
  async function openSearchBook(name: string, markdown: string) {
    const root = mkdtempSync(join(scratch, `${name}-`));
    mkdirSync(join(root, 'chapters'));
    writeFileSync(join(root, 'README.md'), '# A book\n');
    writeFileSync(join(root, 'chapters', '00-a.md'), markdown);
    buildSite({ root, outDir: join(root, 'dist') });
    const opened = await open(pathToFileURL(join(root, 'dist', '00-a.html')).href);
    const { page } = opened;
    /** Escape, and the focus back on the page, where the next / opens the search again. */
    const closeSearch = async () => {
      await page.keyboard.press('Escape');
      await expect.poll(() => inPage(page, `document.activeElement.closest('dialog') === null`)).toBe(true);
    };
    const search = async (query: string) => {
      await page.keyboard.press('/');
      await page.fill('#search-input', query);
      await expect.poll(() => page.locator('.search-status').textContent()).not.toBe('');
      const hits = await page.locator('.search-results .result-title').allTextContents();
      await closeSearch();
      return hits;
    };
    return { ...opened, search, closeSearch };
  }

  it('loads every page from file:// with no console error and no request to another host', async () => {
    for (const name of pages) {
      const { page, errors, requests, close } = await open(fileUrl(name));
      await page.waitForLoadState('load');
      expect(errors, `${name}: console errors`).toEqual([]);
      for (const url of requests) expect(url, `${name} requested`).toMatch(/^(file:|data:)/);
      await close();
    }
  }, 60_000);

  it('resolves every internal link and anchor of every page', async () => {
    const ids = new Map<string, Set<string>>();
    const links: { from: string; href: string }[] = [];
    for (const name of pages) {
      const { page, close } = await open(fileUrl(name));
      const found = await inPage<{ ids: string[]; hrefs: string[] }>(
        page,
        `({ ids: [...document.querySelectorAll('[id]')].map((e) => e.id), hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href) })`,
      );
      ids.set(name, new Set(found.ids));
      for (const href of found.hrefs) links.push({ from: name, href });
      await close();
    }
    const base = pathToFileURL(out + '/').href;
    let checked = 0;
    for (const { from, href } of links) {
      if (!href.startsWith('file:')) continue;
      expect(href.startsWith(base), `${from} links outside the site: ${href}`).toBe(true);
      const url = new URL(href);
      const target = decodeURIComponent(url.pathname).slice(decodeURIComponent(new URL(base).pathname).length) || 'index.html';
      expect(ids.has(target), `${from} links to ${href}, not a page`).toBe(true);
      if (url.hash !== '') expect(ids.get(target)!.has(decodeURIComponent(url.hash.slice(1))), `${from} links to ${href}: no such anchor`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  }, 60_000);

  it('works from a sub-path of a web server too, with relative links only', async () => {
    const { page, errors, requests, close } = await open(`${subPathUrl}02-free-list.html`);
    expect(errors).toEqual([]);
    for (const url of requests) expect(url.startsWith(subPathUrl), url).toBe(true);
    expect(await inPage(page, `getComputedStyle(document.querySelector('.sidebar')).position`)).toBe('sticky');
    await page.click('.pager a[rel="next"]');
    expect(page.url()).toBe(`${subPathUrl}03-coalescing.html`);
    await close();
  }, 30_000);

  it('finds a term from the last chapter with /, and the result leads to its heading', async () => {
    const last = pages.filter((p) => /^\d\d-/.test(p)).sort().at(-1)!;
    const { page, errors, close } = await open(fileUrl('00-the-process.html'));
    // A word of a section title in the last chapter only.
    const term = await (async () => {
      const other = await open(fileUrl(last));
      const title = await other.page.locator('main h2').nth(1).innerText();
      await other.close();
      return title;
    })();
    await page.keyboard.press('/');
    await expect.poll(() => inPage(page, `document.querySelector('dialog.search').hasAttribute('open')`)).toBe(true);
    // A word in most sections: the twelve shown say they are not all.
    await page.keyboard.type('malloc');
    await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/^The first 12 of \d{2,} sections$/);
    expect(await page.locator('.search-results li').count()).toBe(12);
    await page.fill('#search-input', '');
    await page.keyboard.type(term);
    const first = page.locator('.search-results a').first();
    await first.waitFor();
    // ↓ goes to the first result, outlined as every focus is, not only tinted.
    await page.keyboard.press('ArrowDown');
    const focused = `(() => { const a = document.activeElement, style = getComputedStyle(a); return a.closest('.search-results') && style.outlineStyle + ' ' + style.outlineWidth; })()`;
    expect(await inPage(page, focused)).toBe('solid 3px');
    const href = await first.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${last.replace('.', '\\.')}#`));
    await first.click();
    await page.waitForURL((url) => url.pathname.endsWith(last));
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    expect(await page.locator(`[id="${id}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('turns the page with ← and →', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/02-free-list\.html$/);
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(/01-bump\.html$/);
    // On a code block, a table or a chart, the arrows scroll it and the page stays: the page
    // records any navigation it starts (the navigate event fires as location.href is set).
    const recordNavigations = `window.navigations = []; navigation.addEventListener('navigate', (e) => navigations.push(e.destination.url))`;
    for (const [name, selector] of [['01-bump.html', 'figure.block pre'], ['index.html', 'main table'], ['08-real-programs.html', '.chart-scroll']]) {
      await page.goto(fileUrl(name));
      await inPage(page, recordNavigations);
      await page.locator(selector).first().focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowLeft');
      expect(await inPage(page, 'window.navigations'), `${name}: ${selector}`).toEqual([]);
    }

    await close();
  }, 30_000);

  it('shades the edge of a block whose lines run past it, and no other', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    /** A few pixels of the block's bottom padding, where no text is: by its right edge (clear of the rounded corner) and in its middle. */
    const strips = async (text: string) => {
      const pre = page.locator('figure.block pre').filter({ hasText: text }).first();
      await pre.scrollIntoViewIfNeeded();
      const box = (await pre.boundingBox())!;
      const at = (x: number) => page.screenshot({ clip: { x, y: box.y + box.height - 12, width: 4, height: 4 } });
      return { edge: await at(box.x + box.width - 12), middle: await at(box.x + box.width / 2), cut: await pre.evaluate((e) => e.scrollWidth > e.clientWidth) };
    };
    // A message cut by the frame mid-sentence: the shadow says there is more to scroll to.
    const cut = await strips('malloc(-1): the size -1');
    expect(cut.cut).toBe(true);
    expect(cut.edge.equals(cut.middle)).toBe(false);
    const whole = await strips('malloc(40000) = 0x01000000');
    expect(whole.cut).toBe(false);
    expect(whole.edge.equals(whole.middle)).toBe(true);
    // The code is in the block's letters, not shrunk again as code in a sentence is.
    const sizes = `[...document.querySelectorAll('.block pre, .block pre code')].map((e) => getComputedStyle(e).fontSize)`;
    expect(new Set(await inPage<string[]>(page, sizes))).toEqual(new Set(['13.44px']));
    await close();
  }, 30_000);

  it('shades the edge of a table or chart cut by a phone, and draws its charts with letters to read', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(fileUrl('08-real-programs.html'));
    /** Whether the element's background (its shadows) shows at its right edge: the same strip with it and without. */
    const shaded = async (selector: string, nth: number) => {
      const el = page.locator(selector).nth(nth);
      await el.scrollIntoViewIfNeeded();
      const box = (await el.boundingBox())!;
      const strip = () => page.screenshot({ clip: { x: box.x + box.width - 8, y: box.y + 4, width: 6, height: box.height - 8 } });
      const shown = await strip();
      await el.evaluate((e) => ((e as unknown as { style: { background: string } }).style.background = 'none'));
      return !shown.equals(await strip());
    };
    expect(await shaded('main table', 0), 'the recorded programs, 530px wide').toBe(true);
    expect(await shaded('main table', 1), 'a table that fits').toBe(false);
    expect(await shaded('.chart-scroll', 0), 'a chart, drawn at the width of the column').toBe(false);
    // Drawn at three quarters of its size: its legend in the page's letters, which wrap, and no letter of it under 9px.
    const figure = page.locator('.chart-figure').first();
    expect(await figure.locator('.chart-keys').isVisible()).toBe(true);
    expect(await figure.locator('.chart-key').first().isVisible()).toBe(false);
    const smallest = await inPage<number>(
      page,
      `Math.min(...[...document.querySelector('.chart-figure').querySelectorAll('svg text')].filter((t) => t.getClientRects().length > 0).map((t) => {
        const svg = t.closest('svg');
        return parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      }))`,
    );
    expect(smallest).toBeGreaterThanOrEqual(9);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await figure.locator('.chart-keys').isVisible()).toBe(false);
    expect(await figure.locator('.chart-key').first().isVisible()).toBe(true);
    await context.close();
  }, 30_000);

  it('draws two charts side by side with letters to read, and as they are once they wrap', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(fileUrl('04-realloc.html'));
    /** The smallest text of chapter 4's pair of charts as drawn, in CSS pixels, and whether they share a row. */
    const drawn = () =>
      inPage<{ smallest: number; sideBySide: boolean; tickFont: string }>(
        page,
        `(() => {
          const svgs = [...document.querySelectorAll('.chart-row svg')];
          const texts = svgs.flatMap((svg) => [...svg.querySelectorAll('text')].filter((t) => t.getClientRects().length > 0).map((t) => parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width));
          const tickFont = getComputedStyle(svgs[0].querySelector('.chart-tick')).fontSize;
          return { smallest: Math.min(...texts), sideBySide: svgs[0].getBoundingClientRect().top === svgs[1].getBoundingClientRect().top, tickFont };
        })()`,
      );
    for (const width of [1200, 714]) {
      // 714: the narrowest page where they still share a row (its charts at their least width).
      await page.setViewportSize({ width, height: 800 });
      const wide = await drawn();
      expect(wide.sideBySide, `at ${width}px`).toBe(true);
      expect(wide.tickFont, `at ${width}px`).toBe('14px');
      expect(wide.smallest, `the smallest letter of two charts side by side at ${width}px, in px`).toBeGreaterThanOrEqual(9);
    }
    await page.setViewportSize({ width: 900, height: 800 });
    const wrapped = await drawn();
    expect(wrapped.sideBySide).toBe(false);
    expect(wrapped.tickFont, 'a wrapped chart is drawn at its size or more: its letters are not enlarged').toBe('11px');
    expect(wrapped.smallest).toBeGreaterThanOrEqual(9);
    await context.close();
  }, 30_000);

  it('stops Tab only on the code blocks, tables and charts that scroll, at the width the page is read', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(fileUrl('03-coalescing.html'));
    const stops = `[...document.querySelectorAll('pre[tabindex], table[tabindex], .chart-scroll[tabindex]')].filter((e) => e.offsetWidth > 0)
      .map((e) => ({ stop: e.tabIndex === 0, scrolls: e.scrollWidth > e.clientWidth, label: e.getAttribute('aria-label') }))`;
    type Stop = { stop: boolean; scrolls: boolean; label: string | null };
    const wide = await inPage<Stop[]>(page, stops);
    expect(wide.length).toBeGreaterThan(20);
    for (const s of wide) expect(s.stop).toBe(s.scrolls);
    expect(wide.filter((s) => s.stop).length).toBeLessThan(wide.length / 2);
    expect(wide.filter((s) => s.label !== null).map((s) => s.label)).toEqual(['The chart', 'The chart']);
    // On a phone the charts are drawn at the column's width: still no scrolling, no stops, no advice to scroll.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => inPage<Stop[]>(page, stops).then((all) => all.filter((s) => s.label !== null))).toEqual([
      { stop: false, scrolls: false, label: 'The chart' },
      { stop: false, scrolls: false, label: 'The chart' },
    ]);
    for (const s of await inPage<Stop[]>(page, stops)) expect(s.stop).toBe(s.scrolls);
    await context.close();
  }, 30_000);

  it('draws the outline of a focused link in the chapters and the contents inside them, where their scrolling cuts nothing', async () => {
    const { page, close } = await open(fileUrl('03-coalescing.html'));
    for (const selector of ['.sidebar li a', '.toc a']) {
      await page.locator(selector).first().focus();
      const cut = await inPage<number[]>(
        page,
        `(() => {
          const a = document.activeElement, list = a.closest('.sidebar, .toc'), style = getComputedStyle(a);
          const out = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
          const r = a.getBoundingClientRect(), box = list.getBoundingClientRect();
          return style.outlineStyle === 'solid' ? [box.left - (r.left - out), (r.right + out) - (box.left + list.clientWidth)].filter((d) => d > 0) : ['no outline'];
        })()`,
      );
      expect(cut, selector).toEqual([]);
    }
    await close();
  }, 30_000);

  it('copies only the code of a block', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    await inPage(
      page,
      `Object.defineProperty(window, 'isSecureContext', { value: true });
       Object.defineProperty(navigator, 'clipboard', { value: { writeText: (text) => { window.copied = text; return Promise.resolve(); } } });`,
    );
    await page.locator('.answers-toggle input').check(); // the first code block is an answer, folded
    const block = page.locator('figure.block.code').first();
    await block.hover();
    // Named by its file, and what it did is said aloud, not only shown.
    const button = block.locator('button.copy');
    expect(await button.getAttribute('aria-label')).toBe('Copy the code of solutions/01-bump/bump.ts · malloc');
    await button.click();
    expect(await page.getByRole('status').filter({ hasText: 'Copied' }).textContent()).toBe('Copied the code of solutions/01-bump/bump.ts · malloc');
    const copied = await inPage<string>(page, 'window.copied');
    expect(copied).toBe(await block.locator('pre code').innerText());
    expect(copied).not.toMatch(/Copy|solutions\//);
    expect(copied.startsWith('function malloc')).toBe(true);
    await close();
  }, 30_000);

  it('folds the reference code an exercise asks for, until the reader unfolds it, on every page', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    const answers = page.locator('details.answer');
    expect(await answers.count()).toBe(5);
    // The box counts what it opens: code blocks, not exercises.
    expect(await page.locator('.answers-toggle').textContent()).toBe(' Show the reference code for the exercises (5 code blocks on this page)');
    expect(await answers.first().locator('summary').innerText()).toMatch(/^solutions\/01-bump\/bump\.ts · malloc +the reference for an exercise of this chapter/);
    expect(await answers.first().locator('pre').isVisible()).toBe(false);
    // Code the skeleton gives as it is stays open: batched's globals.
    expect(await page.locator('article > figure.block.code').filter({ hasText: "proc.static('bump.next', 8)" }).isVisible()).toBe(true);
    // A summary opens its one, and then says only how to fold it: the block's title names the file.
    await answers.nth(1).locator('summary').click();
    expect(await answers.nth(1).locator('pre').isVisible()).toBe(true);
    expect(await answers.nth(1).locator('summary').innerText()).toBe('hide the reference');
    expect(await answers.first().locator('pre').isVisible()).toBe(false);
    // The box opens them all, and the choice holds on the next page.
    await page.locator('.answers-toggle input').check();
    expect(await answers.evaluateAll((all) => all.every((d) => (d as unknown as { open: boolean }).open))).toBe(true);
    await page.goto(fileUrl('02-free-list.html'));
    expect(await page.locator('.answers-toggle input').isChecked()).toBe(true);
    expect(await page.locator('details.answer').evaluateAll((all) => all.length > 0 && all.every((d) => (d as unknown as { open: boolean }).open))).toBe(true);
    await close();
  }, 30_000);

  it('keeps the chosen theme across pages, applied before the first paint', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    const background = () => inPage<string>(page, 'getComputedStyle(document.body).backgroundColor');
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.click('.theme-toggle');
    expect(await background()).toBe('rgb(13, 17, 23)');
    expect(await page.getAttribute('.theme-toggle', 'aria-pressed')).toBe('true');
    // A new page: the theme is there before any stylesheet or script of the body has run.
    await page.goto(fileUrl('02-free-list.html'), { waitUntil: 'commit' });
    // The new page's own link: right after the commit, a selector alone may still match in the page left behind.
    await page.waitForFunction(`location.pathname.endsWith('/02-free-list.html') && document.querySelector('head link[rel="stylesheet"]') !== null`);
    expect(await inPage(page, `document.documentElement.getAttribute('data-theme')`)).toBe('dark');
    await close();
  }, 30_000);

  for (const scheme of ['light', 'dark'] as const) {
    it(`passes axe-core with no serious or critical violation in the ${scheme} theme`, async () => {
      const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
      const problems: string[] = [];
      await Promise.all(pages.map(async (name) => {
        const { page, close } = await open(fileUrl(name), { colorScheme: scheme });
        await page.addScriptTag({ path: axe });
        await inPage(page, `document.querySelectorAll('details').forEach((d) => (d.open = true))`);
        const violations = await inPage<{ id: string; impact: string; help: string; nodes: { target: string[] }[] }[]>(
          page,
          `axe.run(document).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))`,
        );
        for (const v of violations) problems.push(`${name} (${scheme}): ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        await close();
      }));
      expect(problems).toEqual([]);
    }, 120_000);
  }

  it('saves screenshots of a chapter in the light and dark themes, the same whether the system or the button chose', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shots = new Map<string, Buffer>();
    for (const [name, scheme, toggled] of [
      ['light', 'light', false],
      ['dark', 'dark', false],
      ['toggled-dark', 'light', true],
      ['toggled-light', 'dark', true],
    ] as const) {
      const { page, close } = await open(fileUrl('03-coalescing.html'), { colorScheme: scheme });
      if (toggled) {
        await page.click('.theme-toggle');
        // Off the button again, so that its hover and focus are not in the picture.
        await page.mouse.move(10, 990);
        await inPage(page, 'document.activeElement.blur()');
      }
      await page.locator('figure.block.code').first().scrollIntoViewIfNeeded();
      await inPage(page, 'window.scrollBy(0, -200)');
      const path = join(SCREENSHOTS, `chapter-${name}.png`);
      shots.set(name, await page.screenshot({ path }));
      expect(statSync(path).size).toBeGreaterThan(10_000);
      await close();
    }
    expect(readdirSync(SCREENSHOTS)).toEqual(expect.arrayContaining(['chapter-light.png', 'chapter-dark.png']));
    expect(shots.get('light')!.equals(shots.get('dark')!)).toBe(false);
    expect(shots.get('toggled-dark')!.equals(shots.get('dark')!), 'the dark theme picked with the button, as the system picks it').toBe(true);
    expect(shots.get('toggled-light')!.equals(shots.get('light')!), 'the light theme picked with the button on a dark system').toBe(true);
  }, 30_000);

  it('steps a heap view in sight with ← and → from the page, as its legend says, and keeps / for search inside it', async () => {
    const { page, errors, close } = await open(fileUrl('heap.html'));
    const figure = page.locator('figure.heap-view');
    const step = Number(await figure.getAttribute('data-step'));
    await page.keyboard.press('ArrowRight');
    expect(await figure.getAttribute('data-step')).toBe(String(step + 1));
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await figure.getAttribute('data-step')).toBe(String(step - 1));
    expect(page.url()).toMatch(/heap\.html$/);
    await figure.locator('button[data-move="forward"]').click();
    await page.keyboard.press('/');
    expect(await page.locator('dialog.search').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('runs a trace to the end in the heap view, with as many blocks as the allocator has', async () => {
    const trace = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'traces/short.rep');
    const { page, errors, close } = await open(fileUrl('heap.html'));
    const figure = page.locator('figure.heap-view');
    for (const allocator of ['coalescing', 'free-list']) {
      await figure.locator('select.hv-allocator').selectOption(allocator);
      await figure.locator('button[data-move="start"]').click();
      expect(await figure.getAttribute('data-step')).toBe('0');
      // From the keyboard: focus a button, then → steps, End jumps to the last step.
      await figure.locator('button[data-move="forward"]').focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await figure.getAttribute('data-step')).toBe('2');
      await page.keyboard.press('End');
      expect(await figure.getAttribute('data-done')).toBe('true');
      expect(await figure.locator('.hv-live').textContent()).toMatch(new RegExp(`^Step ${trace.ops.length} of ${trace.ops.length}:`));

      // The allocator's own walk of the same heap, replayed here.
      const proc = new Process({ heapLimit: 1 << 24 });
      const heap = allocator === 'coalescing' ? createCoalescing(proc) : createFreeList(proc);
      const pointers = new Map<number, number>();
      for (const op of trace.ops) {
        if (op.kind === 'a') pointers.set(op.id, heap.malloc(op.bytes));
        else if (op.kind === 'r') pointers.set(op.id, heap.realloc(pointers.get(op.id)!, op.bytes));
        else heap.free(pointers.get(op.id)!);
      }
      const expected = allocator === 'coalescing' ? checkHeap(proc).blocks.length : walkHeap(proc).length;
      expect(Number(await figure.locator('.hv-bar').getAttribute('data-blocks'))).toBe(expected);
      expect(await figure.locator('.hv-block').count()).toBe(expected);
    }
    // Hover a block for its header, read from the bytes.
    await figure.locator('button[data-move="back"]').click();
    await figure.locator('.hv-block').first().hover();
    await expect.poll(() => figure.locator('.hv-block').first().locator('.hv-tip').isVisible()).toBe(true);
    expect(await figure.locator('.hv-block').first().locator('.hv-tip').innerText()).toMatch(/magic = 0x/);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('steps the zone view of chapter 5 through its trace, with the regions and pages of the zone replayed here', async () => {
    const trace = parseRep(readFileSync(resolve(ROOT, 'traces/short.rep'), 'utf8'), 'traces/short.rep');
    const { page, errors, close } = await open(fileUrl('05-zones.html'));
    const figure = page.locator('figure.zone-view');
    expect(await figure.locator('.hv-controls').isVisible()).toBe(true);
    // The keys are told where a keyboard reader looks for them: beside the buttons.
    expect(await figure.locator('.hv-keys').innerText()).toBe('Keys: ← → step, Home End first and last, ↑ ↓ through the picture');
    await figure.locator('button[data-move="start"]').click();
    expect(await figure.getAttribute('data-step')).toBe('0');

    // The same trace through a zone of this test's own, its blocks written as the view's are.
    const proc = new Process();
    const zone = createZone(proc);
    const pointers = new Map<number, number>();
    const regions = (rack: number) => {
      let count = 0;
      for (let region = proc.load32(rack + RACK.regions); region !== 0; region = proc.load32(region + REGION.next)) count++;
      return count;
    };
    let most = 0;
    for (const op of trace.ops) {
      if (op.kind === 'f') zone.free(pointers.get(op.id)!);
      else {
        const ptr = op.kind === 'a' ? zone.malloc(op.bytes) : zone.realloc(pointers.get(op.id)!, op.bytes);
        proc.memset(ptr, 1, op.bytes);
        pointers.set(op.id, ptr);
      }
      await figure.locator('button[data-move="forward"]').click();
      const shown = figure.locator('.zv-zone');
      const step = await figure.getAttribute('data-step');
      const expected = regions(zone.tiny.base) + regions(zone.small.base);
      expect(Number(await shown.getAttribute('data-regions')), `step ${step}`).toBe(expected);
      expect(await figure.locator('.zv-region').count(), `step ${step}`).toBe(expected);
      expect(Number(await shown.getAttribute('data-written')) * 4096, `step ${step}`).toBe(proc.stats().mappedResidentBytes);
      most = Math.max(most, expected);
    }
    expect(most).toBe(2);
    expect(await figure.getAttribute('data-done')).toBe('true');
    expect(await figure.locator('.zv-live').textContent()).toMatch(new RegExp(`^Step ${trace.ops.length} of ${trace.ops.length}: free\\(p4\\)\\. 1 tiny region, 0 small regions, 0 large blocks; 0 in use, 0 free; 1 page written\\.$`));

    // From the keyboard: Home, then → twice: one tiny region, its fields' page written, each block titled.
    await figure.locator('button[data-move="forward"]').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await figure.getAttribute('data-step')).toBe('2');
    expect(page.url()).toMatch(/05-zones\.html$/);
    const region = figure.locator('.zv-region');
    expect(await region.locator('.zv-label').innerText()).toMatch(/^tiny region 0x[0-9a-f]{8}\s+band 0\s+1 of 256 pages written/);
    expect(await region.locator('.zv-page.zv-written .zv-note').allTextContents()).toEqual(['page 4: header, fields, blocks']);
    expect(await region.locator('.zv-pages .zv-used').evaluateAll((spans) => spans.map((s) => s.getAttribute('title')))).toEqual([expect.stringMatching(/ · 448 bytes · in use · 439 asked for$/), expect.stringMatching(/ · 176 bytes · in use · 167 asked for$/)]);

    // A region's blocks in words: opened by keyboard, and still open at the next step.
    await region.locator('.zv-blocks summary').focus();
    await page.keyboard.press('Enter');
    expect(await region.locator('.zv-blocks li').allTextContents()).toEqual([expect.stringMatching(/ · 448 bytes · in use · 439 asked for$/), expect.stringMatching(/ · 176 bytes · in use · 167 asked for$/)]);
    await figure.locator('button[data-move="forward"]').click();
    expect(await figure.locator('.zv-region .zv-blocks').getAttribute('open')).toBe('');
    expect(await figure.locator('.zv-region .zv-blocks li').count()).toBe(Number(await figure.locator('.zv-region').getAttribute('data-blocks')));

    // Another trace from the picker.
    await figure.locator('select.zv-trace').selectOption('traces/binary-small.rep');
    expect(await figure.locator('.zv-trace-name').textContent()).toBe('traces/binary-small.rep');
    expect(await figure.locator('input[type=range]').getAttribute('max')).toBe('40');
    expect(await figure.locator('.zv-region').count()).toBe(2);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('keeps the focus in a view as it steps: a focused block or list, then the arrows, and the page stays', async () => {
    for (const [name, selector, focus] of [
      ['02-free-list.html', 'figure.heap-view', '.hv-block'],
      ['05-zones.html', 'figure.zone-view', '.zv-blocks summary'],
    ]) {
      const { page, errors, close } = await open(fileUrl(name));
      const figure = page.locator(selector);
      const step = Number(await figure.getAttribute('data-step'));
      await figure.locator(focus).first().focus();
      // Each step draws the picture anew; the focus moves to the same place in it, not to the page.
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft']) await page.keyboard.press(key);
      expect(await figure.getAttribute('data-step'), name).toBe(String(step + 1));
      expect(await inPage(page, `document.activeElement.matches('${selector} ${focus}')`), name).toBe(true);
      expect(page.url(), name).toBe(fileUrl(name));
      // A click on the picture's background, not on a control: the arrows its legend names still step it.
      const box = (await figure.boundingBox())!;
      await page.mouse.click(box.x + box.width - 4, box.y + box.height - 4);
      await page.keyboard.press('ArrowLeft');
      expect(await figure.getAttribute('data-step'), `${name}, clicked`).toBe(String(step));
      expect(page.url(), `${name}, clicked`).toBe(fileUrl(name));
      expect(errors).toEqual([]);
      await close();
    }
  }, 30_000);

  it("makes each view's picture one tab stop: Tab leaves it, ↑ and ↓ go from block to block, ← and → still step", async () => {
    for (const [name, selector, picture, item] of [
      ['02-free-list.html', 'figure.heap-view', '.hv-view', '.hv-block'],
      ['05-zones.html', 'figure.zone-view', '.zv-view', '.zv-blocks summary'],
    ]) {
      const { page, errors, close } = await open(fileUrl(name));
      const figure = page.locator(selector);
      const items = figure.locator(`${picture} ${item}`);
      expect(await items.count(), name).toBeGreaterThan(1);
      /** Which item has the focus: its index, or -1 off the items. */
      const focused = () => inPage<number>(page, `[...document.querySelectorAll('${selector} ${picture} ${item}')].indexOf(document.activeElement)`);
      const tabStops = () => inPage<number>(page, `[...document.querySelectorAll('${selector} ${picture} ${item}')].filter((e) => e.tabIndex === 0).length`);
      expect(await tabStops(), name).toBe(1);
      // From the step range, Tab enters the picture at its first item, and a second Tab leaves it.
      await figure.locator('input[type=range]').focus();
      await page.keyboard.press('Tab');
      expect(await focused(), name).toBe(0);
      await page.keyboard.press('Tab');
      expect(await inPage(page, `document.activeElement.closest('${picture}') === null`), `${name}: one Tab leaves the picture`).toBe(true);
      await page.keyboard.press('Shift+Tab');
      expect(await focused(), name).toBe(0);
      // ↓ and ↑ move along the items, and stop at the ends; the page does not scroll.
      const scrollY = await inPage<number>(page, 'window.scrollY');
      await page.keyboard.press('ArrowUp');
      expect(await focused(), name).toBe(0);
      await page.keyboard.press('ArrowDown');
      expect(await focused(), name).toBe(1);
      expect(await inPage(page, 'window.scrollY'), name).toBe(scrollY);
      expect(await tabStops(), name).toBe(1);
      // ← and → step the trace as before, the focus on the same item.
      const step = Number(await figure.getAttribute('data-step'));
      await page.keyboard.press('ArrowRight');
      expect(await figure.getAttribute('data-step'), name).toBe(String(step + 1));
      await page.keyboard.press('ArrowLeft');
      expect(await figure.getAttribute('data-step'), name).toBe(String(step));
      expect(await focused(), name).toBe(1);
      expect(await tabStops(), name).toBe(1);
      // Back into the picture from after it: at the item last visited.
      await page.keyboard.press('Tab');
      expect(await focused(), name).toBe(-1);
      await page.keyboard.press('Shift+Tab');
      expect(await focused(), `${name}: back at the item last visited`).toBe(1);
      expect(page.url(), name).toBe(fileUrl(name));
      expect(errors).toEqual([]);
      await close();
    }
  }, 30_000);

  it('shows the zone as a picture when scripts are off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(fileUrl('05-zones.html'));
    expect(await page.locator('figure.zone-view .zv-region').count()).toBe(2);
    expect(await page.locator('figure.zone-view .hv-controls').isVisible()).toBe(false);
    await context.close();
  }, 30_000);

  it("draws a page never touched with dashes that stand out from the zone view's background, in both themes", async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, close } = await open(fileUrl('05-zones.html'), { colorScheme });
      const contrast = await inPage<number>(
        page,
        `(() => {
          const luminance = (css) => {
            const [r, g, b] = css.match(/[\\d.]+/g).slice(0, 3).map((v) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const dashes = luminance(getComputedStyle(document.querySelector('.zv-untouched .zv-box')).borderTopColor);
          const ground = luminance(getComputedStyle(document.querySelector('figure.zone-view')).backgroundColor);
          return (Math.max(dashes, ground) + 0.05) / (Math.min(dashes, ground) + 0.05);
        })()`,
      );
      expect(contrast, colorScheme).toBeGreaterThanOrEqual(3);
      await close();
    }
  }, 30_000);

  it('saves a screenshot of the zone view', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const { page, close } = await open(fileUrl('05-zones.html'));
    const path = join(SCREENSHOTS, 'zone-view.png');
    await page.locator('figure.zone-view').screenshot({ path });
    expect(statSync(path).size).toBeGreaterThan(10_000);
    await close();
  }, 30_000);

  it('replays another trace when the reader picks one', async () => {
    const root = join(scratch, 'book');
    mkdirSync(join(root, 'chapters'), { recursive: true });
    mkdirSync(join(root, 'traces'));
    writeFileSync(join(root, 'README.md'), '# A book\n');
    writeFileSync(join(root, 'chapters', '00-a.md'), '# A\n');
    writeFileSync(join(root, 'traces', 'short.rep'), readFileSync(resolve(ROOT, 'traces/short.rep')));
    writeFileSync(join(root, 'traces', 'three.rep'), '64\n2\n3\n1\na 0 16\na 1 32\nf 0\n');
    buildSite({ root, outDir: join(root, 'dist') });
    const { page, errors, close } = await open(pathToFileURL(join(root, 'dist', 'heap.html')).href);
    const figure = page.locator('figure.heap-view');
    expect(await figure.locator('select.hv-trace option').allTextContents()).toEqual(['traces/short.rep (12 operations)', 'traces/three.rep (3 operations)']);
    await figure.locator('select.hv-trace').selectOption('traces/three.rep');
    expect(await figure.getAttribute('data-trace')).toBe('traces/three.rep');
    expect(await figure.locator('.hv-trace-name').textContent()).toBe('traces/three.rep');
    expect(await figure.locator('input[type=range]').getAttribute('max')).toBe('3');
    await figure.locator('button[data-move="end"]').click();
    expect(await figure.locator('.hv-live').textContent()).toBe('Step 3 of 3: free(p0). 2 blocks, 1 in use, 1 free.');
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  // Only while chapter 3's skeleton is as shipped: a student's own heap draws a picture instead.
  const shipped = isUntouchedSkeleton(EXERCISES.find((e) => e.id === 'coalescing')!);
  it.skipIf(!shipped)('runs your allocator beside the reference when npm start serves the site, and shows what it threw', async () => {
    const site = await serveSite({ outDir: join(scratch, 'served') });
    try {
      const { page, errors, close } = await open(`${site.url}heap.html`);
      const figure = page.locator('figure.heap-view');
      await figure.locator('select.hv-beside').selectOption('student');
      const panel = figure.locator('.hv-student');
      expect(await panel.isVisible()).toBe(true);
      expect(await panel.locator('.hv-student-file').textContent()).toBe('exercises/03-coalescing/coalescing.ts');
      // The skeleton as shipped: its first todo(…) is what the page shows, not a picture.
      expect(await panel.locator('.hv-diff').textContent()).toMatch(/^At step 1 \(p0 = malloc\(439\)\) your allocator threw:/);
      expect(await panel.locator('.hv-error').textContent()).toMatch(/^Not written yet: /);
      expect(await panel.locator('.hv-block').count()).toBe(0);
      expect(errors).toEqual([]);
      await close();
    } finally {
      await site.close();
    }
  }, 60_000);

  // Only while chapter 5's zone is as shipped: a student's own zone draws a picture instead.
  const zoneShipped = isUntouchedSkeleton(EXERCISES.find((e) => e.id === 'zone')!);
  it.skipIf(!zoneShipped)('runs your zone beside the reference when npm start serves the site, and says what to write first', async () => {
    const site = await serveSite({ outDir: join(scratch, 'served-zone') });
    try {
      const { page, errors, close } = await open(`${site.url}05-zones.html`);
      const figure = page.locator('figure.zone-view');
      await figure.locator('select.hv-beside').selectOption('student');
      const panel = figure.locator('.hv-student');
      expect(await panel.isVisible()).toBe(true);
      expect(await panel.locator('.hv-student-file').textContent()).toBe('exercises/05-zones/zone.ts');
      expect(await panel.locator('.hv-diff').textContent()).toMatch(/^At step 1 \(p0 = malloc\(439\)\) your zone threw:/);
      const error = await panel.locator('.hv-error').textContent();
      expect(error).toMatch(/^Not written yet: malloc\(size\): send the request to its scale\n/);
      const line = readFileSync(join(ROOT, 'exercises/05-zones/zone.ts'), 'utf8').split('\n').findIndex((text) => text.includes("todo('malloc(size)")) + 1;
      expect(error, 'the message names the file and line to open, as in a terminal').toContain(`Open exercises/05-zones/zone.ts:${line},`);
      expect(error, 'here a save is enough').toContain('with your code, and save: this view runs it again.');
      expect(await panel.locator('.zv-region').count()).toBe(0);
      // Before the first malloc the skeleton's zone is as empty as the reference's: drawn, not an error.
      await figure.locator('button[data-move="start"]').click();
      expect(await panel.locator('.hv-error').count()).toBe(0);
      expect(await panel.locator('.zv-empty').count()).toBe(1);
      expect(errors).toEqual([]);
      await close();
    } finally {
      await site.close();
    }
  }, 60_000);

  it('draws a zone that differs beside the reference, and goes to the step where they part', async () => {
    // A student's zone that frees nothing: chapter 5's, bundled for the page as `npm start` bundles exercises/.
    const script = studentBundle(`import { createAllocator } from './solutions/05-zones/zone.ts';
window.WORKBOOK_STUDENT = { allocators: { zones: { file: 'exercises/05-zones/zone.ts', create: (proc) => ({ ...createAllocator(proc), free: () => {} }) } } };`);
    const { page, errors, close } = await open(fileUrl('05-zones.html'), { script });
    const figure = page.locator('figure.zone-view');
    await figure.locator('select.hv-beside').selectOption('student');
    const panel = figure.locator('.hv-student');
    expect(await panel.locator('.hv-diff').textContent()).toMatch(
      /^Your zone matches the reference up to step 2; at step 3 \(free\(p1\)\) they differ: the reference's tiny region 0x[0-9a-f]{8} holds \[448 B in use\] \[176 B death row\], yours \[448 B in use\] \[176 B in use\]\. Go to step 3$/,
    );
    await panel.locator('button.hv-go').click();
    expect(await figure.getAttribute('data-step')).toBe('3');
    expect(await panel.locator('button.hv-go').count()).toBe(0);
    // Both pictures at step 3: the reference's block on death row, the same block still in use in the student's.
    expect(await figure.locator('.zv-view .zv-pages .zv-death').count()).toBe(1);
    expect(await panel.locator('.zv-pages .zv-death').count()).toBe(0);
    expect(await panel.locator('.zv-region .zv-label').innerText()).toMatch(/2 blocks: 2 in use, 0 free/);
    // At the end the reference's region is empty, kept for the next malloc; the student's zone still holds every block, in both of its regions.
    await figure.locator('button[data-move="end"]').click();
    expect(await figure.locator('.zv-view .zv-region').count()).toBe(1);
    expect(await figure.locator('.zv-view .zv-region .zv-label').innerText()).toMatch(/0 blocks/);
    expect(await panel.locator('.zv-region').count()).toBe(2);
    // Its lists are one tab stop, as the reference's are, and ↓ goes from one to the next.
    const lists = panel.locator('.zv-blocks summary');
    expect(await lists.evaluateAll((all) => all.map((s) => s.getAttribute('tabindex')))).toEqual(['0', '-1']);
    await lists.first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await inPage(page, `[...document.querySelectorAll('.hv-student .zv-blocks summary')].map((s) => s === document.activeElement)`)).toEqual([false, true]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await figure.screenshot({ path: join(SCREENSHOTS, 'zone-view-beside.png') });
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it("keeps each view's allocator, trace, step and \"Beside it\" across a reload, and drops what no longer exists", async () => {
    // The student's allocators as `npm start` serves them: here chapter 2's and chapter 5's own.
    const script = studentBundle(`import { createAllocator as freeList } from './solutions/02-free-list/free-list.ts';
import { createAllocator as zones } from './solutions/05-zones/zone.ts';
window.WORKBOOK_STUDENT = { allocators: { 'free-list': { file: 'exercises/02-free-list/free-list.ts', create: freeList }, zones: { file: 'exercises/05-zones/zone.ts', create: zones } } };`);
    const { page, errors, close } = await open(fileUrl('heap.html'), { script });
    const figure = page.locator('figure.heap-view');
    await figure.locator('select.hv-allocator').selectOption('free-list');
    await figure.locator('select.hv-trace').selectOption('traces/binary-small.rep');
    await figure.locator('button[data-move="start"]').click();
    await figure.locator('button[data-move="forward"]').click();
    await figure.locator('button[data-move="forward"]').click();
    await figure.locator('select.hv-beside').selectOption('student');
    await page.reload();
    expect(await figure.locator('select.hv-allocator').inputValue()).toBe('free-list');
    expect(await figure.locator('.hv-allocator-name').textContent()).toBe('free-list');
    expect(await figure.locator('select.hv-trace').inputValue()).toBe('traces/binary-small.rep');
    expect(await figure.locator('.hv-trace-name').textContent()).toBe('traces/binary-small.rep');
    expect(await figure.getAttribute('data-step')).toBe('2');
    expect(await figure.locator('input[type=range]').inputValue()).toBe('2');
    expect(await figure.locator('select.hv-beside').inputValue()).toBe('student');
    expect(await figure.locator('.hv-student').isVisible()).toBe(true);
    expect(await figure.locator('.hv-student .hv-student-file').textContent()).toBe('exercises/02-free-list/free-list.ts');
    // A trace and an allocator the book no longer has: the view's own, and its own step, come back.
    await inPage(page, `sessionStorage.setItem('workbook-view:' + location.pathname + ':heap:0', JSON.stringify({ allocator: 'gone', trace: 'traces/gone.rep', step: 1, beside: 'student' }))`);
    await page.reload();
    expect(await figure.locator('select.hv-allocator').inputValue()).toBe('coalescing');
    expect(await figure.locator('select.hv-trace').inputValue()).toBe('traces/short.rep');
    expect(await figure.getAttribute('data-step')).toBe('9');
    expect(await figure.locator('select.hv-beside').inputValue()).toBe('student');

    // The zone view keeps its own, under its own key.
    await page.goto(fileUrl('05-zones.html'));
    const zone = page.locator('figure.zone-view');
    await zone.locator('button[data-move="start"]').click();
    await zone.locator('button[data-move="forward"]').click();
    await zone.locator('select.hv-beside').selectOption('student');
    await page.reload();
    expect(await zone.getAttribute('data-step')).toBe('1');
    expect(await zone.locator('select.zv-trace').inputValue()).toBe('traces/short.rep');
    expect(await zone.locator('select.hv-beside').inputValue()).toBe('student');
    expect(await zone.locator('.hv-diff').textContent()).toMatch(/^Your zone matches the reference at every step/);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('says when your heap cannot be read as the reference lays it out, and when your exercises do not compile, not that your allocator threw', async () => {
    // A chapter 2 allocator that writes one byte more than it should into each header's size.
    const script = studentBundle(`import { BlockMeta, META_SIZE, createAllocator } from './solutions/02-free-list/free-list.ts';
const create = (proc) => {
  const heap = createAllocator(proc);
  const malloc = (size) => {
    const ptr = heap.malloc(size);
    BlockMeta.write(proc, ptr - META_SIZE, 'size', size + 1);
    return ptr;
  };
  return { ...heap, malloc };
};
window.WORKBOOK_STUDENT = { allocators: { 'free-list': { file: 'exercises/02-free-list/free-list.ts', create } } };`);
    const unread = await open(fileUrl('02-free-list.html'), { script });
    const figure = unread.page.locator('figure.heap-view');
    await figure.locator('select.hv-beside').selectOption('student');
    const panel = figure.locator('.hv-student');
    const said = await panel.locator('.hv-diff').textContent();
    expect(said).toMatch(/^At step 1 \(p0 = malloc\(439\)\) your heap could not be read as the reference lays it out: heap walk: the header at 0x[0-9a-f]{8} has size 440, not a positive multiple of 16 Go to step 1$/);
    expect(said).not.toContain('threw');
    // Below, the header's bytes as the walker found them.
    expect(await panel.locator('.hv-error').textContent()).toContain('0x');
    expect(unread.errors).toEqual([]);
    await unread.close();

    // Exercises that do not compile, as `npm start` serves them: a compile error, at no step.
    const broken = `window.WORKBOOK_STUDENT = { allocators: { coalescing: { file: 'exercises/03-coalescing/coalescing.ts', error: ${JSON.stringify('Your exercises do not compile:\nexercises/03-coalescing/coalescing.ts:12: Expected ";" but found "x"')} } } };`;
    const { page, errors, close } = await open(fileUrl('heap.html'), { script: broken });
    const heap = page.locator('figure.heap-view');
    await heap.locator('select.hv-beside').selectOption('student');
    expect(await heap.locator('.hv-diff').textContent()).toBe('Your exercises do not compile:');
    expect(await heap.locator('.hv-student .hv-error').textContent()).toBe('exercises/03-coalescing/coalescing.ts:12: Expected ";" but found "x"');
    expect(await heap.locator('button.hv-go').count()).toBe(0);
    await heap.locator('button[data-move="start"]').click();
    expect(await heap.locator('.hv-diff').textContent()).toBe('Your exercises do not compile:');
    expect(await heap.locator('button.hv-go').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('marks the first block that differs in both pictures at that step, and "Go to step" leaves no tip over the text', async () => {
    // A student's chapter 3 allocator that frees nothing.
    const script = studentBundle(`import { createAllocator } from './solutions/03-coalescing/coalescing.ts';
window.WORKBOOK_STUDENT = { allocators: { coalescing: { file: 'exercises/03-coalescing/coalescing.ts', create: (proc) => ({ ...createAllocator(proc), free: () => {} }) } } };`);
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(fileUrl('heap.html'), { script, colorScheme });
      const figure = page.locator('figure.heap-view');
      await figure.locator('button[data-move="start"]').click();
      await figure.locator('select.hv-beside').selectOption('student');
      const panel = figure.locator('.hv-student');
      const said = (await panel.locator('.hv-diff').textContent())!;
      const [, step, block] = /at step (\d+) \(free\(p\d+\)\) they differ: block (\d+): the reference has a \d+-byte free block/.exec(said)!;
      expect(await figure.locator('.hv-differs').count(), 'marked only at the step where they part').toBe(0);
      await panel.locator('button.hv-go').focus();
      await page.keyboard.press('Enter');
      expect(await figure.getAttribute('data-step')).toBe(step);
      const marked = (picture: string) => inPage<number[]>(page, `[...document.querySelectorAll('${picture} .hv-block')].flatMap((b, i) => (b.classList.contains('hv-differs') ? [i + 1] : []))`);
      expect(await marked('.hv-view')).toEqual([Number(block)]);
      expect(await marked('.hv-student-view')).toEqual([Number(block)]);
      // The mark is an outline in a colour that stands out from the page, in either theme.
      const style = await inPage<{ outline: string; width: string; color: string; background: string }>(
        page,
        `(() => { const s = getComputedStyle(document.querySelector('.hv-student-view .hv-differs')); return { outline: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, background: getComputedStyle(document.body).backgroundColor }; })()`,
      );
      expect(style.outline).toBe('dashed');
      expect(style.width).toBe('3px');
      expect(style.color).not.toBe(style.background);
      // The focus is on the panel, not on a block whose tip would cover the text.
      expect(await inPage(page, `document.activeElement.classList.contains('hv-student')`)).toBe(true);
      expect(await page.locator('.hv-tip:visible').count()).toBe(0);
      // The pointer off the view, where no block's tip shows.
      await figure.scrollIntoViewIfNeeded();
      await page.mouse.move(0, 0);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await figure.screenshot({ path: join(SCREENSHOTS, `heap-view-beside-${colorScheme}.png`) });
      // A step on, the mark is gone: it is where they part.
      await page.keyboard.press('ArrowRight');
      expect(await figure.locator('.hv-differs').count()).toBe(0);
      expect(errors).toEqual([]);
      await close();
    }
  }, 30_000);

  it('marks the region where your zone first parts from the reference, in both pictures', async () => {
    const script = studentBundle(`import { createAllocator } from './solutions/05-zones/zone.ts';
window.WORKBOOK_STUDENT = { allocators: { zones: { file: 'exercises/05-zones/zone.ts', create: (proc) => ({ ...createAllocator(proc), free: () => {} }) } } };`);
    const { page, errors, close } = await open(fileUrl('05-zones.html'), { script });
    const figure = page.locator('figure.zone-view');
    await figure.locator('select.hv-beside').selectOption('student');
    await figure.locator('.hv-student button.hv-go').click();
    expect(await figure.getAttribute('data-step')).toBe('3');
    expect(await figure.locator('.zv-view .zv-region.hv-differs').count()).toBe(1);
    expect(await figure.locator('.hv-student .zv-region.hv-differs').count()).toBe(1);
    expect(await inPage(page, `document.activeElement.classList.contains('hv-student')`)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await figure.locator('.hv-differs').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('has no "your allocator" in the static site', async () => {
    for (const name of ['heap.html', '05-zones.html']) {
      const { page, close } = await open(fileUrl(name));
      expect(await page.locator('select.hv-beside').count(), name).toBe(0);
      await close();
    }
  }, 30_000);

  it('shows the heap as a picture when scripts are off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(fileUrl('heap.html'));
    expect(await page.locator('.hv-block').count()).toBeGreaterThan(0);
    expect(await page.locator('.hv-controls').isVisible()).toBe(false);
    await context.close();
  }, 30_000);

  /**
   * In the page: the code blocks whose copy button covers some of their code. A titled block's
   * button sits in the title bar; an untitled one's covers the end of the first line when long.
   */
  const COPY_COVERS_CODE = `[...document.querySelectorAll('figure.block.code')].flatMap((block) => {
    const copy = block.querySelector('button.copy').getBoundingClientRect();
    const code = block.querySelector('pre code');
    const range = document.createRange();
    range.selectNodeContents(code);
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data.includes('\\n')) { range.setEnd(node, node.data.indexOf('\\n')); break; }
    }
    const covered = [...range.getClientRects()].some((r) => r.right > copy.left && r.left < copy.right && r.top < copy.bottom && r.bottom > copy.top);
    return covered ? ['a copy button covers code: ' + code.textContent.slice(0, 40)] : [];
  })`;

  it('keeps the copy buttons off the code at every width, from a laptop to a wide screen', async () => {
    const problems: string[] = [];
    for (const width of [900, 1024, 1400]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const name of pages.filter((p) => p !== 'print.html')) {
        await page.goto(fileUrl(name));
        for (const problem of await inPage<string[]>(page, COPY_COVERS_CODE)) problems.push(`${name} at ${width}px: ${problem}`);
      }
      // A short first line keeps its place beside the button.
      await page.goto(fileUrl('index.html'));
      expect(await page.locator('figure.block.code .block-body').first().getAttribute('class'), `${width}px: npm install`).toBe('block-body');
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("reads on a phone: nothing wider than the screen, the top bar on one line, the views' controls inside their frames, no serious axe violation", async () => {
    const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const problems: string[] = [];
    await Promise.all(pages.map(async (name) => {
      const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
      const page = await context.newPage();
      await page.goto(fileUrl(name));
      const found = await inPage<string[]>(
        page,
        `(() => {
          const problems = [];
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth > width) problems.push('the page is ' + document.documentElement.scrollWidth + 'px wide');
          const bar = document.querySelector('.topbar');
          if (bar) for (const el of bar.querySelectorAll('button, .brand')) {
            const r = el.getBoundingClientRect();
            if (r.height > bar.clientHeight || r.right > width) problems.push((el.className || el.tagName) + ' does not fit the top bar');
          }
          for (const figure of document.querySelectorAll('.heap-view, .zone-view')) {
            const frame = figure.getBoundingClientRect();
            for (const el of figure.querySelectorAll('.hv-controls select, .hv-controls button')) {
              if (el.getBoundingClientRect().right > frame.right) problems.push(el.className + ' sticks out of its view');
            }
          }
          // An exercise's command is read whole, never cut at the edge of its box.
          for (const pre of document.querySelectorAll('.box-run pre')) {
            if (pre.scrollWidth > pre.clientWidth) problems.push('the command ' + pre.textContent + ' is cut');
          }
          problems.push(...${COPY_COVERS_CODE});
          return problems;
        })()`,
      );
      for (const problem of found) problems.push(`${name}: ${problem}`);
      await page.addScriptTag({ path: axe });
      await inPage(page, `document.querySelectorAll('details').forEach((d) => (d.open = true))`);
      const violations = await inPage<{ id: string; help: string; nodes: { target: string[] }[] }[]>(
        page,
        `axe.run(document).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))`,
      );
      for (const v of violations) problems.push(`${name} (phone): ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      await context.close();
    }));
    expect(problems).toEqual([]);
  }, 120_000);

  it('fits the narrowest phones too: no page is wider than 320px', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const wide: string[] = [];
    for (const name of pages) {
      await page.goto(fileUrl(name));
      const width = await inPage<number>(page, 'document.documentElement.scrollWidth');
      if (width > 320) wide.push(`${name} is ${width}px wide`);
    }
    expect(wide).toEqual([]);
    await context.close();
  }, 30_000);

  it('fits the heap view to a finger: no keys to read, a taller step slider, and a tap beside a block reads the nearest', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    const page = await context.newPage();
    await page.goto(fileUrl('heap.html'));
    const figure = page.locator('figure.heap-view');
    expect(await figure.locator('.hv-keys').isVisible()).toBe(false);
    expect((await figure.locator('input[type=range]').boundingBox())!.height).toBeGreaterThanOrEqual(40);
    const gap = figure.locator('.hv-bar .hv-gap').first();
    await gap.scrollIntoViewIfNeeded(); // a tap lands in the viewport
    const box = (await gap.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    expect(await inPage(page, `document.activeElement.classList.contains('hv-block')`)).toBe(true);
    expect(await figure.locator('.hv-block:focus .hv-tip').isVisible()).toBe(true);
    await context.close();
  }, 30_000);

  it("keeps a heap block's tip on a phone's screen, whichever block is focused", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    for (const name of ['heap.html', '02-free-list.html', '03-coalescing.html']) {
      await page.goto(fileUrl(name));
      const blocks = page.locator('.hv-block');
      expect(await blocks.count(), name).toBeGreaterThan(1);
      for (let i = 0; i < (await blocks.count()); i++) {
        await blocks.nth(i).focus();
        const tip = (await blocks.nth(i).locator('.hv-tip').boundingBox())!;
        expect(tip.x, `${name}: block ${i + 1}`).toBeGreaterThanOrEqual(0);
        expect(tip.x + tip.width, `${name}: block ${i + 1}`).toBeLessThanOrEqual(390);
      }
    }
    await context.close();
  }, 30_000);

  it("keeps a heap block's tip on a laptop's screen, wherever the block lies in the heap", async () => {
    const width = 1024;
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await page.goto(fileUrl('heap.html'));
    const figure = page.locator('figure.heap-view');
    // Sixteen blocks of about the same size at step 16, the last few far to the right.
    await figure.locator('select.hv-allocator').selectOption('free-list');
    await figure.locator('select.hv-trace').selectOption('traces/binary-small.rep');
    for (const step of ['4', '16', '28']) {
      await figure.locator('input[type=range]').fill(step);
      const blocks = figure.locator('.hv-block');
      for (let i = 0; i < (await blocks.count()); i++) {
        await blocks.nth(i).focus();
        const tip = (await blocks.nth(i).locator('.hv-tip').boundingBox())!;
        expect(tip.x, `step ${step}: block ${i + 1}`).toBeGreaterThanOrEqual(0);
        expect(tip.x + tip.width, `step ${step}: block ${i + 1}`).toBeLessThanOrEqual(width);
      }
    }
    await context.close();
  }, 30_000);

  it('opens the chapters over the whole screen of a phone, and closes them with Escape, or as Tab leaves them', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(fileUrl('05-zones.html'));
    await page.click('.menu-toggle');
    expect(await page.getAttribute('.menu-toggle', 'aria-expanded')).toBe('true');
    const box = (await page.locator('#sidebar').boundingBox())!;
    expect(box.y + box.height).toBe(800);
    // From a chapter's link, Escape goes back to the button.
    await page.locator('#sidebar a').first().focus();
    await page.keyboard.press('Escape');
    expect(await page.locator('#sidebar').isVisible()).toBe(false);
    expect(await page.getAttribute('.menu-toggle', 'aria-expanded')).toBe('false');
    expect(await inPage(page, `document.activeElement.classList.contains('menu-toggle')`)).toBe(true);
    // Tab from the last link of the chapters goes on into the page: the chapters close, not cover it.
    await page.click('.menu-toggle');
    await page.locator('#sidebar a').last().focus();
    await page.keyboard.press('Tab');
    expect(await inPage(page, `document.activeElement.closest('main') !== null`)).toBe(true);
    expect(await page.locator('#sidebar').isVisible()).toBe(false);
    expect(await page.getAttribute('.menu-toggle', 'aria-expanded')).toBe('false');
    await context.close();
  }, 30_000);

  it('shows the contents of a page at every width: beside the text when there is room, folded under the title when not', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const width of [1400, 1280, 1024, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(fileUrl('05-zones.html'));
      const side = page.locator('nav.toc');
      const folded = page.locator('details.toc-inline');
      // Exactly one of the two is shown, so a screen reader meets the contents once.
      expect(await side.isVisible(), `${width}px: the contents beside the text`).toBe(width > 1280);
      expect(await folded.isVisible(), `${width}px: the contents under the title`).toBe(width <= 1280);
      if (width <= 1280) {
        // Under the title, before the first paragraph: reachable without scrolling.
        const box = (await folded.boundingBox())!;
        expect(box.y + box.height, `${width}px`).toBeLessThan(800);
        expect(await page.locator('details.toc-inline a').first().isVisible()).toBe(false);
        await page.locator('details.toc-inline summary').focus();
        await page.keyboard.press('Enter');
        expect(await folded.getAttribute('open'), `${width}px: Enter opens the contents`).not.toBeNull();
        const link = page.locator('details.toc-inline a[href="#large-blocks-pages-of-their-own"]');
        expect(await link.isVisible()).toBe(true);
        await page.screenshot({ path: join(SCREENSHOTS, `contents-${width}.png`) });
        await link.click();
        expect(new URL(page.url()).hash).toBe('#large-blocks-pages-of-their-own');
        const heading = (await page.locator('#large-blocks-pages-of-their-own').boundingBox())!;
        expect(heading.y, `${width}px: the link reaches its heading`).toBeLessThan(800);
        expect(heading.y).toBeGreaterThanOrEqual(0);
      }
      await context.close();
    }
  }, 30_000);

  it('marks the last section in the contents once the reader reaches it, though it never reaches the top', async () => {
    const { page, close } = await open(fileUrl('01-bump.html'));
    const active = () => inPage<string | null>(page, `document.querySelector('nav.toc a.active')?.getAttribute('href') ?? null`);
    const links = await page.locator('nav.toc a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    const last = links.at(-1)!;
    await page.locator(`nav.toc a[href="${last}"]`).click();
    await expect.poll(active).toBe(last);
    // Scrolled to the end without a link: the last section in sight.
    await page.goto(fileUrl('02-free-list.html'));
    await inPage(page, 'window.scrollTo(0, document.documentElement.scrollHeight)');
    await expect.poll(active).toBe(await page.locator('nav.toc a').last().getAttribute('href'));
    await close();
  }, 30_000);

  it('searches for sections with every word first, and forgives a typo only in a long word', async () => {
    const { page, errors, close, search, closeSearch } = await openSearchBook(
      'search-book',
      `# A\n\n## Double frees\n\nA double free is caught.\n\n## Free lists\n\nA free block, free again, free for good.\n\n## Maps\n\nmmap maps pages.\n\n## Magazines\n\nA magazine per thread.\n\n## Giving back\n\nOur \`block_meta\` asks for \`madvise(MADV_DONTNEED)\` on 2 * 16 **bytes**.\n\n## Faults\n\nA segmentation fault names its address.\n\n## Defaults\n\nThe default options, and \`MallocScribble\`.\n\n## Stripes\n\n${'Words that come first. '.repeat(12)}A zebra has stripes.\n`,
    );
    // A word as typed finds its sections before a typo is forgiven; a reader's word for the book's.
    expect(await search('segfault')).toEqual(['Faults']);
    expect(await search('default')).toEqual(['Defaults']);
    // Each part of a word written in camel case is found.
    expect(await search('scribble')).toEqual(['Defaults']);
    // A match far from the section's start is shown where it is.
    expect(await search('zebra')).toEqual(['Stripes']);
    expect(await page.locator('.search-results .result-excerpt').first().textContent()).toMatch(/^… [a-z].{40,80} A zebra has stripes\.$/);
    expect(await search('double free')).toEqual(['Double frees']);
    expect(await search('free block')).toEqual(['Free lists']);
    // No section has both words: any word will do.
    expect((await search('double maps')).sort()).toEqual(['Double frees', 'Maps']);
    expect(await search('vmmap')).toEqual([]);
    expect(await search('magzines')).toEqual(['Magazines']);
    expect(await page.locator('.search-status').textContent()).toBe('1 section');
    // Words are indexed and quoted as the page shows them: code keeps its underscores and stars.
    expect(await search('dontneed')).toEqual(['Giving back']);
    await page.keyboard.press('/');
    await page.fill('#search-input', 'block_meta');
    expect(await page.locator('.search-results .result-excerpt').first().textContent()).toBe('Our block_meta asks for madvise(MADV_DONTNEED) on 2 * 16 bytes.');
    await closeSearch();
    // One Escape closes the search, words typed or not (a search field's own Escape only empties it).
    await page.keyboard.press('/');
    await page.keyboard.type('maps');
    await closeSearch();
    expect(await page.locator('dialog.search').isVisible()).toBe(false);
    // A click beside the dialog, on the dimmed page, closes it, as a click inside does not.
    await page.keyboard.press('/');
    await page.click('.search-status');
    expect(await page.locator('dialog.search').isVisible()).toBe(true);
    await page.mouse.click(5, 700);
    expect(await page.locator('dialog.search').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('ranks the sections with the words of a search in a row above those with the words apart', async () => {
    // The first section has both words in its title, which counts three times: it scores highest.
    const { errors, close, search } = await openSearchBook(
      'phrase-book',
      '# A\n\n## Double the free lists\n\nTwo lists, one to double in size, one free of blocks.\n\n## Caught\n\nA double free is caught by the check of the header, which the first free left behind.\n\n## Once more\n\nThe same block freed again, a double-free.\n',
    );
    const hits = await search('double free');
    expect(hits.slice(0, 2).sort(), 'the phrase first, even written with a hyphen').toEqual(['Caught', 'Once more']);
    expect(hits[2]).toBe('Double the free lists');
    // Its last word is a prefix, as it is for the words: "double fre" is typed on the way.
    expect((await search('double fre')).slice(0, 2).sort()).toEqual(['Caught', 'Once more']);
    // One word: the engine's order, unchanged.
    expect((await search('double'))[0]).toBe('Double the free lists');
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  /** The colour of the pixel at (x, y) as drawn on the screen: "r,g,b". */
  async function pixelAt(page: Page, x: number, y: number): Promise<string> {
    const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 } });
    return inPage<string>(
      page,
      `new Promise((done) => { const img = new Image(); img.onload = () => { const c = document.createElement('canvas'); c.width = c.height = 1; const g = c.getContext('2d'); g.drawImage(img, 0, 0); done([...g.getImageData(0, 0, 1, 1).data.slice(0, 3)].join(',')); }; img.src = 'data:image/png;base64,${png.toString('base64')}'; })`,
    );
  }
  /** WCAG's contrast ratio of two colours written "r,g,b" or rgb(r, g, b). */
  function contrast(a: string, b: string): number {
    const luminance = (css: string) => {
      const [r, g, bl] = css.match(/[\d.]+/g)!.slice(0, 3).map((v) => { const c = Number(v) / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    };
    const [x, y] = [luminance(a), luminance(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }

  it("draws the legend's stripe on every free block of the bar, in both themes, 3:1 or more against the bar", async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await open(fileUrl('heap.html'), { colorScheme });
      const figure = page.locator('figure.heap-view');
      await figure.locator('select.hv-allocator').selectOption('coalescing');
      await figure.locator('button[data-move="end"]').click();
      for (let i = 0; i < 400 && (await figure.locator('.hv-free').count()) === 0; i++) await figure.locator('button[data-move="back"]').click();
      const free = figure.locator('.hv-free');
      expect(await free.count(), colorScheme).toBeGreaterThan(0);
      const ground = await inPage<string>(page, `getComputedStyle(document.querySelector('.hv-bar')).backgroundColor`);
      const stripe = await inPage<string>(page, `getComputedStyle(document.querySelector('.hv-key-free')).boxShadow`);
      for (let i = 0; i < (await free.count()); i++) {
        await free.nth(i).scrollIntoViewIfNeeded();
        const box = (await free.nth(i).boundingBox())!;
        // The block's bottom row, under its header and under its body: the stripe's colour, not the fill's.
        for (const x of [box.x + 1, box.x + box.width / 2]) {
          const drawn = await pixelAt(page, Math.floor(x), Math.floor(box.y + box.height - 2));
          expect(stripe.replace(/\s/g, ''), `${colorScheme}: block ${i + 1}`).toContain(`rgb(${drawn})`);
          expect(contrast(drawn, ground), `${colorScheme}: block ${i + 1}`).toBeGreaterThanOrEqual(3);
        }
      }
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);

  it('fits each chart to the column of a phone: nothing cut, nothing to scroll, no letter under 9px', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    for (const name of ['03-coalescing.html', '04-realloc.html', '05-zones.html', '06-magazines.html', '08-real-programs.html']) {
      await page.goto(fileUrl(name));
      const scrollers = page.locator('.chart-scroll');
      expect(await scrollers.count(), name).toBeGreaterThan(0);
      for (let i = 0; i < (await scrollers.count()); i++) {
        const fit = await scrollers.nth(i).evaluate((e) => {
          const el = e as unknown as { scrollWidth: number; clientWidth: number; querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { left: number; right: number } }> };
          const svgs = Array.from(el.querySelectorAll('svg.chart'));
          return { scrolls: el.scrollWidth > el.clientWidth, left: Math.min(...svgs.map((s) => s.getBoundingClientRect().left)), right: Math.max(...svgs.map((s) => s.getBoundingClientRect().right)) };
        });
        expect(fit.scrolls, `${name}: chart ${i + 1} scrolls`).toBe(false);
        expect(fit.left, `${name}: chart ${i + 1}`).toBeGreaterThanOrEqual(0);
        expect(fit.right, `${name}: chart ${i + 1}`).toBeLessThanOrEqual(390);
      }
      const smallest = await inPage<number>(
        page,
        `Math.min(...[...document.querySelectorAll('.chart-scroll svg text')].filter((t) => t.getClientRects().length > 0).map((t) => {
          const svg = t.closest('svg');
          return parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        }))`,
      );
      expect(smallest, name).toBeGreaterThanOrEqual(9);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.goto(fileUrl('03-coalescing.html'));
    await page.locator('.chart-figure').first().screenshot({ path: join(SCREENSHOTS, 'chart-390.png') });
    await context.close();
  }, 60_000);

  it('hides the buttons only scripts work when scripts are off, and lists the chapters on a phone instead', async () => {
    for (const javaScriptEnabled of [false, true]) {
      for (const width of [390, 1280]) {
        const context = await browser.newContext({ javaScriptEnabled, viewport: { width, height: 844 } });
        const page = await context.newPage();
        await page.goto(fileUrl('03-coalescing.html'));
        const what = `${javaScriptEnabled ? 'scripts' : 'no scripts'}, ${width}px`;
        for (const button of ['.menu-toggle', '.search-open', '.theme-toggle']) {
          expect(await page.locator(button).isVisible(), `${what}: ${button}`).toBe(javaScriptEnabled && (button !== '.menu-toggle' || width === 390));
        }
        // The chapters: in the sidebar on a wide screen; on a phone behind the menu, or without it after the text.
        const chapters = page.locator('#sidebar a[href="04-realloc.html"]');
        expect(await chapters.isVisible(), what).toBe(width === 1280 || !javaScriptEnabled);
        if (!javaScriptEnabled && width === 390) {
          const [text, list] = [(await page.locator('main').boundingBox())!, (await page.locator('#sidebar').boundingBox())!];
          expect(list.y, 'after the text').toBeGreaterThanOrEqual(text.y + text.height);
          expect(list.x + list.width).toBeLessThanOrEqual(390);
        }
        await context.close();
      }
    }
  }, 60_000);

  it("shows one heap block's tip at a time: the block pointed at, not also the block focused", async () => {
    const { page, errors, close } = await open(fileUrl('heap.html'));
    const blocks = page.locator('figure.heap-view .hv-block');
    expect(await blocks.count()).toBeGreaterThan(2);
    await blocks.nth(0).focus();
    expect(await page.locator('.hv-tip:visible').count()).toBe(1);
    await blocks.nth(2).hover();
    expect(await page.locator('.hv-tip:visible').count()).toBe(1);
    expect(await blocks.nth(2).locator('.hv-tip').isVisible()).toBe(true);
    // The pointer gone, the focused block's tip is back.
    await page.mouse.move(1, 1);
    expect(await blocks.nth(0).locator('.hv-tip').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('goes to the first result of a search with Enter, loading its page once', async () => {
    const { page, errors, close } = await open(fileUrl('00-the-process.html'));
    const loads: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) loads.push(request.url());
    });
    await page.keyboard.press('/');
    await page.keyboard.type('coalescing');
    await page.locator('.search-results a').first().waitFor();
    const href = await page.locator('.search-results a').first().evaluate((a) => (a as unknown as { href: string }).href);
    await page.keyboard.press('Enter');
    await page.waitForURL(href);
    await page.waitForLoadState('load');
    expect(loads).toEqual([href.replace(/#.*/, '')]);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it("marks First and Back at the first step, Next and Last at the last, as nothing to do, and keeps the button's focus", async () => {
    const { page, errors, close } = await open(fileUrl('heap.html'));
    const figure = page.locator('figure.heap-view');
    const disabled = () => inPage<string[]>(page, `[...document.querySelectorAll('figure.heap-view .hv-buttons button')].map((b) => b.dataset.move + ':' + b.getAttribute('aria-disabled'))`);
    const looks = (move: string) => inPage<string>(page, `(() => { const s = getComputedStyle(document.querySelector('figure.heap-view button[data-move="${move}"]')); return s.borderTopStyle + ' ' + s.color; })()`);
    await figure.locator('button[data-move="start"]').click();
    expect(await disabled()).toEqual(['start:true', 'back:true', 'forward:false', 'end:false']);
    expect(await inPage(page, `document.activeElement.dataset.move`)).toBe('start');
    expect(await looks('start')).not.toBe(await looks('end'));
    await figure.locator('button[data-move="forward"]').click();
    expect(await disabled()).toEqual(['start:false', 'back:false', 'forward:false', 'end:false']);
    await figure.locator('button[data-move="end"]').click();
    expect(await disabled()).toEqual(['start:false', 'back:false', 'forward:true', 'end:true']);
    expect(await inPage(page, `document.activeElement.dataset.move`)).toBe('end');
    expect(await looks('end')).not.toBe(await looks('start'));
    // Pressed again, it stays where it is, the focus on it.
    await page.keyboard.press('Enter');
    expect(await inPage(page, `document.activeElement.dataset.move`)).toBe('end');
    expect(await figure.getAttribute('data-done')).toBe('true');
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('finds a word in any of its forms: coalesce, coalesced and coalescing find the same sections', async () => {
    const { errors, close, search } = await openSearchBook(
      'stem-book',
      '# A\n\n## Joining\n\nTwo free neighbours are coalesced into one.\n\n## Merging\n\nThe allocator can coalesce blocks.\n\n## Boundary tags\n\nCoalescing needs the footer.\n\n## Elsewhere\n\nNothing of the kind.\n',
    );
    const all = ['Boundary tags', 'Joining', 'Merging'];
    expect((await search('coalesce')).sort()).toEqual(all);
    expect((await search('coalescing')).sort()).toEqual(all);
    expect((await search('coalesced')).sort()).toEqual(all);
    expect(errors).toEqual([]);
    await close();
  }, 30_000);

  it('prints the whole book without the site around it', async () => {
    const { page, close } = await open(fileUrl('print.html'));
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-note').isVisible()).toBe(false);
    // The views print as their pictures, without buttons that paper cannot press.
    expect(await page.locator('.heap-view .hv-bar').first().isVisible()).toBe(true);
    expect(await page.locator('.hv-controls').first().isVisible()).toBe(false);
    // Nor folded lists that paper cannot open.
    for (const folded of ['details.hint', 'details.zv-blocks', 'details.chart-numbers']) expect(await page.locator(folded).first().isVisible(), folded).toBe(false);
    // The reference code open under its title, without a summary to click.
    expect(await page.locator('details.answer pre').first().isVisible()).toBe(true);
    expect(await page.locator('details.answer > summary').first().isVisible()).toBe(false);
    expect(await page.locator('section.print-chapter').count()).toBe(pages.filter((p) => /^\d\d-/.test(p)).length);
    // Each view made live once: its pickers list every allocator and trace once.
    for (const options of await inPage<string[][]>(page, `[...document.querySelectorAll('.hv-controls select')].map((s) => [...s.options].map((o) => o.value))`)) {
      expect(new Set(options).size).toBe(options.length);
    }
    // The chapters' labels carry their numbers: the list adds none of its own ("1. 0. The process").
    expect(await page.locator('.print-contents a').first().textContent()).toMatch(/^0\. /);
    expect(await inPage(page, `getComputedStyle(document.querySelector('.print-contents li')).listStyleType`)).toBe('none');
    await page.click('.print-contents a >> nth=1');
    expect(new URL(page.url()).pathname.endsWith('print.html')).toBe(true);
    await close();
  }, 30_000);

  it('prints dark text on white paper whatever the theme on screen', async () => {
    const { page, close } = await open(fileUrl('03-coalescing.html'), { colorScheme: 'dark' });
    const colours = `({ text: getComputedStyle(document.body).color, keyword: getComputedStyle(document.querySelector('.token.keyword')).color, chart: getComputedStyle(document.querySelector('.chart text')).fill })`;
    const light = { text: 'rgb(0, 0, 0)', keyword: 'rgb(207, 34, 46)', chart: 'rgb(0, 0, 0)' };
    expect((await inPage<{ text: string }>(page, colours)).text).toBe('rgb(230, 237, 243)');
    await page.emulateMedia({ media: 'print' });
    expect(await inPage(page, colours), 'the system in dark mode').toEqual(light);
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await inPage(page, `document.documentElement.setAttribute('data-theme', 'dark')`);
    expect(await inPage(page, colours), 'the dark theme chosen with the button').toEqual(light);
    await close();
  }, 30_000);
});

