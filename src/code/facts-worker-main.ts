/** The thread behind `CodeFactsWorker`: analyses each code text it is sent. */
import { parentPort } from 'node:worker_threads';
import { loadPython } from './python.js';
import { analyzeCode } from './contract.js';
import { toWire, type FactsReply } from './facts-worker.js';

const python = await loadPython();

parentPort?.on('message', ({ id, code }: { id: number; code: string }) => {
  let reply: FactsReply;
  try {
    reply = { id, facts: toWire(analyzeCode(python, code)) };
  } catch (err) {
    reply = { id, error: (err as Error).stack ?? String(err) };
  }
  parentPort?.postMessage(reply);
});
