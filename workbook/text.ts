// Small helpers for the text the tools print.

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
