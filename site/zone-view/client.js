// The live zone view: step through a trace with chapter 5's zone, in the page. Plain script
// around the typed model (bundled with it by esbuild at build time).
import { besideIt, remembered, restoredTrace, whenStudentArrives } from '../heap-view/beside.js';
import { stepThrough } from '../heap-view/stepper.js';
import { ZoneReplay, busiestZoneStep, describeZone, firstZoneDifference, zonesApart } from './model.ts';
import { renderZone } from './render.ts';

for (const [index, figure] of document.querySelectorAll('figure.zone-view').entries()) {
  const data = JSON.parse(figure.querySelector('script.zv-data').textContent);
  const traceSelect = figure.querySelector('select.zv-trace');
  // The reader's choices before the last reload, those that still exist; the step only with its trace.
  const memory = remembered('zone', index);
  const { saved } = memory;
  let trace = restoredTrace(figure, data, saved);
  figure.querySelector('.zv-trace-name').textContent = trace.trace;
  let replay = new ZoneReplay(trace.ops);

  for (const t of data.traces) traceSelect.add(new Option(`${t.trace} (${t.ops.length} operations)`, t.trace, false, t === trace));
  figure.addEventListener('hv-step', (event) => memory.keep({ trace: trace.trace, step: event.detail.step }));
  const stepper = stepThrough(figure, { picture: '.zv-view', live: '.zv-live', replay: () => replay, render: renderZone, describe: describeZone, items: '.zv-blocks summary' });
  const show = stepper.show;

  traceSelect.addEventListener('change', () => {
    trace = data.traces.find((t) => t.trace === traceSelect.value);
    replay = new ZoneReplay(trace.ops);
    figure.dataset.trace = trace.trace;
    figure.querySelector('.zv-trace-name').textContent = trace.trace;
    show(busiestZoneStep(replay), true);
  });
  show(stepper.step(), false);
  // Served by `npm start`: the student's zone arrives in a script of its own, read with the reference's readers.
  whenStudentArrives((student) =>
    besideIt(figure, show, student, {
      noun: 'zone',
      drawn: 'zone',
      kind: () => 'zones',
      replay: (replay, create) => new ZoneReplay(replay.ops, create),
      compare: (replay, create) => firstZoneDifference(new ZoneReplay(replay.ops), () => new ZoneReplay(replay.ops, create)),
      render: renderZone,
      items: '.zv-blocks summary',
      differing: (ours, theirs) => zonesApart(ours, theirs)?.at,
      marked: '.zv-region',
      memory,
    }),
  );
}
