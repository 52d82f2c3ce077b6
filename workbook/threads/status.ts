// What each stress worker says about itself while it runs, in a SharedArrayBuffer of its own
// (StressTask.status): the main thread reads it when the workers do not finish, to say where
// each one is stuck. A file apart from stress-worker.ts, which runs as soon as it is imported.

/**
 * Each worker's four words in StressTask.status (at STATUS.words × (thread - 1)): its phase,
 * its step, and the address and value it sleeps on in wait32 (0 when awake).
 */
export const STATUS = { phase: 0, step: 1, waitingAt: 2, waitingFor: 3, words: 4 } as const;

/** The phases, in order; the main thread names them with PHASES[phase]. */
export const PHASE = { loading: 0, starting: 1, working: 2, freeing: 3, finishing: 4, done: 5 } as const;
export const PHASES = [
  'loading the allocator',
  'waiting for the other workers to start',
  'running its steps',
  'freeing the blocks it still held, after its last step',
  'waiting for the other workers to finish posting blocks',
  'done',
] as const;
