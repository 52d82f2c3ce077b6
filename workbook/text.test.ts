import { describe, expect, it } from 'vitest';
import { escapeControls, nearestName, shortened, terminalMarkdown } from './text.ts';

const mark = (s: string) => `<${s}>`;

describe('terminalMarkdown', () => {
  it('shows code spans without their backticks, a double-backtick span with the backticks inside it', () => {
    expect(terminalMarkdown('Call `sbrk(n)` first.', mark)).toBe('Call <sbrk(n)> first.');
    expect(terminalMarkdown('Throw ``new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)``.', mark)).toBe('Throw <new HeapCorruption(`free(): invalid pointer ${hex(ptr)}`, ptr)>.');
    expect(terminalMarkdown('`a` and `b`', mark)).toBe('<a> and <b>');
  });

  it('leaves fenced code and text without spans as they are', () => {
    const fenced = 'Like this:\n```ts\nconst x = `y`;\n```\nthen `z`.';
    expect(terminalMarkdown(fenced, mark)).toBe('Like this:\n```ts\nconst x = `y`;\n```\nthen <z>.');
    expect(terminalMarkdown('no code here', mark)).toBe('no code here');
  });

  it('takes a span that runs on to the next line of its paragraph onto one line, never past a blank line', () => {
    expect(terminalMarkdown('Call `growInPlace(region,\n q, msize)` then.', mark)).toBe('Call <growInPlace(region, q, msize)> then.');
    expect(terminalMarkdown('Run `npm run trace -- zones --target`\n`solutions` and `awk \'{ print }\' f |\n  sort`.', mark), 'a command wrapped in the source copies whole').toBe(
      "Run <npm run trace -- zones --target>\n<solutions> and <awk '{ print }' f | sort>.",
    );
    expect(terminalMarkdown('A stray ` tick.\n\nThen `x`.', mark)).toBe('A stray ` tick.\n\nThen <x>.');
  });
});

describe('shortened', () => {
  it('keeps a short text, and cuts a long one saying how much is left out', () => {
    expect(shortened('abc', 5)).toBe('abc');
    expect(shortened('abcdefgh', 5)).toBe('abcde\n… (3 more characters)');
    expect(shortened('x'.repeat(20_000))).toHaveLength(10_000 + '\n… (10000 more characters)'.length);
  });
});

describe('nearestName', () => {
  it('counts two neighbouring letters swapped as one edit, as a typist makes them', () => {
    expect(nearestName('jsno', ['json', 'watch'])).toBe('json');
    expect(nearestName('wacth', ['json', 'watch'])).toBe('watch');
    expect(nearestName('memroy', ['memory', 'vmmap'])).toBe('memory');
  });

  it('suggests nothing further than an edit per three letters: a different word is not a typo', () => {
    expect(nearestName('nope', ['zone', 'pool'])).toBeUndefined();
    expect(nearestName('magazine', ['magazines'])).toBe('magazines');
    expect(nearestName('chapter', ['chapters'])).toBe('chapters');
  });
});

describe('escapeControls', () => {
  it('writes control characters out, keeping those asked for', () => {
    expect(escapeControls('a\r\u001b[2Kb\tc\n\u0085\uffff')).toBe('a\\x0d\\x1b[2Kb\\x09c\\x0a\\x85\\uffff');
    expect(escapeControls('a\tb\nc\u0007', '\t\n')).toBe('a\tb\nc\\x07');
  });
});
