// The stepping controls a view of the page shares: First, Back, Next and Last, the step range,
// and the arrow keys. The view says how to draw a step; the stepper keeps which step is shown.

/**
 * Makes the items of `container` that match `selector` (a heap's blocks, a zone's lists) one tab
 * stop, the item last visited: Tab leaves the picture in one press, ↑ and ↓ move from item to
 * item (← and → step the trace). Returns the function to call after each drawing.
 */
export function oneTabStop(container, selector) {
  let current = 0;
  const items = () => [...container.querySelectorAll(selector)];
  function mark() {
    const all = items();
    current = Math.max(0, Math.min(current, all.length - 1));
    all.forEach((item, i) => item.setAttribute('tabindex', i === current ? '0' : '-1'));
  }
  container.addEventListener('focusin', (event) => {
    const i = items().indexOf(event.target);
    if (i === -1) return;
    current = i;
    mark();
  });
  container.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    const all = items();
    const i = all.indexOf(event.target);
    if (i === -1) return;
    // The page does not scroll under an item either, at the first or the last.
    event.preventDefault();
    all[i + (event.key === 'ArrowDown' ? 1 : -1)]?.focus();
  });
  return mark;
}

/**
 * Runs `render`, which replaces what `container` holds, and puts back a focus it held: on the
 * same region's list, else on the element in the same place of the new picture (a block), else
 * on `fallback`. Dropped on the page, the focus would make the next arrow turn the page.
 */
export function keepingFocus(container, fallback, render) {
  // Items out of the tab order count too (oneTabStop): the place is the same block, not the same tab stop.
  const focusables = () => [...container.querySelectorAll('[tabindex], summary, button, a[href]')];
  const focused = document.activeElement;
  const inside = focused !== container && container.contains(focused);
  const at = inside ? focusables().indexOf(focused) : -1;
  const key = inside ? focused.closest('[data-key]')?.dataset.key : undefined;
  render();
  if (!inside || container.contains(document.activeElement)) return;
  const list = key === undefined ? undefined : [...container.querySelectorAll('[data-key]')].find((e) => e.dataset.key === key);
  const now = focusables();
  (list?.querySelector('summary') ?? (at === -1 ? undefined : now[Math.min(at, now.length - 1)]) ?? fallback).focus();
}

/**
 * Wires `figure`'s controls. `view.replay()` is the current replay (it changes with the trace or
 * the allocator), `view.render(state)` its picture, `view.describe(state)` its sentence for
 * screen readers, `view.items` the selector of its items, one tab stop (oneTabStop). Returns
 * `show(step, announce)`, which also dispatches 'hv-step' on the figure with { step, replay }
 * for whatever follows the view (the student's side, the tests).
 */
export function stepThrough(figure, view) {
  const controls = figure.querySelector('.hv-controls');
  const range = controls.querySelector('input[type=range]');
  const picture = figure.querySelector(view.picture);
  const live = figure.querySelector(view.live);
  let step = Number(figure.dataset.step);
  const last = () => view.replay().ops.length;
  const rove = oneTabStop(picture, view.items);

  function show(to, announce) {
    const replay = view.replay();
    const state = replay.stepTo(to);
    step = state.step;
    range.max = String(state.steps);
    range.value = String(step);
    range.setAttribute('aria-valuetext', `step ${step} of ${state.steps}: ${state.op}`);
    // Nothing before the first step or after the last: said (aria-disabled), and drawn so, yet
    // still focusable (disabled would drop the focus of the reader who just pressed it).
    for (const button of controls.querySelectorAll('.hv-buttons button')) {
      const move = button.dataset.move;
      button.setAttribute('aria-disabled', String(move === 'start' || move === 'back' ? step === 0 : step === state.steps));
    }
    // A list the reader opened (a region's blocks) stays open from step to step.
    const open = new Set([...picture.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key));
    keepingFocus(picture, range, () => {
      picture.innerHTML = view.render(state);
      for (const details of picture.querySelectorAll('details[data-key]')) details.open = open.has(details.dataset.key);
    });
    rove();
    figure.dataset.step = String(step);
    figure.dataset.done = String(step === state.steps);
    if (announce) live.textContent = view.describe(state);
    figure.dispatchEvent(new CustomEvent('hv-step', { detail: { step, replay } }));
  }

  controls.addEventListener('click', (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    const moves = { start: 0, back: step - 1, forward: step + 1, end: last() };
    show(moves[button.dataset.move], true);
  });
  range.addEventListener('input', () => show(Number(range.value), true));
  figure.addEventListener('keydown', (event) => {
    if (event.target.tagName === 'SELECT' || event.target === range) return;
    const moves = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: last() };
    if (event.key in moves) {
      event.preventDefault();
      show(moves[event.key], true);
    }
  });
  // A click anywhere on the view focuses it (out of the tab order), so that the arrows its
  // legend names step the trace: left on the page, they would turn it.
  if (!figure.hasAttribute('tabindex')) figure.tabIndex = -1;
  range.max = String(last());
  controls.hidden = false;
  return { show, step: () => step };
}
