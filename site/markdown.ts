// One chapter's Markdown to HTML: markdown-it with anchors, containers for tips and warnings,
// the book's markers resolved (included code is read from its file, never copied), exercise
// boxes, code blocks with a title and a copy button, and every link recorded for checking.

import MarkdownIt, { type PluginWithParams } from 'markdown-it';
import anchor from 'markdown-it-anchor';
import container from 'markdown-it-container';
import type Token from 'markdown-it/lib/token.mjs';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import { posix } from 'node:path';
import { FOLD_CLOSE, findMarkers, isAnswer, resolveInclude, type Marker } from '../workbook/chapter-markers.ts';
import { DEBUG_VIEW_MARKERS } from './debug-view/names.ts';
import { escapeHtml, highlight, parseLineRanges, prismLanguage, splitHighlightedLines } from './highlight.ts';

export interface Heading {
  level: number;
  id: string;
  /** Plain text, for the contents list and search. */
  text: string;
  /** The heading's inner HTML (code spans kept). */
  html: string;
}

/** A link found in a page's source, checked once every page is rendered. */
export interface SourceLink {
  /** The href as rewritten for the site: `02-free-list.html#free`, `#place`. */
  href: string;
  /** Where it was written: `chapters/01-bump.md:42`. */
  where: string;
}

/** A heading's stretch of text, one document of the search index. */
export interface Section {
  id: string;
  title: string;
  text: string;
  /** The text without its code blocks: what a search result quotes. */
  prose?: string;
}

export interface ChartEmbed {
  name: string;
  where: string;
}

export interface HeapViewEmbed {
  allocator: string;
  trace: string;
  where: string;
  /** The step it opens at (`… at 7`), where the text points; else the busiest. */
  step?: number;
}

/** `<!-- zone-view: zones traces/short.rep -->`: the same two names as a heap view. */
export type ZoneViewEmbed = Omit<HeapViewEmbed, 'step'>;

/** `<!-- debug-view: scribble -->`: one of chapter 7's pictures of memory, by name. */
export interface DebugViewEmbed {
  name: string;
  where: string;
}

/** What rendering a page needs and collects: passed to markdown-it as its `env`. */
export interface RenderEnv {
  /** The source file, relative to the repository: `chapters/01-bump.md`. */
  file: string;
  /** Hints of an exercise by its id (`bump`), folded under its box. */
  hintsFor?: (id: string) => string[];
  /** A link to a page that is not part of the site: an error (chapters) or plain text (README). */
  strictLinks: boolean;
  /** Page names of the site, by source file in the repository: `chapters/01-bump.md` → `01-bump.html`. */
  pages: Map<string, string>;
  markers: Marker[];
  headings: Heading[];
  links: SourceLink[];
  sections: Section[];
  heapViews: HeapViewEmbed[];
  zoneViews: ZoneViewEmbed[];
  debugViews: DebugViewEmbed[];
  charts: ChartEmbed[];
  errors: string[];
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-');
}

const BOXES: Record<string, { label: string; className: string }> = {
  'Exercise:': { label: 'Exercise', className: 'exercise' },
  'Tip:': { label: 'Tip', className: 'tip' },
  'Try it:': { label: 'Try it', className: 'tip' },
  'Note:': { label: 'Note', className: 'note' },
  'Warning:': { label: 'Warning', className: 'warning' },
};

const MARKER = /^<!--\s*(include|output|heap-view|zone-view|debug-view|chart):\s*(.+?)\s*-->\s*$/;
/** A comment that starts like a view's marker: if MARKER does not take it, it is malformed, not a comment. */
const VIEW_MARKER_START = /^<!--\s*(zone-view|debug-view)\b/;
/** How each view's marker is written, for the message about one that is not. */
const VIEW_MARKER_EXAMPLE: Record<string, string> = {
  'zone-view': 'a zone view is written <!-- zone-view: zones traces/short.rep --> on a line of its own',
  'debug-view': 'a debug view is written <!-- debug-view: scribble --> on a line of its own',
};

export function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  md.use(anchor, {
    level: [1, 2, 3],
    slugify,
    tabIndex: false,
    permalink: anchor.permalink.linkAfterHeader({
      style: 'visually-hidden',
      assistiveText: (title: string) => `Link to the section “${title}”`,
      visuallyHiddenClass: 'visually-hidden',
      symbol: '#',
      class: 'heading-anchor',
      wrapper: ['<div class="heading">', '</div>'],
    }),
  });
  for (const kind of ['tip', 'note', 'warning']) {
    // The container's own types see markdown-it's CommonJS declarations; the plugin is the same.
    md.use(container as unknown as PluginWithParams, kind, {
      render: (tokens: Token[], idx: number) =>
        tokens[idx].nesting === 1 ? `<aside class="box ${kind}" role="note" aria-label="${kind[0].toUpperCase()}${kind.slice(1)}"><p class="box-title">${kind[0].toUpperCase()}${kind.slice(1)}</p>\n` : '</aside>\n',
    });
  }
  md.core.ruler.push('workbook', (state) => workbookRule(state, md));
  md.core.ruler.push('row-headers', (state) => rowHeaders(state.tokens));
  md.core.ruler.push('units', (state) => unitsStayPut(state.tokens));

  md.renderer.rules.fence = (tokens, idx) => renderFence(tokens[idx]);
  md.renderer.rules.blockquote_open = (tokens, idx, options, env, self) => {
    const box = tokens[idx].meta?.box as BoxMeta | undefined;
    if (box === undefined) return self.renderToken(tokens, idx, options);
    const file = box.file === undefined ? '' : ` <code class="box-file">${escapeHtml(box.file)}</code>`;
    return `<aside class="box ${box.className}" role="note" aria-label="${box.label}"><p class="box-title">${box.label}${file}</p>\n`;
  };
  md.renderer.rules.blockquote_close = (tokens, idx, options, env: RenderEnv, self) => {
    const box = tokens[idx].meta?.box as BoxMeta | undefined;
    if (box === undefined) return self.renderToken(tokens, idx, options);
    let footer = '';
    if (box.command !== undefined) {
      footer += `<div class="box-run"><span class="box-run-label">Run</span><pre class="command"><code>${escapeHtml(box.command)}</code></pre>${copyButton()}</div>\n`;
    }
    const hints = box.hintId === undefined ? [] : (env.hintsFor?.(box.hintId) ?? []);
    hints.forEach((hint, i) => {
      footer += `<details class="hint"><summary>Hint ${i + 1} of ${hints.length}</summary>\n${md.render(hint, { ...env, strictLinks: false, links: [], headings: [], sections: [], heapViews: [], zoneViews: [], debugViews: [], charts: [] })}</details>\n`;
    });
    return `${footer}</aside>\n`;
  };
  // A wide table scrolls sideways (site.css), so it must be reachable from the keyboard.
  md.renderer.rules.table_open = () => '<table tabindex="0">\n';
  // A header cell with nothing in it (the corner of a table with row headings) is not a header.
  md.renderer.rules.th_open = (tokens, idx, options, env, self) => (isEmptyCell(tokens, idx + 1) ? '<td>' : self.renderToken(tokens, idx, options));
  md.renderer.rules.th_close = (tokens, idx, options, env, self) => (isEmptyCell(tokens, idx - 1) ? '</td>\n' : self.renderToken(tokens, idx, options));
  md.renderer.rules.html_block = (tokens, idx) => (tokens[idx].meta?.marker === true ? (tokens[idx].meta.html ?? '') : tokens[idx].content);
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    if (tokens[idx].meta?.unlinked === true) return '<span class="unlinked">';
    return self.renderToken(tokens, idx, options);
  };
  md.renderer.rules.link_close = (tokens, idx, options, env, self) => {
    if (tokens[idx].meta?.unlinked === true) return '</span>';
    return self.renderToken(tokens, idx, options);
  };
  return md;
}

function isEmptyCell(tokens: Token[], inline: number): boolean {
  return tokens[inline]?.type === 'inline' && tokens[inline].content.trim() === '';
}

/** A table with an empty corner compares things row by row: each row's first cell heads its row. */
function rowHeaders(tokens: Token[]): void {
  let corner = false;
  tokens.forEach((token, i) => {
    if (token.type === 'thead_open') corner = tokens[i + 2]?.type === 'th_open' && isEmptyCell(tokens, i + 3);
    // A body row: tr, td, its inline, td.
    if (corner && token.type === 'tr_open' && tokens[i + 1]?.type === 'td_open') {
      tokens[i + 1].tag = 'th';
      tokens[i + 1].attrSet('scope', 'row');
      tokens[i + 3].tag = 'th';
    }
  });
}

interface BoxMeta {
  label: string;
  className: string;
  file?: string;
  command?: string;
  hintId?: string;
}

interface FenceMeta {
  /** A file-name title: what an include marker names. */
  title?: string;
  caption?: string;
  /** Reference code the student is asked to write: folded until the reader opens it. */
  answer?: boolean;
}

export function copyButton(): string {
  return '<button type="button" class="copy" hidden>Copy</button>';
}

/** The columns of monospace a printed page holds at the body's size, and in site.css's small print. */
const PRINTED_COLUMNS = 80;
const SMALL_PRINTED_COLUMNS = 120;

function renderFence(token: Token): string {
  const info = token.info.trim();
  const lang = info.split(/\s+/)[0] ?? '';
  const ranges = /\{([\d,\s-]+)\}/.exec(info)?.[1];
  const meta = (token.meta ?? {}) as FenceMeta;
  const code = token.content.replace(/\n$/, '');
  let html = highlight(code, lang);
  if (ranges !== undefined) {
    const marked = parseLineRanges(ranges);
    html = splitHighlightedLines(html)
      .map((line, i) => (marked.has(i + 1) ? `<span class="line hl">${line}</span>` : `<span class="line">${line}</span>`))
      .join('\n');
  }
  const isCode = prismLanguage(lang) !== undefined;
  const langClass = isCode ? `language-${prismLanguage(lang)}` : 'language-text';
  const kind = isCode ? 'code' : meta.caption !== undefined ? 'output' : 'figure';
  // Paper cannot scroll: a table or a picture wider than a printed line is printed smaller, and
  // wrapped only if it is wider than the small print's line too.
  const columns = isCode ? 0 : Math.max(...code.split('\n').map((line) => line.length));
  const wide = columns > SMALL_PRINTED_COLUMNS ? ' wide wider' : columns > PRINTED_COLUMNS ? ' wide' : '';
  let out = `<figure class="block ${kind}${wide}">`;
  if (meta.title !== undefined) out += `<figcaption class="block-title"><span class="file">${escapeHtml(meta.title)}</span></figcaption>`;
  else if (meta.caption !== undefined) out += `<figcaption class="block-title">${meta.caption}</figcaption>`;
  out += `<div class="block-body">`;
  if (isCode) out += copyButton();
  // A scrollable region must be reachable from the keyboard.
  out += `<pre class="${langClass}" tabindex="0"><code class="${langClass}">${html}</code></pre></div></figure>\n`;
  if (meta.answer === true) {
    out = `<details class="answer"><summary><span class="file">${escapeHtml(meta.title ?? '')}</span> <span class="answer-note">the reference for an exercise of this chapter: try it first, then open</span><span class="answer-shown">hide the reference</span></summary>\n${out}</details>\n`;
  }
  return out;
}

function workbookRule(state: StateCore, md: MarkdownIt): void {
  const env = state.env as RenderEnv;
  const tokens = state.tokens;
  let section: Section | undefined;
  const flush = () => {
    if (section !== undefined) env.sections.push({ ...section, text: section.text.replace(/\s+/g, ' ').trim(), prose: section.prose?.replace(/\s+/g, ' ').trim() });
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const line = (token.map?.[0] ?? 0) + 1;
    const where = `${env.file}:${line}`;

    if (token.type === 'html_block') markerToken(tokens, i, env, where);

    if (token.type === 'heading_open') {
      const inline = tokens[i + 1];
      const id = token.attrGet('id') ?? '';
      const level = Number(token.tag.slice(1));
      const text = (inline.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join('');
      const html = md.renderer.renderInline(inline.children ?? [], md.options, env);
      env.headings.push({ level, id, text, html });
      if (level <= 3) {
        flush();
        section = { id, title: text, text: '', prose: '' };
      }
      i++;
      continue;
    }

    if (token.type === 'blockquote_open') boxToken(tokens, i, env);

    if (token.type === 'inline') {
      if (section !== undefined) {
        const words = plainText(token.children ?? []);
        section.text += ' ' + words;
        section.prose += ' ' + words;
      }
      const children = token.children ?? [];
      let unlinked = false;
      for (const child of children) {
        if (child.type === 'link_open') {
          linkToken(child, env, where);
          unlinked = child.meta?.unlinked === true;
        } else if (child.type === 'link_close' && unlinked) {
          child.meta = { unlinked: true }; // the span closes, not an <a> that was never opened
          unlinked = false;
        }
      }
    } else if (token.type === 'fence' && section !== undefined) {
      section.text += ' ' + token.content;
    }
  }
  flush();
}

/** An inline's words as a reader sees them: its markup gone, its code kept whole (`block_meta`, `2 * size`). */
function plainText(children: Token[]): string {
  return children.map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' || c.type === 'hardbreak' ? ' ' : '')).join('');
}

/** In a table's narrow columns a number keeps its unit on its line: `0.691 s`, `8 KiB`, not `0.691` above `s`. */
function unitsStayPut(tokens: Token[]): void {
  let inCell = false;
  for (const token of tokens) {
    if (token.type === 'td_open' || token.type === 'th_open') inCell = true;
    else if (token.type === 'td_close' || token.type === 'th_close') inCell = false;
    else if (inCell && token.type === 'inline') {
      for (const child of token.children ?? []) {
        if (child.type === 'text') child.content = child.content.replace(/(\d) (?=(?:[KMGT]i?B|bytes?|[mµn]?s|pages?)(?!\w))/g, '$1\u00a0');
      }
    }
  }
}

/** The book's markers: an include's code is read from its file now, not taken from the chapter. */
function markerToken(tokens: Token[], i: number, env: RenderEnv, where: string): void {
  const token = tokens[i];
  const match = MARKER.exec(token.content.trim());
  if (match === null) {
    const view = VIEW_MARKER_START.exec(token.content.trim())?.[1];
    if (view !== undefined) {
      token.meta = { marker: true, html: '' };
      env.errors.push(`${where}: ${VIEW_MARKER_EXAMPLE[view]}`);
    }
    return;
  }
  token.meta = { marker: true, html: '' };
  const line = (token.map?.[0] ?? 0) + 1;
  const kind = match[1];
  if (kind === 'heap-view') {
    const [allocator, trace, ...rest] = match[2].split(/\s+/);
    const at = rest.length === 0 ? undefined : rest.length === 2 && rest[0] === 'at' && /^\d+$/.test(rest[1]) ? Number(rest[1]) : NaN;
    if (allocator === undefined || trace === undefined || Number.isNaN(at)) {
      env.errors.push(`${where}: a heap view names an allocator and a trace, and may name the step it opens at: <!-- heap-view: coalescing traces/short.rep at 7 -->`);
      return;
    }
    env.heapViews.push({ allocator, trace, where, step: at });
    token.meta.html = `<!--heap-view:${env.heapViews.length - 1}-->`;
    return;
  }
  if (kind === 'zone-view') {
    const [allocator, trace, ...rest] = match[2].split(/\s+/);
    if (trace === undefined || rest.length > 0) {
      env.errors.push(`${where}: a zone view names an allocator and a trace: <!-- zone-view: zones traces/short.rep -->`);
      return;
    }
    env.zoneViews.push({ allocator, trace, where });
    token.meta.html = `<!--zone-view:${env.zoneViews.length - 1}-->`;
    return;
  }
  if (kind === 'debug-view') {
    const names = match[2].trim().split(/\s+/);
    if (names.length !== 1 || names[0] === '') {
      env.errors.push(`${where}: a debug view names one picture: ${DEBUG_VIEW_MARKERS}`);
      return;
    }
    env.debugViews.push({ name: names[0], where });
    token.meta.html = `<!--debug-view:${env.debugViews.length - 1}-->`;
    return;
  }
  if (kind === 'chart') {
    env.charts.push({ name: match[2], where });
    token.meta.html = `<!--chart:${env.charts.length - 1}-->`;
    return;
  }
  const marker = env.markers.find((m) => m.line === line);
  // An answer's fold in the markdown, for GitHub and editors, gives way to the site's own.
  const folded = marker?.folded === true && tokens[i + 1]?.type === 'html_block';
  if (folded) tokens[i + 1].meta = { marker: true, html: '' };
  const fence = tokens[folded ? i + 2 : i + 1];
  const close = folded ? tokens[i + 3] : undefined;
  if (close?.type === 'html_block' && close.content.trim() === FOLD_CLOSE) close.meta = { marker: true, html: '' };
  if (marker === undefined || fence?.type !== 'fence') {
    env.errors.push(`${where}: the ${kind} of ${match[2]} must be followed by a fenced code block`);
    return;
  }
  if (kind === 'include') {
    try {
      fence.content = resolveInclude(marker.spec, where) + '\n';
    } catch (error) {
      env.errors.push((error as Error).message);
      return;
    }
    const [path, region] = marker.spec.split('#');
    fence.meta = { title: region === undefined || /^L\d/.test(region) ? path : `${path} · ${region}`, answer: isAnswer(marker.spec) } satisfies FenceMeta;
  } else {
    fence.meta = { caption: `printed by <code>${escapeHtml(marker.spec)}</code>` } satisfies FenceMeta;
  }
}

/** `> **Exercise:** …` (and Tip, Note, Warning) becomes a box with its file and command. */
function boxToken(tokens: Token[], i: number, env: RenderEnv): void {
  const inline = tokens[i + 2];
  if (tokens[i + 1]?.type !== 'paragraph_open' || inline?.type !== 'inline') return;
  const children = inline.children ?? [];
  while (children[0]?.type === 'text' && children[0].content === '') children.shift();
  if (children[0]?.type !== 'strong_open' || children[2]?.type !== 'strong_close') return;
  const kind = BOXES[children[1].content.trim()];
  if (kind === undefined) return;
  const meta: BoxMeta = { ...kind };
  if (kind.className === 'exercise') {
    meta.file = /`((?:exercises|solutions|machine)\/[^`\s]+)`/.exec(inline.content)?.[1];
    const command = /`(npm run check -- [^`]+)`/.exec(inline.content)?.[1];
    if (command !== undefined) meta.command = command;
    // The hints of the exercise the box names, by its hint command or else its check command.
    meta.hintId = (/`npm run hint -- ([^`\s]+)`/.exec(inline.content) ?? /`npm run check -- ([^`\s]+)`/.exec(inline.content))?.[1];
  }
  // Drop the bold label (the box shows it) and capitalize what follows.
  children.splice(0, 3);
  const first = children[0];
  if (first?.type === 'text') {
    first.content = first.content.replace(/^\s+/, '');
    first.content = first.content.charAt(0).toUpperCase() + first.content.slice(1);
  }
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (tokens[j].type === 'blockquote_open') depth++;
    if (tokens[j].type === 'blockquote_close' && --depth === 0) {
      tokens[j].meta = { box: meta };
      break;
    }
  }
  tokens[i].meta = { box: meta };
  void env;
}

/**
 * Links to chapters become links to their pages; every relative link is recorded for the check.
 * A link to another file of the repository is an error in a chapter and plain text in the README.
 */
function linkToken(link: Token, env: RenderEnv, where: string): void {
  const href = link.attrGet('href') ?? '';
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return; // another site: not ours to check
  const hash = href.indexOf('#');
  const path = hash === -1 ? href : href.slice(0, hash);
  const fragment = hash === -1 ? '' : href.slice(hash);
  if (path === '') {
    env.links.push({ href, where });
    return;
  }
  // The file the link names, from the folder of the page's source (as on the repository host):
  // README.md's `traces/README.md` is not README.md, and is not a page.
  const page = env.pages.get(posix.normalize(posix.join(posix.dirname(env.file), path)));
  if (page === undefined) {
    if (env.strictLinks) env.errors.push(`${where}: the link to ${href} points at no page of the site (link to a chapter, chapters/NN-name.md, or a heading in one)`);
    else link.meta = { unlinked: true };
    return;
  }
  link.attrSet('href', page + fragment);
  env.links.push({ href: page + fragment, where });
}

export function newEnv(file: string, markdown: string, pages: Map<string, string>, extra: Partial<RenderEnv> = {}): RenderEnv {
  return {
    file,
    strictLinks: true,
    pages,
    markers: findMarkers(markdown),
    headings: [],
    links: [],
    sections: [],
    heapViews: [],
    zoneViews: [],
    debugViews: [],
    charts: [],
    errors: [],
    ...extra,
  };
}
