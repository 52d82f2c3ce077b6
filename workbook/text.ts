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

/**
 * A hint's markdown as a terminal shows it: a code span's backticks (`x`, or ``x`` around
 * code that holds one) give way to colour, so `new HeapCorruption(`…`)` reads as the code it is.
 * Fenced blocks are left as they are: their lines are code already.
 */
export function terminalMarkdown(text: string, code: (s: string) => string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) fenced = !fenced;
      if (fenced || /^\s*```/.test(line)) return line;
      return line.replace(/(`+)(?!`)(.+?)(?<!`)\1(?!`)/g, (_, _ticks: string, inner: string) => code(inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') ? inner.slice(1, -1) : inner));
    })
    .join('\n');
}
