// Real threads for a shared Process (new Process({ shared: true })): worker_threads that run
// TypeScript modules. Node only for this file; the rest of machine/ also runs in a browser.

import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker_thread running the TypeScript module at `module` (such as
 * `new URL('./my-worker.ts', import.meta.url)`), with `options.workerData` as its workerData.
 * The worker starts on a small JavaScript bootstrap that loads the module through tsx.
 */
export function startWorker(module: URL, options: WorkerOptions = {}): Worker {
  return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { ...options, argv: [module.href, ...(options.argv ?? [])] });
}
