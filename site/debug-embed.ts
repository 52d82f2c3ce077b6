// `<!-- debug-view: scribble -->` (or `guard-edges`) in a chapter embeds a picture of what one of
// chapter 7's debugging options does to memory, drawn at build time from a run of the
// reference debug zone (site/debug-view/). It is static: no script, nothing to step.

import { embedViews } from './heap-embed.ts';
import type { RenderEnv } from './markdown.ts';
import { guardEdgesRun, scribbleRun } from './debug-view/model.ts';
import { DEBUG_VIEWS, isDebugView } from './debug-view/names.ts';
import { renderGuardEdges, renderScribble } from './debug-view/render.ts';

const TITLES = {
  scribble: 'MallocScribble=1: one block, byte by byte, from malloc to a free list',
  'guard-edges': 'MallocGuardEdges=1: a large block between its guard pages, and one int too many',
};

/** The picture `name` asks for, or a problem naming where it was asked for. */
export function debugViewHtml(name: string, where: string): { html: string } | { problem: string } {
  if (!isDebugView(name)) return { problem: `${where}: the debug view knows no picture '${name}' (it knows ${DEBUG_VIEWS.join(', ')})` };
  const body = name === 'scribble' ? renderScribble(scribbleRun()) : renderGuardEdges(guardEdgesRun());
  return {
    html: `<figure class="debug-view" data-view="${name}">
<figcaption class="hv-title">${TITLES[name]}</figcaption>
${body}
</figure>
`,
  };
}

export function renderDebugViews(html: string, env: RenderEnv, problems: string[]): string {
  return embedViews(html, 'debug-view', env.debugViews, (view) => debugViewHtml(view.name, view.where), '', problems);
}
