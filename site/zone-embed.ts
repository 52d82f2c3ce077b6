// `<!-- zone-view: zones <trace> -->` in a chapter embeds the zone view there: a static picture
// drawn at build time (the zone's regions and the pages they wrote, at the trace's busiest
// step), made live by assets/zone-view.js, chapter 5's zone bundled for the browser with esbuild.

import { join } from 'node:path';
import { bundleForBrowser, embedViews, stepControlsHtml, viewTraceOps, viewTracesJson } from './heap-embed.ts';
import { escapeHtml } from './highlight.ts';
import type { RenderEnv } from './markdown.ts';
import { ZoneReplay, busiestZoneStep } from './zone-view/model.ts';
import { renderZone } from './zone-view/render.ts';

export const ZONE_VIEW_SCRIPT = '<script src="assets/zone-view.js"></script>';

/** The allocators the zone view can replay: chapter 5's zone only, for now. */
export const ZONE_KINDS = ['zones'];

/** The view of the zone replaying `trace` (a path from the root), or a problem. */
export function zoneViewHtml(allocator: string, trace: string, root: string, where: string): { html: string } | { problem: string } {
  if (!ZONE_KINDS.includes(allocator)) return { problem: `${where}: the zone view knows no allocator '${allocator}' (it knows ${ZONE_KINDS.join(', ')})` };
  const loaded = viewTraceOps(trace, root, where, 'zone view');
  if ('problem' in loaded) return loaded;
  const { ops } = loaded;
  const replay = new ZoneReplay(ops);
  const best = busiestZoneStep(replay);
  const state = replay.stepTo(best);
  const data = viewTracesJson(trace, ops, root);
  const html = `<figure class="zone-view" data-allocator="${allocator}" data-trace="${escapeHtml(trace)}" data-step="${best}">
<script type="application/json" class="zv-data">${data}</script>
<figcaption class="hv-title">The zone of chapter 5 replaying <code class="zv-trace-name">${escapeHtml(trace)}</code>: its regions, page by page</figcaption>
${stepControlsHtml('<label>Trace <select class="zv-trace"></select></label>', ops.length, best)}
<div class="zv-view">${renderZone(state)}</div>
<p class="zv-live visually-hidden" aria-live="polite"></p>
<p class="hv-legend"><span class="zv-legend-item"><span class="hv-key zv-key zv-meta"></span>header</span> <span class="zv-legend-item"><span class="hv-key zv-key zv-fields"></span>the region's fields</span> <span class="zv-legend-item"><span class="hv-key zv-key zv-used"></span>in use</span> <span class="zv-legend-item"><span class="hv-key zv-key zv-free"></span>free</span> <span class="zv-legend-item"><span class="hv-key zv-key zv-death"></span>death row</span> <span class="zv-legend-item"><span class="hv-key zv-key-page zv-written"></span>page written</span> <span class="zv-legend-item"><span class="hv-key zv-key-page zv-untouched"></span>page never touched</span></p>
</figure>
`;
  return { html };
}

export function renderZoneViews(html: string, env: RenderEnv, problems: string[], root: string): string {
  return embedViews(html, 'zone-view', env.zoneViews, (view) => zoneViewHtml(view.allocator, view.trace, root, view.where), ZONE_VIEW_SCRIPT, problems);
}

/** The browser bundle of the zone view: the model, the machine and chapter 5's zone, minified. */
export function bundleZoneView(siteDir: string): string {
  return bundleForBrowser(join(siteDir, 'zone-view', 'client.js'), 'The zone view, bundled from site/zone-view/ with machine/ and solutions/05-zones/.');
}
