// Syntax highlighting at build time, so a page needs no script to show coloured code.

import { createRequire } from 'node:module';
import type PrismType from 'prismjs';

const require = createRequire(import.meta.url);
const Prism = require('prismjs') as typeof PrismType;
const loadLanguages = require('prismjs/components/index.js') as (languages: string[]) => void;
(loadLanguages as unknown as { silent: boolean }).silent = true;
loadLanguages(['typescript', 'c', 'bash', 'diff']);

/** The fence languages the book uses, by the name Prism knows them. */
const LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  c: 'c',
  h: 'c',
  sh: 'bash',
  bash: 'bash',
  shell: 'bash',
  console: 'bash',
  diff: 'diff',
};

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The Prism name of a fence language, or undefined for plain text (figures, output). */
export function prismLanguage(lang: string): string | undefined {
  return LANGUAGES[lang.toLowerCase()];
}

/** `code` as HTML with Prism's token spans, or escaped as it is when the language is plain text. */
export function highlight(code: string, lang: string): string {
  const name = prismLanguage(lang);
  if (name === undefined) return escapeHtml(code);
  const html = Prism.highlight(code, Prism.languages[name], name);
  // Prism takes `test` and `run` after npm for the shell's builtins; after npm and npx they are scripts.
  return name === 'bash' ? html.replace(/(>np[mx]<\/span> )<span class="token builtin class-name">([^<]*)<\/span>/g, '$1$2') : html;
}

/**
 * Splits highlighted HTML into lines, closing the spans still open at each line's end and
 * opening them again on the next, so every line is well-formed HTML on its own.
 */
export function splitHighlightedLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  const tag = /<\/?span[^>]*>|\n/g;
  let last = 0;
  for (let match = tag.exec(html); match !== null; match = tag.exec(html)) {
    current += html.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else if (match[0].startsWith('</')) {
      open.pop();
      current += match[0];
    } else {
      open.push(match[0]);
      current += match[0];
    }
  }
  lines.push(current + html.slice(last));
  return lines;
}

/** The 1-based line numbers of a `{1,3-5}` range list. */
export function parseLineRanges(spec: string): Set<number> {
  const lines = new Set<number>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to] = part.split('-').map(Number);
    for (let n = from; n <= (to ?? from); n++) lines.add(n);
  }
  return lines;
}
