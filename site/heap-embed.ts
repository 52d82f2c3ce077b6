// `<!-- heap-view: <allocator> <trace> -->` in a chapter: the heap view, embedded where it helps.

import type { RenderEnv } from './markdown.ts';

export function renderHeapViews(html: string, env: RenderEnv, problems: string[]): string {
  void problems;
  return html.replace(/<!--heap-view:(\d+)-->/g, (_, index: string) => {
    const view = env.heapViews[Number(index)];
    return `<p>Heap view of ${view.allocator} on ${view.trace}.</p>`;
  });
}
