// The live heap view: step through a trace with the real allocator, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
import { besideIt, remembered, restoredTrace, whenStudentArrives } from './beside.js';
import { HEAP_KINDS, HeapReplay, busiestStep, describeState, differingBlock, firstDifference, renderHeap } from './model.ts';
import { stepThrough } from './stepper.js';

for (const [index, figure] of document.querySelectorAll('figure.heap-view').entries()) {
  const data = JSON.parse(figure.querySelector('script.hv-data').textContent);
  const select = figure.querySelector('select.hv-allocator');
  const traceSelect = figure.querySelector('select.hv-trace');
  // The reader's choices before the last reload, those that still exist; the step only with its trace.
  const memory = remembered('heap', index);
  const { saved } = memory;
  let trace = restoredTrace(figure, data, saved);
  if (Object.hasOwn(HEAP_KINDS, saved.allocator ?? '')) figure.dataset.allocator = saved.allocator;
  let replay = new HeapReplay(figure.dataset.allocator, trace.ops);

  for (const [id, kind] of Object.entries(HEAP_KINDS)) select.add(new Option(kind.label, id, false, id === replay.kind));
  for (const t of data.traces) traceSelect.add(new Option(`${t.trace} (${t.ops.length} operations)`, t.trace, false, t === trace));
  figure.addEventListener('hv-step', (event) => memory.keep({ allocator: replay.kind, trace: trace.trace, step: event.detail.step }));
  const stepper = stepThrough(figure, { picture: '.hv-view', live: '.hv-live', replay: () => replay, render: renderHeap, describe: describeState, items: '.hv-block' });
  const show = stepper.show;

  function caption() {
    figure.querySelector('.hv-allocator-name').textContent = replay.kind;
    figure.querySelector('.hv-trace-name').textContent = trace.trace;
  }
  select.addEventListener('change', () => {
    replay = new HeapReplay(select.value, trace.ops);
    figure.dataset.allocator = select.value;
    caption();
    show(stepper.step(), true);
  });
  traceSelect.addEventListener('change', () => {
    trace = data.traces.find((t) => t.trace === traceSelect.value);
    replay = new HeapReplay(replay.kind, trace.ops);
    figure.dataset.trace = trace.trace;
    caption();
    show(busiestStep(replay), true);
  });
  // A tap on the bar off any block (a gap the allocator keeps, or beside a block a few pixels
  // wide) reads the nearest block, as a tap on a block reads it: a finger is wider than a small block.
  figure.addEventListener('click', (event) => {
    const bar = event.target.closest('.hv-bar');
    if (!bar || event.target.closest('.hv-block')) return;
    const distance = (block) => {
      const r = block.getBoundingClientRect();
      return Math.max(r.left - event.clientX, event.clientX - r.right, 0);
    };
    [...bar.querySelectorAll('.hv-block')].sort((a, b) => distance(a) - distance(b))[0]?.focus();
  });
  caption();
  show(stepper.step(), false);
  // Served by `npm start`: the student's allocators arrive in a script of their own.
  whenStudentArrives((student) =>
    besideIt(figure, show, student, {
      noun: 'allocator',
      drawn: 'heap',
      kind: (replay) => replay.kind,
      replay: (replay, create) => new HeapReplay(replay.kind, replay.ops, create),
      compare: (replay, create) => firstDifference(new HeapReplay(replay.kind, replay.ops), () => new HeapReplay(replay.kind, replay.ops, create)),
      render: renderHeap,
      items: '.hv-block',
      differing: (ours, theirs) => differingBlock(ours.blocks, theirs.blocks),
      marked: '.hv-block',
      memory,
    }),
  );
}
