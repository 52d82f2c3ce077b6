// `<!-- heap-view: <allocator> <trace> -->` in a chapter embeds the heap view there: a static
// picture drawn at build time (so the page shows the heap without scripts), made live by
// assets/heap-view.js, the real allocators bundled for the browser with esbuild.

import { buildSync } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRep } from '../workbook/trace/rep.ts';
import { escapeHtml } from './highlight.ts';
import { HEAP_KINDS, HeapReplay, busiestStep, renderHeap, type HeapOp } from './heap-view/model.ts';
import type { RenderEnv } from './markdown.ts';

export const HEAP_VIEW_SCRIPT = '<script src="assets/heap-view.js"></script>';

/** The most operations a trace of the heap view may have: every block is drawn at every step. */
export const MAX_VIEW_OPS = 400;

/** The traces of traces/ short enough for the view, by path from the root. */
export function viewableTraces(root: string): { trace: string; ops: HeapOp[] }[] {
  const folder = join(root, 'traces');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.rep'))
    .sort()
    .flatMap((f) => {
      const trace = `traces/${f}`;
      try {
        const { ops } = parseRep(readFileSync(join(folder, f), 'utf8'), trace);
        return ops.length <= MAX_VIEW_OPS ? [{ trace, ops }] : [];
      } catch {
        return []; // a broken trace is npm run trace's to report, not the view's
      }
    });
}

/**
 * The operations of a view's trace (a path from the root), or the problem with it; `view` names
 * the view in the message ('heap view', 'zone view').
 */
export function viewTraceOps(trace: string, root: string, where: string, view: string): { ops: HeapOp[] } | { problem: string } {
  const file = join(root, trace);
  if (!existsSync(file)) return { problem: `${where}: the ${view}'s trace ${trace} does not exist` };
  let ops;
  try {
    ops = parseRep(readFileSync(file, 'utf8'), trace).ops;
  } catch (error) {
    return { problem: `${where}: ${(error as Error).message}` };
  }
  if (ops.length > MAX_VIEW_OPS) return { problem: `${where}: the ${view} draws every block: ${trace} has ${ops.length} operations, at most ${MAX_VIEW_OPS} are readable` };
  return { ops };
}

/** The traces a view's reader can pick, as JSON for the page: the short ones of traces/, and the one named. */
export function viewTracesJson(trace: string, ops: HeapOp[], root: string): string {
  const traces = viewableTraces(root).filter((t) => t.trace !== trace);
  traces.push({ trace, ops });
  traces.sort((a, b) => a.trace.localeCompare(b.trace));
  return JSON.stringify({ trace, traces }).replace(/</g, '\\u003c');
}

/** A view's controls, hidden until its script shows them: `pickers`, then the stepping of site/heap-view/stepper.js. */
export function stepControlsHtml(pickers: string, steps: number, step: number): string {
  return `<div class="hv-controls" hidden>
${pickers}
<span class="hv-buttons"><button type="button" data-move="start">First</button><button type="button" data-move="back">‹ Back</button><button type="button" data-move="forward">Next ›</button><button type="button" data-move="end">Last</button></span>
<label class="hv-range">Step <input type="range" min="0" max="${steps}" value="${step}"></label>
<span class="hv-keys">Keys: <kbd>←</kbd> <kbd>→</kbd> step, <kbd>Home</kbd> <kbd>End</kbd> first and last, <kbd>↑</kbd> <kbd>↓</kbd> through the picture</span>
</div>`;
}

/** The view of `allocator` replaying `trace` (a path from the root), or a problem. */
export function heapViewHtml(allocator: string, trace: string, root: string, where: string, step?: number): { html: string } | { problem: string } {
  if (HEAP_KINDS[allocator] === undefined) return { problem: `${where}: the heap view knows no allocator '${allocator}' (it knows ${Object.keys(HEAP_KINDS).join(', ')})` };
  const loaded = viewTraceOps(trace, root, where, 'heap view');
  if ('problem' in loaded) return loaded;
  const { ops } = loaded;
  if (step !== undefined && step > ops.length) return { problem: `${where}: the heap view opens at step ${step}, and ${trace} has ${ops.length} operations` };
  // Where the text points, or else where the heap has the most blocks: the most to look at.
  const replay = new HeapReplay(allocator, ops);
  const best = step ?? busiestStep(replay);
  const state = replay.stepTo(best);
  const data = viewTracesJson(trace, ops, root);
  const html = `<figure class="heap-view" data-allocator="${allocator}" data-trace="${escapeHtml(trace)}" data-step="${best}">
<script type="application/json" class="hv-data">${data}</script>
<figcaption class="hv-title">The heap of <code class="hv-allocator-name">${escapeHtml(allocator)}</code> replaying <code class="hv-trace-name">${escapeHtml(trace)}</code></figcaption>
${stepControlsHtml('<label>Allocator <select class="hv-allocator"></select></label>\n<label>Trace <select class="hv-trace"></select></label>', ops.length, best)}
<div class="hv-view">${renderHeap(state)}</div>
<p class="hv-live visually-hidden" aria-live="polite"></p>
<p class="hv-legend"><span class="hv-key hv-key-header"></span>header <span class="hv-key hv-key-payload"></span>payload <span class="hv-key hv-key-padding"></span>padding <span class="hv-key hv-key-free"></span>free <span class="hv-key hv-key-gap"></span>the allocator's own</p>
<p class="hv-legend">At this step: <em>utilization</em> is the bytes the program asked for over the heap's bytes; <em>fragmentation</em> is the share of the free bytes outside the largest free block, which a request bigger than that block cannot use (chapter 3 measures both at the heap's peak, in “Measuring fragmentation”).</p>
</figure>
`;
  return { html };
}

/**
 * Replaces the placeholders `<!--NAME:i-->` markdown.ts left for a kind of view with the views
 * `render` draws, collecting problems; appends `script` once if the page has one.
 */
export function embedViews<View>(
  html: string,
  name: string,
  views: View[],
  render: (view: View) => { html: string } | { problem: string },
  script: string,
  problems: string[],
): string {
  let used = false;
  const out = html.replace(new RegExp(`<!--${name}:(\\d+)-->`, 'g'), (_, index: string) => {
    const result = render(views[Number(index)]);
    if ('problem' in result) {
      problems.push(result.problem);
      return '';
    }
    used = true;
    return result.html;
  });
  return used ? `${out}${script}\n` : out;
}

export function renderHeapViews(html: string, env: RenderEnv, problems: string[], root: string): string {
  return embedViews(html, 'heap-view', env.heapViews, (view) => heapViewHtml(view.allocator, view.trace, root, view.where, view.step), HEAP_VIEW_SCRIPT, problems);
}

/** The student's allocators a view can run beside the reference, by the view's name for them. */
const STUDENT_ALLOCATORS: ReadonlyArray<{ id: string; file: string; exercise: string }> = [
  { id: 'free-list', file: 'exercises/02-free-list/free-list.ts', exercise: 'free-list' },
  { id: 'coalescing', file: 'exercises/03-coalescing/coalescing.ts', exercise: 'coalescing' },
  { id: 'realloc', file: 'exercises/04-realloc/realloc.ts', exercise: 'realloc' },
  { id: 'zones', file: 'exercises/05-zones/zone.ts', exercise: 'zone' },
];

/**
 * The student's allocators from exercises/, for the views of a served site (`npm start`), each
 * bundled on its own: one that does not compile carries why, so its view says so instead of a
 * picture, and a half-typed line in chapter 5 leaves chapter 2's comparison running.
 */
export function bundleStudentAllocators(siteDir: string): string {
  const root = join(siteDir, '..');
  const parts = STUDENT_ALLOCATORS.map(({ id, file, exercise }) => {
    const problem = (why: string) => `window.WORKBOOK_STUDENT.allocators[${JSON.stringify(id)}] = { file: ${JSON.stringify(file)}, error: ${JSON.stringify(why).replace(/</g, '\\u003c')} };`;
    if (!existsSync(join(root, file))) return problem(`${file} is missing:\nnpm run reset -- ${exercise} puts the skeleton back.`);
    const entry = `import { createAllocator } from './${file}';\nwindow.WORKBOOK_STUDENT.allocators[${JSON.stringify(id)}] = { file: ${JSON.stringify(file)}, create: (proc) => createAllocator(proc) };\n`;
    try {
      const result = buildSync({
        stdin: { contents: entry, resolveDir: root, sourcefile: `${id}-beside.js`, loader: 'js' },
        // Paths from the book's root, in messages and in the bundle's `// exercises/…` lines (locateTodos).
        absWorkingDir: root,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
        legalComments: 'none',
      });
      return locateTodos(result.outputFiles[0].text, root);
    } catch (error) {
      const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
      const message = errors.length > 0 ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('\n') : (error as Error).message;
      return problem(`Your exercises do not compile (${file}, or a file it imports):\n${message}`);
    }
  });
  return [
    '// Your allocators, bundled from exercises/ on your last save.',
    'window.WORKBOOK_STUDENT = { allocators: {} };',
    ...parts,
    "document.dispatchEvent(new Event('workbook-student'));",
    '',
  ].join('\n');
}

/**
 * Passes each todo(…) call of the student's bundle its file and line, as `this`: in the page an
 * error's stack names only the bundle, and the student needs to know which file to open. The
 * bundle is not minified, so esbuild's `// exercises/…` comment starts each module, and the
 * task's words find the line in that file.
 */
export function locateTodos(bundle: string, root: string): string {
  let file: string | undefined;
  let source: string[] = [];
  return bundle
    .split('\n')
    .map((line) => {
      const module = /^\s*\/\/ (\S+\.ts)$/.exec(line);
      if (module !== null) {
        file = module[1].startsWith('exercises/') ? module[1] : undefined;
        source = file !== undefined && existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8').split('\n') : [];
        return line;
      }
      const call = /\btodo\(("(?:[^"\\]|\\.)*")/.exec(line);
      if (file === undefined || call === null) return line;
      const task = JSON.parse(call[1]) as string;
      const at = source.findIndex((text) => text.includes('todo(') && text.includes(task));
      const where = at === -1 ? file : `${file}:${at + 1}`;
      return line.replace('todo(', `todo.call(${JSON.stringify(where)}, `);
    })
    .join('\n');
}

/** A view's client script bundled for the browser with what it imports, minified, under a first comment line. */
export function bundleForBrowser(entry: string, comment: string): string {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
  });
  return `// ${comment}\n${result.outputFiles[0].text}`;
}

/** The browser bundle of the heap view: the model, the machine and the solutions, minified. */
export function bundleHeapView(siteDir: string): string {
  return bundleForBrowser(join(siteDir, 'heap-view', 'client.js'), 'The heap view, bundled from site/heap-view/ with machine/ and solutions/.');
}
