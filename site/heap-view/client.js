// The live heap view: step through a trace with the real allocator, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
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
  if (window.WORKBOOK_STUDENT) besideIt(figure, show);
  else document.addEventListener('workbook-student', () => besideIt(figure, show), { once: true });
}

/** The student's allocator beside the reference, on the same trace, and the first step where they part. */
function besideIt(figure, show) {
  const student = window.WORKBOOK_STUDENT;
  const controls = figure.querySelector('.hv-controls');
  const label = document.createElement('label');
  label.textContent = 'Beside it ';
  const beside = document.createElement('select');
  beside.className = 'hv-beside';
  beside.add(new Option('nothing', ''));
  beside.add(new Option('your allocator', 'student'));
  label.append(beside);
  controls.append(label);

  const panel = document.createElement('section');
  panel.className = 'hv-student';
  panel.hidden = true;
  panel.setAttribute('aria-label', 'Your allocator');
  panel.innerHTML = '<p class="hv-title">Your allocator: <code class="hv-student-file"></code></p><p class="hv-diff" role="status"></p><div class="hv-student-view"></div>';
  figure.querySelector('.hv-view').after(panel);
  const diff = panel.querySelector('.hv-diff');
  const view = panel.querySelector('.hv-student-view');

  let current = { step: 0, replay: undefined };
  let mine;
  let difference;
  const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const fresh = (replay) => new HeapReplay(replay.kind, replay.ops, student.allocators[replay.kind].create);

  function compare(replay) {
    mine = undefined;
    if (student.error) {
      difference = { step: 0, op: '(start)', threw: true, message: student.error };
      return;
    }
    // The reference's own replay is left where the page shows it: compare on a copy.
    difference = firstDifference(new HeapReplay(replay.kind, replay.ops), () => fresh(replay));
  }
  function render() {
    if (beside.value !== 'student' || current.replay === undefined) return;
    const { step, replay } = current;
    panel.querySelector('.hv-student-file').textContent = student.error ? 'exercises/' : student.allocators[replay.kind].file;
    let message = '';
    if (difference === undefined) message = `Your heap matches the reference at every step of ${replay.ops.length}.`;
    else if (difference.threw) message = `At step ${difference.step} (${difference.op}) your allocator threw: `;
    else message = `Your heap matches the reference up to step ${difference.step - 1}; at step ${difference.step} (${difference.op}) they differ: ${difference.message}`;
    diff.innerHTML = '';
    diff.append(message);
    if (difference !== undefined && difference.step !== step) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'hv-go';
      go.textContent = `Go to step ${difference.step}`;
      go.addEventListener('click', () => show(difference.step, true));
      diff.append(' ', go);
    }
    if (difference?.threw && step >= difference.step) {
      view.innerHTML = `<pre class="hv-error">${escape(difference.message)}</pre>`;
      return;
    }
    try {
      mine ??= fresh(replay);
      view.innerHTML = renderHeap(mine.stepTo(step));
    } catch (error) {
      mine = undefined;
      view.innerHTML = `<pre class="hv-error">${escape(error instanceof Error ? error.message : String(error))}</pre>`;
    }
  }
  figure.addEventListener('hv-step', (event) => {
    if (event.detail.replay !== current.replay) {
      current.replay = event.detail.replay;
      if (beside.value === 'student') compare(current.replay);
      else difference = undefined;
    }
    current.step = event.detail.step;
    render();
  });
  beside.addEventListener('change', () => {
    panel.hidden = beside.value !== 'student';
    figure.dataset.beside = beside.value;
    if (beside.value === 'student') {
      compare(current.replay);
      render();
    }
  });
  current.replay = undefined;
  show(Number(figure.dataset.step), false);
}
