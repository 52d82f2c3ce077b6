// The charts' numbers shipped with the book (site/measured-charts.json) and the hash that says
// whether they still hold: what a clone on another system, or a file a merge cut up, makes of them.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartsNeedMeasuring, inputsHash, readShippedCharts, shippedChartsFile } from './charts/index.ts';

const scratch = mkdtempSync(join(tmpdir(), 'measured-charts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A root holding `files` (path: text). */
function rootWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(scratch, 'root-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the shipped numbers', () => {
  it('a file that is not the numbers (a merge left its markers in it, a hand cut it short) counts as none: the charts are measured again, and markers --update writes it anew', () => {
    for (const text of ['{\n<<<<<<< HEAD\n  "inputs": "0123456789abcdef",\n=======\n', '', '[]', '{ "inputs": 7, "charts": {} }', '{ "inputs": "0123456789abcdef", "charts": null }']) {
      const root = rootWith({ 'site/measured-charts.json': text });
      expect(readShippedCharts(root), text).toBeUndefined();
      expect(chartsNeedMeasuring(root), text).toBe(true);
    }
    const root = rootWith({ 'site/measured-charts.json': '' });
    writeFileSync(shippedChartsFile(root), JSON.stringify({ inputs: inputsHash(root), charts: { allocators: { traces: [] } } }));
    expect(readShippedCharts(root)?.charts).toEqual({ allocators: { traces: [] } });
    expect(chartsNeedMeasuring(root)).toBe(false);
  });

  it('hold on Windows, where git writes the files out with \\r\\n line ends', () => {
    const unix = rootWith({ 'traces/short.rep': '20000\n1\n1\n1\na 0 16\n', 'solutions/01-bump/bump.ts': 'export const x = 1;\n' });
    const windows = rootWith({ 'traces/short.rep': '20000\r\n1\r\n1\r\n1\r\na 0 16\r\n', 'solutions/01-bump/bump.ts': 'export const x = 1;\r\n' });
    expect(inputsHash(windows)).toBe(inputsHash(unix));
  });

  it("hold beside the files a system or an editor leaves (macOS's .DS_Store, vim's .swp): no chart reads them", () => {
    const files = { 'traces/short.rep': '20000\n1\n1\n1\na 0 16\n', 'solutions/01-bump/bump.ts': 'export const x = 1;\n' };
    const clean = rootWith(files);
    const used = rootWith({ ...files, 'traces/.DS_Store': '\0\0\0\u0001Bud1', 'solutions/01-bump/.bump.ts.swp': 'b0VIM 9.0' });
    expect(inputsHash(used)).toBe(inputsHash(clean));
  });

  it('are measured again when the list of the shipped recordings changes: chapter 8 replays those', () => {
    const before = inputsHash(rootWith({ 'workbook/record/shipped.ts': "export const SHIPPED_RECORDINGS = ['ls.rep'] as const;\n" }));
    const after = inputsHash(rootWith({ 'workbook/record/shipped.ts': "export const SHIPPED_RECORDINGS = ['ls.rep', 'sort.rep'] as const;\n" }));
    expect(after).not.toBe(before);
  });
});
