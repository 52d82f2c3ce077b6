// The live heap view: step through a trace with the real allocator, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
import { HEAP_KINDS, HeapReplay, describeState, renderHeap } from './model.ts';

for (const figure of document.querySelectorAll('figure.heap-view')) {
  const data = JSON.parse(figure.querySelector('script.hv-data').textContent);
  const view = figure.querySelector('.hv-view');
  const live = figure.querySelector('.hv-live');
  const controls = figure.querySelector('.hv-controls');
  const range = controls.querySelector('input[type=range]');
  const select = controls.querySelector('select');
  let replay = new HeapReplay(figure.dataset.allocator, data.ops);
  let step = Number(figure.dataset.step);

  for (const [id, kind] of Object.entries(HEAP_KINDS)) select.add(new Option(kind.label, id, false, id === replay.kind));
  range.max = String(data.ops.length);
  controls.hidden = false;

  function show(to, announce) {
    const state = replay.stepTo(to);
    step = state.step;
    range.value = String(step);
    range.setAttribute('aria-valuetext', `step ${step} of ${state.steps}: ${state.op}`);
    view.innerHTML = renderHeap(state);
    figure.dataset.step = String(step);
    figure.dataset.done = String(step === state.steps);
    if (announce) live.textContent = describeState(state);
  }
  controls.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const moves = { start: 0, back: step - 1, forward: step + 1, end: data.ops.length };
    show(moves[button.dataset.move], true);
  });
  range.addEventListener('input', () => show(Number(range.value), true));
  select.addEventListener('change', () => {
    replay = new HeapReplay(select.value, data.ops);
    figure.dataset.allocator = select.value;
    show(step, true);
  });
  figure.addEventListener('keydown', (event) => {
    if (event.target === select || event.target === range) return;
    const moves = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: data.ops.length };
    if (event.key in moves) {
      event.preventDefault();
      show(moves[event.key], true);
    }
  });
  show(step, false);
}
