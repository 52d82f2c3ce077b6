// The page around a chapter: sidebar, top bar, contents list (beside the text or under its title),
// previous/next, search dialog.
// Every URL is relative, so the site works from file:// and from any sub-path.

import { escapeHtml } from './highlight.ts';
import type { Heading } from './markdown.ts';

export interface NavEntry {
  name: string;
  label: string;
}

export interface PageOptions {
  title: string;
  current: string;
  nav: NavEntry[];
  solutionNav: NavEntry[];
  body: string;
  /** The h2 headings, for the in-page contents list. */
  headings: Heading[];
  prev?: NavEntry;
  next?: NavEntry;
  kind: 'chapter' | 'page' | 'print';
}

/**
 * Runs before the first paint: a saved theme applies at once, with no flash of the other one. It
 * also drops the html's no-js class: without scripts, the buttons only they work (the chapters'
 * menu, search, the theme) are hidden, and the chapters are listed after the text (site.css).
 */
const THEME_INIT = `(function(){var r=document.documentElement;r.classList.remove('no-js');try{var t=localStorage.getItem('workbook-theme');if(t==='dark'||t==='light')r.setAttribute('data-theme',t);}catch(e){}})();`;

export function renderPage(page: PageOptions): string {
  const head = `<!doctype html>
<html lang="en" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(page.title)}</title>
<script>${THEME_INIT}</script>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/site.css">
</head>`;
  if (page.kind === 'print') {
    return `${head}
<body class="print-page">
<header class="print-note no-print"><p><a href="index.html">Back to the site</a> · Print this page or save it as PDF from your browser.</p></header>
<main id="content">
${page.body}
</main>
</body>
</html>
`;
  }

  const navItem = (entry: NavEntry) =>
    `<li><a href="${entry.name}"${entry.name === page.current ? ' aria-current="page"' : ''}>${escapeHtml(entry.label)}</a></li>`;
  const solutions =
    page.solutionNav.length === 0 ? '' : `<p class="sidebar-heading" id="sidebar-solutions">Solutions</p>\n<ul class="chapters" aria-labelledby="sidebar-solutions">${page.solutionNav.map(navItem).join('\n')}</ul>`;
  const contentsList = page.headings.map((h) => `<li><a href="#${h.id}">${h.html}</a></li>`).join('\n');
  // Beside the text on a wide screen; under the title, folded, where there is no room beside it.
  // Only one of the two is displayed at any width, so a screen reader meets one.
  const contents =
    page.headings.length === 0 ? '' : `<nav class="toc" aria-labelledby="toc-heading"><p class="toc-heading" id="toc-heading">On this page</p><ol>${contentsList}</ol></nav>`;
  const inlineContents =
    page.headings.length === 0
      ? ''
      : `<details class="toc-inline">\n<summary>On this page</summary>\n<nav aria-label="On this page"><ol>${contentsList}</ol></nav>\n</details>\n`;
  const title = /^(<div class="heading">\n<h1[\s\S]*?<\/h1>[\s\S]*?<\/div>\n|<h1[\s\S]*?<\/h1>\n)/.exec(page.body)?.[0] ?? '';
  const body = title + inlineContents + page.body.slice(title.length);
  const pager =
    page.prev === undefined && page.next === undefined
      ? ''
      : `<nav class="pager" aria-label="Previous and next">${
          page.prev === undefined ? '<span></span>' : `<a class="prev" rel="prev" href="${page.prev.name}"><span class="pager-dir">← Previous</span><span class="pager-label">${escapeHtml(page.prev.label)}</span></a>`
        }${page.next === undefined ? '<span></span>' : `<a class="next" rel="next" href="${page.next.name}"><span class="pager-dir">Next →</span><span class="pager-label">${escapeHtml(page.next.label)}</span></a>`}</nav>`;

  return `${head}
<body class="${page.kind}">
<a class="skip-link" href="#content">Skip to the text</a>
<header class="topbar">
<button type="button" class="menu-toggle" aria-controls="sidebar" aria-expanded="false"><span aria-hidden="true">☰</span><span class="visually-hidden">Chapters</span></button>
<a class="brand" href="index.html">The malloc workbook</a>
<div class="topbar-actions">
<button type="button" class="search-open" aria-haspopup="dialog"><span aria-hidden="true">⌕</span> Search <kbd>/</kbd></button>
<button type="button" class="theme-toggle" aria-pressed="false" title="Dark theme"><span aria-hidden="true" class="theme-icon"></span><span class="visually-hidden">Dark theme</span></button>
</div>
</header>
<div class="layout">
<nav class="sidebar" id="sidebar" aria-label="Chapters">
<ul class="chapters">${page.nav.map(navItem).join('\n')}</ul>
${solutions}
<p class="sidebar-extra"><a href="print.html">The whole book on one page</a></p>
</nav>
<main id="content" tabindex="-1">
<article>
${body}
</article>
${pager}
</main>
${contents}
</div>
<dialog class="search" aria-label="Search the book">
<form method="dialog" class="search-form" role="search">
<label for="search-input" class="visually-hidden">Search the book</label>
<input id="search-input" type="search" placeholder="Search the book" autocomplete="off" spellcheck="false">
<button type="submit" class="search-close">Close</button>
</form>
<p class="search-status" role="status" aria-live="polite"></p>
<ul class="search-results"></ul>
</dialog>
<script src="assets/site.js"></script>
</body>
</html>
`;
}
