// The debug views drawn as HTML at build time: a block's bytes step by step, each byte a cell
// that says its value (0xaa and 0x55 are coloured too, never only coloured), and a guarded
// block's mapping page by page, the block's end against its PROT_NONE guard page. Every row
// carries its words, so the picture reads without its colours and without scripts.

import { PAGE_SIZE, hex } from '../../machine/index.ts';
import { SCRIBBLE_FREED, SCRIBBLE_NEW } from '../../solutions/07-debug/scribble.ts';
import { escapeHtml as escape } from '../highlight.ts';
import { plural } from '../words.ts';
import { byteKind, type GuardPage, type GuardRun, type ScribbleRun, type ScribbleStep } from './model.ts';

const number = (n: number) => n.toLocaleString('en-US');
const byteText = (value: number | undefined) => (value === undefined ? '--' : value.toString(16).padStart(2, '0'));

/** Bytes per row of a byte grid: a row keeps its address on a phone; two rows share a line where there is room. */
const ROW = 8;

interface Cell {
  value: number | undefined;
  changed?: boolean;
  /** Past the bytes the program asked for. */
  slack?: boolean;
}

function byteRows(address: number, cells: Cell[]): string {
  let html = '';
  for (let row = 0; row < cells.length; row += ROW) {
    const bytes = cells.slice(row, row + ROW).map((cell) => {
      const classes = ['dv-byte', `dv-${byteKind(cell.value)}`, ...(cell.changed === true ? ['dv-changed'] : []), ...(cell.slack === true ? ['dv-slack'] : [])];
      return `<span class="${classes.join(' ')}">${byteText(cell.value)}</span>`;
    });
    html += `<div class="dv-row"><code class="dv-addr">${hex(address + row)}</code>${bytes.join('')}</div>`;
  }
  return html;
}

/**
 * The bytes in words, run by run: `bytes 0–15: 16 × 0xaa; 16–19: d2 04 00 00; …`, for a
 * screen reader and for anyone who would rather read than look.
 */
export function describeBytes(values: (number | undefined)[], first = 0): string {
  const runs: string[] = [];
  let i = 0;
  while (i < values.length) {
    const kind = byteKind(values[i]);
    let end = i + 1;
    while (end < values.length && byteKind(values[end]) === kind && (kind !== 'other' || end - i < 16)) end++;
    const span = end - i === 1 ? `byte ${number(first + i)}` : `bytes ${number(first + i)}–${number(first + end - 1)}`;
    const what =
      kind === 'new' || kind === 'freed'
        ? `${end - i} × 0x${byteText(values[i])}`
        : kind === 'none'
          ? 'unreadable'
          : values
              .slice(i, end)
              .map((v) => byteText(v))
              .join(' ');
    runs.push(`${span}: ${what}`);
    i = end;
  }
  return runs.join('; ');
}

/** How many bytes of each scribble a step left, and how many it changed: `4 changed · 44 × aa · 4 other`. */
function counts(step: ScribbleStep): string {
  const of = (kind: string) => step.bytes.filter((b) => byteKind(b) === kind).length;
  const parts = [of('new') > 0 ? `${of('new')} × ${byteText(SCRIBBLE_NEW)}` : '', of('freed') > 0 ? `${of('freed')} × ${byteText(SCRIBBLE_FREED)}` : '', of('other') > 0 ? `${of('other')} other` : ''].filter((p) => p !== '');
  const changed = step.changed.filter(Boolean).length;
  return [...(changed > 0 ? [`${changed} changed`] : []), ...parts].join(' · ');
}

export function renderScribble(run: ScribbleRun): string {
  const steps = run.steps.map((step, n) => {
    const cells = step.bytes.map((value, i) => ({ value, changed: step.changed[i], slack: i >= run.asked }));
    const label = `node's ${run.usable} bytes after ${step.call}: ${describeBytes(step.bytes)} (bytes ${run.asked}–${run.usable - 1} lie past the ${run.asked} asked for)`;
    return `<li class="dv-step" data-step="${n}">
<p class="dv-call"><code>${escape(step.call)}</code> <span class="dv-does">${escape(step.does)}.</span> <span class="dv-count">${counts(step)}</span></p>
<div class="dv-bytes" role="img" aria-label="${escape(label)}">${byteRows(run.block, cells)}</div>
</li>`;
  });
  return `<p class="dv-program">${run.setup.map((s) => `<code>${escape(s)};</code>`).join(' ')} then, step by step, the ${run.usable} bytes of <code>node</code> at <code>${hex(run.block)}</code>, read from the process:</p>
<ol class="dv-steps" data-block="${hex(run.block)}" data-usable="${run.usable}">
${steps.join('\n')}
</ol>
<p class="hv-legend"><span class="dv-legend-item"><span class="dv-byte dv-new">${byteText(SCRIBBLE_NEW)}</span> MallocScribble's ${hex(SCRIBBLE_NEW, 2)}: never written since malloc</span> <span class="dv-legend-item"><span class="dv-byte dv-freed">${byteText(SCRIBBLE_FREED)}</span> its ${hex(SCRIBBLE_FREED, 2)}: freed</span> <span class="dv-legend-item"><span class="dv-byte dv-other">${byteText(run.value & 0xff)}</span> written by the program or the zone</span> <span class="dv-legend-item"><span class="dv-byte dv-other dv-changed">00</span> underlined: changed by this step</span> <span class="dv-legend-item"><span class="dv-byte dv-new dv-slack">${byteText(SCRIBBLE_NEW)}</span> dashed: past the ${run.asked} bytes asked for</span></p>`;
}

/** A page's box: the block's bytes to scale (what was asked for, then the slack), or a guard. */
function pageBox(run: GuardRun, page: GuardPage): string {
  if (page.guard) {
    const fault = run.fault !== undefined && run.fault.address >= page.address && run.fault.address < page.address + PAGE_SIZE;
    const mark = fault ? `<span class="dv-fault" style="left:${((100 * (run.fault!.address - page.address)) / PAGE_SIZE).toFixed(3)}%">fault</span>` : '';
    return `<span aria-hidden="true" class="dv-box dv-prot-none"><span class="dv-box-text">PROT_NONE</span>${mark}</span>`;
  }
  const start = page.address - run.block;
  const asked = Math.max(0, Math.min(PAGE_SIZE, run.asked - start));
  const percent = (bytes: number) => `${((100 * bytes) / PAGE_SIZE).toFixed(3)}%`;
  const slack = PAGE_SIZE - asked;
  return `<span aria-hidden="true" class="dv-box"><span class="dv-asked" style="width:${percent(asked)}"></span>${slack > 0 ? `<span class="dv-slack-part" style="width:${percent(slack)}"></span>` : ''}</span>`;
}

function pageNote(run: GuardRun, page: GuardPage): string {
  if (page.guard) {
    const side = page.address < run.block ? 'the guard page before the block (prelude)' : 'the guard page after the block (postlude)';
    const fault = run.fault !== undefined && run.fault.address >= page.address && run.fault.address < page.address + PAGE_SIZE;
    const faulted = fault ? `: the loop's write of <code>table[${(run.fault!.address - run.block) / 4}]</code> faults at the guard page's first byte, <code>${hex(run.fault!.address)}</code>` : ': any access faults';
    return `${side}, ${page.resident ? 'written' : 'never written'}${faulted}`;
  }
  const start = page.address - run.block;
  const asked = Math.max(0, Math.min(PAGE_SIZE, run.asked - start));
  const resident = page.resident ? 'written' : 'never written';
  if (asked === PAGE_SIZE) return `page ${page.index} of the block, ${resident}`;
  const slack = PAGE_SIZE - asked;
  const ints = run.slackInts === 0 ? 'untouched' : `which the loop fills with ${plural(run.slackInts, 'int')}, no fault`;
  return `page ${page.index}, the block's last, ${resident}: ${asked === 0 ? 'nothing' : `its first ${number(asked)} bytes`} asked for, then ${number(slack)} bytes of slack, ${ints}`;
}

function pageRow(run: GuardRun, page: GuardPage): string {
  const classes = ['dv-page', ...(page.guard ? ['dv-guard'] : [])];
  return `<li class="${classes.join(' ')}" data-address="${hex(page.address)}" data-prot="${page.prot}" data-resident="${page.resident}"><span class="dv-where"><code>${hex(page.address)}</code> <code>${page.prot}</code></span>${pageBox(run, page)}<span class="dv-note">${pageNote(run, page)}</span></li>`;
}

/** The block's pages with the guards around them; the full pages between the first and the last are folded into one row. */
export function renderGuardEdges(run: GuardRun): string {
  const rows: string[] = [];
  const blockPages = run.pages.filter((p) => !p.guard);
  const first = blockPages[0];
  const lastFull = blockPages[blockPages.length - 1];
  let folded: GuardPage[] = [];
  const flush = () => {
    if (folded.length === 0) return;
    const written = folded.filter((p) => p.resident).length;
    rows.push(`<li class="dv-page dv-fold" data-pages="${folded.length}"><span class="dv-where">…</span><span aria-hidden="true" class="dv-box dv-box-fold"><span class="dv-asked" style="width:100%"></span></span><span class="dv-note">pages ${folded[0].index} to ${folded[folded.length - 1].index} of the block, ${written === folded.length ? 'all written' : `${written} of ${folded.length} written`}</span></li>`);
    folded = [];
  };
  for (const page of run.pages) {
    if (page.guard || page === first || page === lastFull) {
      flush();
      rows.push(pageRow(run, page));
    } else folded.push(page);
  }
  flush();
  const fault = run.fault === undefined ? '<p class="dv-result">The loop ran to its end: nothing faulted.</p>' : `<p class="dv-result"><samp>${escape(run.fault.message)}</samp></p>`;
  const edge = run.edge.values.map((value, i) => ({ value, slack: run.edge.address + i < run.block + run.usable }));
  const inBlock = edge.filter((c) => c.slack).length;
  const past = run.edge.values.slice(inBlock);
  const edgeLabel =
    `the block's ${describeBytes(run.edge.values.slice(0, inBlock), run.edge.address - run.block)}; ` +
    `the guard page's first ${past.length} bytes, from ${hex(run.block + run.usable)}: ${past.every((v) => v === undefined) ? 'unreadable' : describeBytes(past)}`;
  const [malloc, loop] = run.program;
  return `<p class="dv-program"><code>${escape(malloc)}</code> returns <code>${hex(run.block)}</code>: ${number(run.asked)} bytes asked for, ${number(run.usable)} usable. Then the loop <code>${escape(loop)}</code>. The block's mapping after the loop, page by page:</p>
<ol class="dv-pages" data-block="${hex(run.block)}" data-usable="${run.usable}">
${rows.join('\n')}
</ol>
${fault}
<p class="dv-edge-title">Where the block ends, byte by byte: the loop's last ints, then the guard page, which cannot be read:</p>
<div class="dv-bytes dv-edge" role="img" aria-label="${escape(edgeLabel)}">${byteRows(run.edge.address, edge.map(({ value }) => ({ value })))}</div>
<p class="hv-legend"><span class="dv-legend-item"><span class="dv-key dv-asked"></span>asked for</span> <span class="dv-legend-item"><span class="dv-key dv-slack-part"></span>slack: the block's, not asked for</span> <span class="dv-legend-item"><span class="dv-key dv-prot-none"></span>PROT_NONE guard page</span> <span class="dv-legend-item"><span class="dv-byte dv-none">--</span> a byte that faults when read</span></p>`;
}
