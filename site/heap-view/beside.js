// The student's allocator beside the reference in a view of the page: a "Beside it" choice in
// the controls, a panel under the picture, and the first step where the two part. Shared by
// the heap view and the zone view; each says how it replays, compares and draws.
import { Process } from '../../machine/index.ts';
import { keepingFocus, oneTabStop } from './stepper.js';

// A student's allocator that loops through memory throws a RunawayLoop, shown with its line as
// in the terminal, instead of freezing the tab. No replay of a view's short traces comes near.
Process.loopGuard = 30_000_000;

/** Calls `start` with the student's allocators once they are there: `npm start` serves them in a script of their own. */
export function whenStudentArrives(start) {
  if (window.WORKBOOK_STUDENT) start(window.WORKBOOK_STUDENT);
  else document.addEventListener('workbook-student', () => start(window.WORKBOOK_STUDENT), { once: true });
}

/**
 * A view's choices (allocator, trace, step, "Beside it"), kept across reloads: `npm start`
 * reloads the page on every save, and the reader should not have to pick them again.
 * `saved` is what was kept (any of it may be stale: the caller checks), `keep(choices)` adds to it.
 */
export function remembered(view, index) {
  const key = `workbook-view:${location.pathname}:${view}:${index}`;
  let saved = {};
  // Storage may be off (a private window, a sandbox): the view then starts afresh.
  try {
    const parsed = JSON.parse(sessionStorage.getItem(key) ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) saved = parsed;
  } catch {}
  return {
    saved,
    keep(choices) {
      Object.assign(saved, choices);
      try {
        sessionStorage.setItem(key, JSON.stringify(saved));
      } catch {}
    },
  };
}

/**
 * The trace a view opens on: the one kept before the last reload if the page still has it, else
 * its own; the kept step goes with the kept trace only. Sets the figure's data to match.
 */
export function restoredTrace(figure, data, saved) {
  const trace = data.traces.find((t) => t.trace === saved.trace) ?? data.traces.find((t) => t.trace === data.trace);
  if (trace.trace === saved.trace && Number.isInteger(saved.step)) figure.dataset.step = String(saved.step);
  figure.dataset.trace = trace.trace;
  return trace;
}

/** The first lines of an error: enough to say what and where, not a wall of text. */
const MAX_ERROR_LINES = 8;
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Here a save runs the code again: the terminal's "run the check again" would send the reader away.
const errorHtml = (message) => `<pre class="hv-error">${escape(message.replace('and run the check again', 'and save: this view runs it again').split('\n').slice(0, MAX_ERROR_LINES).join('\n'))}</pre>`;

/**
 * Adds the student's side to a view's figure. The view's script dispatches 'hv-step' on the
 * figure with { step, replay } whenever it shows a step; `show(step, announce)` moves it.
 * `view` says what differs from one view to the other:
 *   noun: what the student wrote ('allocator', 'zone'); drawn: what the picture is ('heap', 'zone');
 *   kind(replay): its key in WORKBOOK_STUDENT.allocators;
 *   replay(replay, create): the same trace through `create`, the student's;
 *   compare(replay, create): the first difference ({ step, op, message, threw, unreadable? }) or undefined;
 *   render(state): the picture of one step; items: the selector of its items, one tab stop;
 *   differing(ours, theirs): the index of the item (in `marked`, a selector) where two states first differ, or undefined;
 *   memory: remembered(…), where the "Beside it" choice is kept.
 */
export function besideIt(figure, show, student, view) {
  const controls = figure.querySelector('.hv-controls');
  const label = document.createElement('label');
  label.textContent = 'Beside it ';
  const beside = document.createElement('select');
  beside.className = 'hv-beside';
  beside.add(new Option('nothing', ''));
  beside.add(new Option(`your ${view.noun}`, 'student'));
  label.append(beside);
  controls.append(label);

  const reference = figure.querySelector('.hv-view, .zv-view');
  const panel = document.createElement('section');
  panel.className = 'hv-student';
  panel.hidden = true;
  panel.setAttribute('aria-label', `Your ${view.noun}`);
  panel.innerHTML = `<p class="hv-title">Your ${view.noun}: <code class="hv-student-file"></code></p><p class="hv-diff" role="status"></p><div class="hv-student-view"></div>`;
  reference.after(panel);
  const diff = panel.querySelector('.hv-diff');
  const picture = panel.querySelector('.hv-student-view');
  const rove = oneTabStop(picture, view.items);
  // Focusable, so that "Go to step N" can leave the focus here rather than on a block whose tip would cover the text.
  panel.tabIndex = -1;

  let current = { step: 0, replay: undefined };
  let mine;
  let difference;
  // Nothing of the student's to run (exercises that do not compile, no such allocator): said in place of any difference.
  let problem;
  const yours = (replay) => student.allocators?.[view.kind(replay)];

  function compare(replay) {
    mine = undefined;
    difference = undefined;
    // Each allocator is bundled on its own (site/heap-embed.ts): one that does not compile carries why.
    problem = yours(replay)?.error ?? (yours(replay) === undefined ? `Your exercises have no '${view.kind(replay)}' to run here.` : undefined);
    // The reference's own replay is left where the page shows it: compare on a copy.
    if (problem === undefined) difference = view.compare(replay, yours(replay).create);
  }
  function said() {
    const { replay } = current;
    if (difference === undefined) return `Your ${view.drawn} matches the reference at every step of ${replay.ops.length}.`;
    const where = difference.step === 0 ? 'Before the first step' : `At step ${difference.step} (${difference.op})`;
    if (difference.unreadable) return `${where} your ${view.drawn} could not be read as the reference lays it out: ${difference.message.split('\n')[0]}`;
    if (difference.threw) return `${where} your ${view.noun} threw: `;
    if (difference.step === 0) return `${where} they differ: ${difference.message}`;
    return `Your ${view.drawn} matches the reference up to step ${difference.step - 1}; at step ${difference.step} (${difference.op}) they differ: ${difference.message}`;
  }
  function render() {
    if (beside.value !== 'student' || current.replay === undefined) return;
    const { step, replay } = current;
    panel.querySelector('.hv-student-file').textContent = yours(replay)?.file ?? 'exercises/';
    diff.innerHTML = '';
    if (problem !== undefined) {
      // The first line says what is wrong (a compile error is no throw at any step), the rest is the compiler's.
      const [first, ...rest] = problem.split('\n');
      diff.append(first);
      picture.innerHTML = rest.length > 0 ? errorHtml(rest.join('\n')) : '';
      return;
    }
    diff.append(said());
    if (difference !== undefined && difference.step !== step) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'hv-go';
      go.textContent = `Go to step ${difference.step}`;
      go.addEventListener('click', () => {
        panel.focus();
        show(difference.step, true);
      });
      diff.append(' ', go);
    }
    if (difference?.threw && step >= difference.step) {
      // What could not be read is said above: the bytes it found, if any, below.
      const shown = difference.unreadable ? difference.message.split('\n').slice(1).join('\n') : difference.message;
      picture.innerHTML = shown === '' ? '' : errorHtml(shown);
      return;
    }
    let theirs;
    try {
      mine ??= view.replay(replay, yours(replay).create);
      theirs = mine.stepTo(step);
      picture.innerHTML = view.render(theirs);
    } catch (error) {
      mine = undefined;
      picture.innerHTML = errorHtml(error instanceof Error ? error.message : String(error));
      return;
    }
    // Where they part, marked in both pictures: the text names it, the eye should find it.
    if (step === difference?.step) {
      const at = view.differing(replay.stepTo(step), theirs);
      if (at !== undefined) for (const where of [reference, picture]) where.querySelectorAll(view.marked)[at]?.classList.add('hv-differs');
    }
  }
  figure.addEventListener('hv-step', (event) => {
    if (event.detail.replay !== current.replay) {
      current.replay = event.detail.replay;
      if (beside.value === 'student') compare(current.replay);
      else difference = undefined;
    }
    current.step = event.detail.step;
    keepingFocus(panel, controls.querySelector('input[type=range]'), render);
    rove();
  });
  function choose() {
    panel.hidden = beside.value !== 'student';
    figure.dataset.beside = beside.value;
    view.memory.keep({ beside: beside.value });
  }
  beside.addEventListener('change', () => {
    choose();
    if (beside.value === 'student') {
      compare(current.replay);
      render();
      rove();
    } else for (const marked of reference.querySelectorAll('.hv-differs')) marked.classList.remove('hv-differs');
  });
  if (view.memory.saved.beside === 'student') {
    beside.value = 'student';
    choose();
  }
  show(Number(figure.dataset.step), false);
}
