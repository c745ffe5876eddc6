/** Worker thread for `analyzeFiles`: analyses the files it is sent, one at a time, with one context. */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeResourceFile, newLoadContext } from './load.js';
import { displayPath } from './discover.js';
import { ReadBudget } from './limits.js';
import { loadPython } from '../code/python.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './analyze.js';

const init = workerData as WorkerInit;
const python = await loadPython();
const ctx = newLoadContext(
  (a) => displayPath(init.display, a),
  python,
  init.payloads,
  new ReadBudget(init.limits, init.budget),
);
const listedByRoot = new Map<string, Set<string>>();

parentPort?.on('message', ({ index, job }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    let listed = listedByRoot.get(job.root.root);
    if (!listed) listedByRoot.set(job.root.root, (listed = new Set(job.listed)));
    reply = { index, result: analyzeResourceFile(job.file, job.root, listed, ctx) };
  } catch (err) {
    reply = { index, error: (err as Error).stack ?? String(err) };
  }
  parentPort?.postMessage(reply);
});
