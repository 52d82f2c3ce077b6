// The live heap view: step through a trace with the real allocator, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
import { besideIt, whenStudentArrives } from './beside.js';
import { HEAP_KINDS, HeapReplay, busiestStep, describeState, firstDifference, renderHeap } from './model.ts';

for (const figure of document.querySelectorAll('figure.heap-view')) {
  const data = JSON.parse(figure.querySelector('script.hv-data').textContent);
  const view = figure.querySelector('.hv-view');
  const live = figure.querySelector('.hv-live');
  const controls = figure.querySelector('.hv-controls');
  const range = controls.querySelector('input[type=range]');
  const select = controls.querySelector('select.hv-allocator');
  const traceSelect = controls.querySelector('select.hv-trace');
  let trace = data.traces.find((t) => t.trace === data.trace);
  let replay = new HeapReplay(figure.dataset.allocator, trace.ops);
  let step = Number(figure.dataset.step);

  for (const [id, kind] of Object.entries(HEAP_KINDS)) select.add(new Option(kind.label, id, false, id === replay.kind));
  for (const t of data.traces) traceSelect.add(new Option(`${t.trace} (${t.ops.length} operations)`, t.trace, false, t === trace));
  range.max = String(trace.ops.length);
  controls.hidden = false;

  function caption() {
    figure.querySelector('.hv-allocator-name').textContent = replay.kind;
    figure.querySelector('.hv-trace-name').textContent = trace.trace;
  }
  function show(to, announce) {
    const state = replay.stepTo(to);
    step = state.step;
    range.value = String(step);
    range.setAttribute('aria-valuetext', `step ${step} of ${state.steps}: ${state.op}`);
    view.innerHTML = renderHeap(state);
    figure.dataset.step = String(step);
    figure.dataset.done = String(step === state.steps);
    if (announce) live.textContent = describeState(state);
    figure.dispatchEvent(new CustomEvent('hv-step', { detail: { step, replay } }));
  }
  controls.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const moves = { start: 0, back: step - 1, forward: step + 1, end: trace.ops.length };
    show(moves[button.dataset.move], true);
  });
  range.addEventListener('input', () => show(Number(range.value), true));
  select.addEventListener('change', () => {
    replay = new HeapReplay(select.value, trace.ops);
    figure.dataset.allocator = select.value;
    caption();
    show(step, true);
  });
  traceSelect.addEventListener('change', () => {
    trace = data.traces.find((t) => t.trace === traceSelect.value);
    replay = new HeapReplay(replay.kind, trace.ops);
    figure.dataset.trace = trace.trace;
    range.max = String(trace.ops.length);
    caption();
    show(busiestStep(replay), true);
  });
  figure.addEventListener('keydown', (event) => {
    if (event.target.tagName === 'SELECT' || event.target === range) return;
    const moves = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: trace.ops.length };
    if (event.key in moves) {
      event.preventDefault();
      show(moves[event.key], true);
    }
  });
  show(step, false);
  // Served by `npm start`: the student's allocators arrive in a script of their own.
  whenStudentArrives((student) =>
    besideIt(figure, show, student, {
      noun: 'allocator',
      drawn: 'heap',
      kind: (replay) => replay.kind,
      replay: (replay, create) => new HeapReplay(replay.kind, replay.ops, create),
      compare: (replay, create) => firstDifference(new HeapReplay(replay.kind, replay.ops), () => new HeapReplay(replay.kind, replay.ops, create)),
      render: renderHeap,
    }),
  );
}
