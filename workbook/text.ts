// Small helpers for the text the tools print.

/** The most of a test's message the tools keep: a student's error may be megabytes long. */
export const MESSAGE_LIMIT = 10_000;

/** `text` cut to `limit` characters, saying how many more there were. */
export function shortened(text: string, limit = MESSAGE_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}\n… (${text.length - limit} more characters)`;
}

/** Every line of `text` moved right by `spaces` (empty lines stay empty). */
export function indent(text: string, spaces = 2): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(spaces) + line))
    .join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** `text` without terminal colour codes: what a person sees. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A code span within one paragraph: a run of backticks, the code, the same run again. */
const CODE_SPAN = /(`+)(?!`)((?:(?!\n[ \t]*\n)[^])+?)(?<!`)\1(?!`)/g;

/**
 * Markdown with each plain paragraph wrapped again to `width` columns, never inside a code
 * span: a span the source broke across lines is one line in the terminal, and the line it
 * joins would otherwise run on to 200 columns. Fenced code, lists, quotes, headings and
 * tables keep their lines.
 */
export function reflowParagraphs(text: string, width = 96): string {
  // A list item, quote, heading or table row, told by its first line: a later line may begin with `*word*` or `16.`.
  const KEEP = /^\s*(?:[-*+>]\s|\d+\.\s|#{1,6}\s|\|)/;
  const out: string[] = [];
  let paragraph: string[] = [];
  let fenced = false;
  const flush = () => {
    if (paragraph.length === 0) return;
    const joined = paragraph.join('\n');
    out.push(KEEP.test(joined) ? joined : wrapWords(joined, width));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    const fence = /^\s*```/.test(line);
    if (fenced || fence || line.trim() === '') {
      flush();
      out.push(line);
      if (fence) fenced = !fenced;
    } else paragraph.push(line);
  }
  flush();
  return out.join('\n');
}

/** One paragraph's words, a code span counting as one word, laid out greedily in lines of `width`. */
function wrapWords(paragraph: string, width: number): string {
  const GLUE = '\u0000'; // a space inside a code span, kept from splitting it
  const glued = paragraph.replace(CODE_SPAN, (span) => span.replace(/\s+/g, GLUE));
  const lines: string[] = [];
  let line = '';
  for (const word of glued.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n').replaceAll(GLUE, ' ');
}

/**
 * A hint's markdown as a terminal shows it: a code span's backticks (`x`, or ``x`` around
 * code that holds one) give way to colour, so `new HeapCorruption(`…`)` reads as the code it is.
 * A span may run on to the next line of its paragraph, as markdown allows. Fenced blocks are
 * left as they are: their lines are code already.
 */
export function terminalMarkdown(text: string, code: (s: string) => string): string {
  const chunks: { fenced: boolean; lines: string[] }[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    const fence = /^\s*```/.test(line);
    if (fence) fenced = !fenced;
    const inFence = fenced || fence;
    const last = chunks.at(-1);
    if (last !== undefined && last.fenced === inFence) last.lines.push(line);
    else chunks.push({ fenced: inFence, lines: [line] });
  }
  const span = (_: string, _ticks: string, inner: string) => {
    const shown = inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner;
    // A span the source wrapped is one line here, as markdown reads it: a command must copy whole.
    return code(shown.replace(/[ \t]*\n[ \t]*/g, ' '));
  };
  // Within a paragraph: a span never crosses a blank line.
  return chunks.map(({ fenced: isCode, lines }) => (isCode ? lines.join('\n') : lines.join('\n').replace(CODE_SPAN, span))).join('\n');
}

/** Of `names`, the one `typed` most likely meant (a typo of an edit per three letters, two at most), if any. */
export function nearestName(typed: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  // Further is a different word: 'nope' is two edits from 'zone', and not a typo of it.
  let bestDistance = Math.min(2, Math.max(1, Math.floor(typed.length / 3))) + 1;
  for (const name of names) {
    const distance = editDistance(typed, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/**
 * The fewest insertions, deletions, substitutions and swaps of two neighbouring letters from
 * a to b (Damerau's restricted distance): 'jsno' is one edit from 'json', as a typist sees it.
 */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A path with forward slashes, as the book writes paths: a Windows frame says exercises\\01-bump\\bump.ts. */
export function forwardSlashes(path: string): string {
  return path.split('\\').join('/');
}

/** A text file's bytes with \r\n read as \n, as the book ships them: git on Windows checks text out with \r\n. */
export function unixLineEnds(bytes: Buffer): Buffer {
  return bytes.includes('\r\n') ? Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') : bytes;
}

/**
 * Control characters written out (`\x1b`), so that a terminal shows them instead of obeying
 * them (a \r or an escape code would rewrite the lines above), and XML can hold them; `keep`
 * lists those left as they are, such as '\t\n'. XML's two non-characters are written out too.
 */
export function escapeControls(text: string, keep = ''): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, (c) => {
    if (keep.includes(c)) return c;
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
