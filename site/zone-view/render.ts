// The zone drawn as HTML: one row per region, its pages as boxes, solid when written, dashed
// when never touched, and inside each the header, the fields and the blocks to scale. The
// untouched pages in between are folded, so a 1 MiB region fits on a line. The same markup
// is the static picture of the build and the live view of the page.

import { PAGE_SIZE, hex } from '../../machine/index.ts';
import { plural } from '../words.ts';
import { describeZone, type BlockState, type LargeBlock, type ZonePage, type ZoneRegion, type ZoneState } from './model.ts';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(3)}%`;

const STATE_CLASS: Record<BlockState, string> = { 'in use': 'zv-used', free: 'zv-free', 'death row': 'zv-death' };

/** A stretch of the region clipped to a frame (a page, or the part of one magnified), drawn where it lies in it. */
function segment(frame: number, frameBytes: number, from: number, to: number, className: string, title: string): string {
  const start = Math.max(from, frame);
  const end = Math.min(to, frame + frameBytes);
  if (end <= start) return '';
  return `<span class="zv-seg ${className}" style="left:${percent(start - frame, frameBytes)};width:${percent(end - start, frameBytes)}" title="${escape(title)}"></span>`;
}

/** Everything of the region that lies in [frame, frame + frameBytes): header, fields, blocks. */
function contents(region: ZoneRegion, frame: number, frameBytes: number): string {
  let html = segment(frame, frameBytes, region.mapping, region.address, 'zv-meta', `header: the ${region.scale === 'tiny' ? 'bitmaps of the quanta' : 'u16 entry of each quantum'}, growing down from the fields`);
  html += segment(frame, frameBytes, region.address, region.firstBlock, 'zv-fields', `the region's fields at ${hex(region.address)}: magic, next, prev, usedQuanta, tail (quantum ${region.tail}), owner, band`);
  for (const block of region.blocks) html += segment(frame, frameBytes, block.address, block.address + block.bytes, STATE_CLASS[block.state], blockTitle(block));
  return html;
}

export function blockTitle(block: { address: number; bytes: number; state: BlockState; requested?: number }): string {
  return `${hex(block.address)} · ${block.bytes} bytes · ${block.state}${block.requested === undefined ? '' : ` · ${block.requested} asked for`}`;
}

/** What a page holds, said under it. */
function pageNote(region: ZoneRegion, page: ZonePage): string {
  const end = page.address + PAGE_SIZE;
  const parts: string[] = [];
  if (page.address < region.address) parts.push('header');
  if (page.address < region.firstBlock && region.address < end) parts.push('fields');
  if (region.firstBlock < end && page.address < region.tailAddress) parts.push('blocks');
  return `page ${page.index}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function pageBox(region: ZoneRegion, page: ZonePage): string {
  const at = page.address;
  const inside = contents(region, at, PAGE_SIZE);
  const state = page.written ? 'written' : 'untouched';
  return `<div class="zv-page zv-${state}" title="page ${page.index} of the mapping, ${hex(at)}: ${state}" data-written="${page.written}"><div class="zv-box">${inside}</div><span class="zv-note">${pageNote(region, page)}</span></div>`;
}

const fold = (text: string, className = '') => `<div class="zv-fold ${className}"><span>…</span><span class="zv-note">${text}</span></div>`;

/** The pages of a region worth a box: the first, the one of the fields, every written one, the last before the rest. */
function regionPages(region: ZoneRegion): string {
  const fieldsPage = Math.floor((region.address - region.mapping) / PAGE_SIZE);
  const last = region.pages.length - 1;
  let html = '';
  let folded = 0;
  const flush = () => {
    if (folded > 0) html += fold(`${plural(folded, 'untouched page')}`);
    folded = 0;
  };
  for (const page of region.pages) {
    if (page.index === 0 || page.index === fieldsPage || page.index === last || page.written) {
      flush();
      html += pageBox(region, page);
    } else folded++;
  }
  flush();
  const rest = region.pageCount - region.pages.length;
  const written = region.writtenPages - region.pages.filter((p) => p.written).length;
  if (rest > 0) html += fold(written === 0 ? `the untouched rest, ${plural(rest, 'page')}` : `the rest, ${plural(rest, 'page')}, ${written} still written`, 'zv-rest');
  return html;
}

/**
 * The used start of the fields' page, magnified, when it is too thin to read at the page's
 * scale: the header's last bytes, the fields and the first blocks, side by side.
 */
function magnified(region: ZoneRegion): string {
  const page = region.mapping + Math.floor((region.address - region.mapping) / PAGE_SIZE) * PAGE_SIZE;
  const end = Math.min(region.tailAddress, page + PAGE_SIZE);
  const bytes = end - page;
  if (bytes * 4 > PAGE_SIZE) return '';
  const note = `page ${(page - region.mapping) / PAGE_SIZE} up to the tail: its first ${bytes} bytes, magnified ${Math.floor(PAGE_SIZE / bytes)} times`;
  return `<div class="zv-zoom"><div class="zv-box">${contents(region, page, bytes)}</div><span class="zv-note">${note}</span></div>`;
}

function regionRow(region: ZoneRegion): string {
  const count = (state: BlockState) => region.blocks.filter((b) => b.state === state).length;
  const held = [`${count('in use')} in use`, `${count('free')} free`, ...(count('death row') > 0 ? ['1 on death row'] : [])].join(', ');
  // Bands split the tiny scale only: a small region's band says nothing.
  const band = region.scale === 'tiny' ? `, band ${region.band}` : '';
  const summary = `${region.scale} region ${hex(region.address)}${band}: ${region.writtenPages} of ${region.pageCount} pages written, ${plural(region.blocks.length, 'block')}`;
  // The blocks in words too: the tooltips need a mouse, this list opens by keyboard or touch.
  const blocks =
    region.blocks.length === 0
      ? ''
      : `<details class="zv-blocks" data-key="${hex(region.address)}"><summary>${plural(region.blocks.length, 'block')}, by address</summary><ul>${region.blocks.map((b) => `<li>${escape(blockTitle(b))}</li>`).join('')}</ul></details>`;
  return `<div class="zv-region" role="group" aria-label="${escape(summary)}" data-scale="${region.scale}" data-address="${hex(region.address)}" data-written="${region.writtenPages}" data-blocks="${region.blocks.length}">
<p class="zv-label"><strong>${region.scale} region <code>${hex(region.address)}</code></strong> ${region.scale === 'tiny' ? `<span>band ${region.band}</span> ` : ''}<span>${region.writtenPages} of ${region.pageCount} pages written</span> <span>${plural(region.blocks.length, 'block')}: ${held}</span></p>
<div class="zv-pages">${regionPages(region)}</div>
${magnified(region)}
${blocks}
</div>`;
}

function largeRow(block: LargeBlock): string {
  const pages = block.bytes / PAGE_SIZE;
  const title = `${hex(block.address)} · ${block.bytes} bytes · large, in use${block.requested === undefined ? '' : ` · ${block.requested} asked for`}`;
  const used = block.requested ?? block.bytes;
  const boxes = Math.min(pages, 4);
  let html = '';
  for (let i = 0; i < boxes; i++) {
    const at = block.address + i * PAGE_SIZE;
    const state = block.pages[i] ? 'written' : 'untouched';
    html += `<div class="zv-page zv-${state}" title="${escape(title)}" data-written="${block.pages[i]}"><div class="zv-box"><span class="zv-seg zv-used" style="left:0;width:${percent(Math.min(PAGE_SIZE, Math.max(0, used - i * PAGE_SIZE)), PAGE_SIZE)}"></span></div><span class="zv-note">${hex(at)}</span></div>`;
  }
  if (pages > boxes) html += fold(`${plural(pages - boxes, 'more page')}`);
  return `<div class="zv-region zv-large" role="group" aria-label="${escape(`large block ${title}: ${block.writtenPages} of ${pages} pages written`)}" data-scale="large" data-address="${hex(block.address)}" data-written="${block.writtenPages}">
<p class="zv-label"><strong>large block <code>${hex(block.address)}</code></strong> <span>${block.writtenPages} of ${pages} pages written</span></p>
<div class="zv-pages">${html}</div>
</div>`;
}

/** The zone at one step: its regions and large blocks, page by page, and its totals. */
export function renderZone(state: ZoneState): string {
  const rows = [...state.regions.map(regionRow), ...state.large.map(largeRow)];
  const empty = rows.length === 0 ? '<p class="zv-empty">No region is mapped: the zone has written nothing.</p>' : '';
  const writtenBytes = state.writtenPages * PAGE_SIZE;
  const utilization = writtenBytes === 0 ? '–' : `${((100 * state.liveBytes) / writtenBytes).toFixed(1)}%`;
  const table = state.largeTable === undefined ? '' : `<div><dt>large-block table</dt><dd>${plural(state.largeTable.writtenPages, 'page')}</dd></div>`;
  return `<div class="zv-zone" data-regions="${state.regions.length}" data-large="${state.large.length}" data-written="${state.writtenPages}">${rows.join('\n')}${empty}</div>
<dl class="hv-stats zv-stats"><div><dt>regions</dt><dd class="zv-count">${state.regions.length}</dd></div><div><dt>live</dt><dd>${state.liveBytes.toLocaleString('en-US')} bytes</dd></div><div><dt>pages written</dt><dd class="zv-written-total">${state.writtenPages} (${(writtenBytes / 1024).toLocaleString('en-US')} KiB)</dd></div>${table}<div><dt>utilization</dt><dd>${utilization}</dd></div></dl>
<p class="hv-caption">${escape(describeZone(state))}</p>`;
}
