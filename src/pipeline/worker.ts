import { parentPort, workerData } from 'node:worker_threads';
import { transformPart, type PartTask } from './parts.js';
import type { Options } from './request.js';

/** A worker thread of runInParts: transforms the parts it is sent, one message each. */
const { options } = workerData as { options: Options };
parentPort!.on('message', (m: { i: number; task: PartTask }) => {
  parentPort!.postMessage({ i: m.i, result: transformPart(m.task, options) });
});
