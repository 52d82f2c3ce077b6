// Every include and output marker in the book matches the code and what it prints today.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLD_CLOSE, FOLD_OPEN, findMarkers, refreshChapter, resolveInclude, runOutputScript, shouldFold } from './chapter-markers.ts';
import { ROOT } from './paths.ts';
import { shippedCheckout } from './shipped-checkout.ts';

const chapters = readdirSync(resolve(ROOT, 'chapters')).filter((f) => f.endsWith('.md')).sort();

describe.each(chapters)('chapters/%s', (chapter) => {
  const markers = findMarkers(readFileSync(resolve(ROOT, 'chapters', chapter), 'utf8'));

  it('shows included code exactly as it stands in its file', () => {
    expect(markers.length, 'a chapter shows real code or real output through markers').toBeGreaterThan(0);
    for (const marker of markers.filter((m) => m.kind === 'include')) {
      const where = `chapters/${chapter}:${marker.line}`;
      expect(marker.block, `${where}: the include of ${marker.spec} must be followed by a fenced code block`).toBeDefined();
      expect(marker.block, `${where}: the code block differs from ${marker.spec} (npx tsx workbook/cli.ts markers --update)`).toBe(resolveInclude(marker.spec, where));
      const fold = shouldFold(marker);
      expect(marker.folded, `${where}: the include of ${marker.spec} ${fold ? 'is code an exercise asks for, and should be folded' : 'is no exercise\'s answer, and should not be folded'} (npx tsx workbook/cli.ts markers --update)`).toBe(fold);
    }
  });

  it('shows figures exactly as their scripts print them', () => {
    for (const marker of markers.filter((m) => m.kind === 'output')) {
      const where = `chapters/${chapter}:${marker.line}`;
      expect(marker.block, `${where}: the figure differs from what ${marker.spec} prints now (npx tsx workbook/cli.ts markers --update)`).toBe(runOutputScript(marker.spec, where));
    }
  }, 240_000); // chapter 8 replays python3.rep through every allocator: about a minute on a busy machine
});

describe('resolveInclude', () => {
  it('names the chapter line, and the regions there are, when a region is missing', () => {
    expect(() => resolveInclude('solutions/01-bump/bump.ts#nope', 'chapters/x.md:3')).toThrow(/chapters\/x\.md:3: .*no region 'nope' \(it has: malloc, free, realloc, calloc\)/);
    expect(() => resolveInclude('solutions/missing.ts#a', 'chapters/x.md:4')).toThrow(/chapters\/x\.md:4: .*there is no file solutions\/missing\.ts/);
  });

  it('takes a line range, dedented', () => {
    const text = resolveInclude('solutions/01-bump/bump.ts#L1-L2', 'here');
    expect(text.split('\n')).toHaveLength(2);
  });

  it('reads code and chapters whose lines end with \\r\\n (git on Windows) as the same lines', () => {
    mkdirSync(resolve(ROOT, '.scratch'), { recursive: true });
    const dir = mkdtempSync(resolve(ROOT, '.scratch/markers-'));
    try {
      const code = ['export function f() {', '  // #region body', '  const a = 1;', '', '  return a;', '  // #endregion body', '}', ''];
      writeFileSync(resolve(dir, 'code.ts'), code.join('\r\n'));
      const spec = `${relative(ROOT, dir).split('\\').join('/')}/code.ts#body`;
      expect(resolveInclude(spec, 'here')).toBe('const a = 1;\n\nreturn a;');
      const chapter = [`<!-- include: ${spec} -->`, '```ts', 'const a = 1;', '', 'return a;', '```', ''].join('\r\n');
      expect(findMarkers(chapter)).toEqual([{ kind: 'include', spec, line: 1, block: 'const a = 1;\n\nreturn a;', folded: false, span: 5 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("folds an include of an exercise's answer, unfolds one that is not, and reads both back", () => {
    mkdirSync(resolve(ROOT, '.scratch'), { recursive: true });
    const dir = mkdtempSync(resolve(ROOT, '.scratch/markers-'));
    try {
      const answer = 'solutions/01-bump/bump.ts#malloc';
      const given = 'solutions/07-debug/debug.ts#debug-given';
      expect([shouldFold({ kind: 'include', spec: answer }), shouldFold({ kind: 'include', spec: given })], "bump.ts's malloc is to write; debug.ts's helpers are given").toEqual([true, false]);
      const chapter = resolve(dir, 'chapter.md');
      const stale = ['Before.', '', `<!-- include: ${answer} -->`, '```ts', 'old', '```', '', `<!-- include: ${given} -->`, FOLD_OPEN, '', '```ts', 'old', '```', '', FOLD_CLOSE, '', 'After.', ''];
      writeFileSync(chapter, stale.join('\n'));
      expect(refreshChapter(chapter), 'both markers rewritten').toBe(2);
      const text = readFileSync(chapter, 'utf8');
      const lines = text.split('\n');
      expect(lines.slice(2, 6), 'the answer folded, a blank line before its fence').toEqual([`<!-- include: ${answer} -->`, FOLD_OPEN, '', '```ts']);
      expect(text, 'the given code unfolded, its text intact around it').toContain(`<!-- include: ${given} -->\n\`\`\`ts\n${resolveInclude(given, 'here')}\n\`\`\`\n\nAfter.\n`);
      expect(findMarkers(text).map(({ spec, folded, block }) => ({ spec, folded, current: block === resolveInclude(spec, 'here') }))).toEqual([
        { spec: answer, folded: true, current: true },
        { spec: given, folded: false, current: true },
      ]);
      expect(refreshChapter(chapter), 'a second refresh changes nothing').toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("folds an answer still when the student's file is a copy of the reference", () => {
    // A clone of the workbook whose student copied solutions/01-bump/bump.ts into exercises/.
    const dir = mkdtempSync(join(tmpdir(), 'markers-student-'));
    try {
      shippedCheckout(dir, ['package.json', 'tsconfig.json', 'machine', 'workbook', 'solutions']);
      cpSync(join(dir, 'solutions/01-bump/bump.ts'), join(dir, 'exercises/01-bump/bump.ts'));
      const probe = "import { isAnswer } from './workbook/chapter-markers.ts';\nconsole.log(JSON.stringify([isAnswer('solutions/01-bump/bump.ts#malloc'), isAnswer('solutions/07-debug/debug.ts#debug-given')]));\n";
      writeFileSync(join(dir, 'probe.mts'), probe);
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'probe.mts'], { cwd: dir, encoding: 'utf8' });
      expect(JSON.parse(out), 'malloc is still the exercise, whatever the student wrote; the given code still is not').toEqual([true, false]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
