// The live zone view: step through a trace with chapter 5's zone, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
import { besideIt, whenStudentArrives } from '../heap-view/beside.js';
import { ZoneReplay, busiestZoneStep, describeZone, firstZoneDifference } from './model.ts';
import { renderZone } from './render.ts';

for (const figure of document.querySelectorAll('figure.zone-view')) {
  const data = JSON.parse(figure.querySelector('script.zv-data').textContent);
  const view = figure.querySelector('.zv-view');
  const live = figure.querySelector('.zv-live');
  const controls = figure.querySelector('.hv-controls');
  const range = controls.querySelector('input[type=range]');
  const traceSelect = controls.querySelector('select.zv-trace');
  let trace = data.traces.find((t) => t.trace === data.trace);
  let replay = new ZoneReplay(trace.ops);
  let step = Number(figure.dataset.step);

  for (const t of data.traces) traceSelect.add(new Option(`${t.trace} (${t.ops.length} operations)`, t.trace, false, t === trace));
  range.max = String(trace.ops.length);
  controls.hidden = false;

  function show(to, announce) {
    const state = replay.stepTo(to);
    step = state.step;
    range.value = String(step);
    range.setAttribute('aria-valuetext', `step ${step} of ${state.steps}: ${state.op}`);
    view.innerHTML = renderZone(state);
    figure.dataset.step = String(step);
    figure.dataset.done = String(step === state.steps);
    if (announce) live.textContent = describeZone(state);
    figure.dispatchEvent(new CustomEvent('hv-step', { detail: { step, replay } }));
  }
  controls.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const moves = { start: 0, back: step - 1, forward: step + 1, end: trace.ops.length };
    show(moves[button.dataset.move], true);
  });
  range.addEventListener('input', () => show(Number(range.value), true));
  traceSelect.addEventListener('change', () => {
    trace = data.traces.find((t) => t.trace === traceSelect.value);
    replay = new ZoneReplay(trace.ops);
    figure.dataset.trace = trace.trace;
    figure.querySelector('.zv-trace-name').textContent = trace.trace;
    range.max = String(trace.ops.length);
    show(busiestZoneStep(replay), true);
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
  // Served by `npm start`: the student's zone arrives in a script of its own, read with the reference's readers.
  whenStudentArrives((student) =>
    besideIt(figure, show, student, {
      noun: 'zone',
      drawn: 'zone',
      kind: () => 'zones',
      replay: (replay, create) => new ZoneReplay(replay.ops, create),
      compare: (replay, create) => firstZoneDifference(new ZoneReplay(replay.ops), () => new ZoneReplay(replay.ops, create)),
      render: renderZone,
    }),
  );
}
