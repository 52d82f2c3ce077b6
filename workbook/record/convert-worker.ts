// The worker side of recordCommand's conversion: the log read, made into a .rep trace and
// checked, in a thread of its own. A log of millions of calls takes many seconds, and the main
// thread must stay free to answer Ctrl-C: tsx kills a process busy for 60 ms outright, which
// then says nothing of what it stopped.

import { parentPort, workerData } from 'node:worker_threads';
import { type ConvertMessage, type ConvertRequest, convertFile } from './record.ts';

const request = workerData as ConvertRequest;
const send = (message: ConvertMessage) => parentPort?.postMessage(message);

try {
  send({ kind: 'done', converted: convertFile(request, (lines) => send({ kind: 'progress', lines })) });
} catch (error) {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}
