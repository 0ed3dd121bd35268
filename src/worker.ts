import { parentPort, workerData } from 'node:worker_threads';
import type { Options } from './pipeline.js';
import { transformPart, type PartTask } from './stream.js';

/** A worker thread of transformStream: transforms the parts it is sent, one message each. */
const { options } = workerData as { options: Options };
parentPort!.on('message', (m: { i: number; task: PartTask }) => {
  parentPort!.postMessage({ i: m.i, result: transformPart(m.task, options) });
});
