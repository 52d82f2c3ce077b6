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

/** The first lines of an error: enough to say what and where, not a wall of text. */
const MAX_ERROR_LINES = 8;
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const errorHtml = (message) => `<pre class="hv-error">${escape(message.split('\n').slice(0, MAX_ERROR_LINES).join('\n'))}</pre>`;

/**
 * Adds the student's side to a view's figure. The view's script dispatches 'hv-step' on the
 * figure with { step, replay } whenever it shows a step; `show(step, announce)` moves it.
 * `view` says what differs from one view to the other:
 *   noun: what the student wrote ('allocator', 'zone'); drawn: what the picture is ('heap', 'zone');
 *   kind(replay): its key in WORKBOOK_STUDENT.allocators;
 *   replay(replay, create): the same trace through `create`, the student's;
 *   compare(replay, create): the first difference ({ step, op, message, threw, unreadable? }) or undefined;
 *   render(state): the picture of one step; items: the selector of its items, one tab stop.
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

  const panel = document.createElement('section');
  panel.className = 'hv-student';
  panel.hidden = true;
  panel.setAttribute('aria-label', `Your ${view.noun}`);
  panel.innerHTML = `<p class="hv-title">Your ${view.noun}: <code class="hv-student-file"></code></p><p class="hv-diff" role="status"></p><div class="hv-student-view"></div>`;
  figure.querySelector('.hv-view, .zv-view').after(panel);
  const diff = panel.querySelector('.hv-diff');
  const picture = panel.querySelector('.hv-student-view');
  const rove = oneTabStop(picture, view.items);

  let current = { step: 0, replay: undefined };
  let mine;
  let difference;
  const yours = (replay) => student.allocators?.[view.kind(replay)];

  function compare(replay) {
    mine = undefined;
    // Exercises that do not compile, or a bundle without this allocator: nothing to run.
    const problem = student.error ?? (yours(replay) === undefined ? `Your exercises have no '${view.kind(replay)}' to run here.` : undefined);
    if (problem !== undefined) difference = { step: 0, op: '(start)', threw: true, message: problem };
    // The reference's own replay is left where the page shows it: compare on a copy.
    else difference = view.compare(replay, yours(replay).create);
  }
  function said() {
    const { replay } = current;
    if (difference === undefined) return `Your ${view.drawn} matches the reference at every step of ${replay.ops.length}.`;
    const where = difference.step === 0 ? 'Before the first step' : `At step ${difference.step} (${difference.op})`;
    if (difference.unreadable) return `${where} the reference's readers cannot read your ${view.drawn} from its bytes: `;
    if (difference.threw) return `${where} your ${view.noun} threw: `;
    if (difference.step === 0) return `${where} they differ: ${difference.message}`;
    return `Your ${view.drawn} matches the reference up to step ${difference.step - 1}; at step ${difference.step} (${difference.op}) they differ: ${difference.message}`;
  }
  function render() {
    if (beside.value !== 'student' || current.replay === undefined) return;
    const { step, replay } = current;
    panel.querySelector('.hv-student-file').textContent = yours(replay)?.file ?? 'exercises/';
    diff.innerHTML = '';
    diff.append(said());
    if (difference !== undefined && difference.step !== step) {
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'hv-go';
      go.textContent = `Go to step ${difference.step}`;
      go.addEventListener('click', () => show(difference.step, true));
      diff.append(' ', go);
    }
    if (difference?.threw && step >= difference.step) {
      picture.innerHTML = errorHtml(difference.message);
      return;
    }
    try {
      mine ??= view.replay(replay, yours(replay).create);
      picture.innerHTML = view.render(mine.stepTo(step));
    } catch (error) {
      mine = undefined;
      picture.innerHTML = errorHtml(error instanceof Error ? error.message : String(error));
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
  beside.addEventListener('change', () => {
    panel.hidden = beside.value !== 'student';
    figure.dataset.beside = beside.value;
    if (beside.value === 'student') {
      compare(current.replay);
      render();
      rove();
    }
  });
  show(Number(figure.dataset.step), false);
}
