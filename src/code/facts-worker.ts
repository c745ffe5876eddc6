/**
 * Code facts computed on a worker thread. Parsing contracts (WebAssembly tree-sitter) is the
 * costly part of validating a large input; on its own thread it runs beside the YAML work of the
 * main thread. Each distinct code text is sent once; answers come back in any order and are
 * handed to every callback waiting for that text.
 */
import { Worker } from 'node:worker_threads';
import type { CodeFacts } from './contract.js';

export type WireFacts = Omit<CodeFacts, 'declaredParameters'> & { declaredParameters: string[] | null };

export type FactsReply = { id: number; facts: WireFacts } | { id: number; error: string };

export function toWire(facts: CodeFacts): WireFacts {
  return {
    ...facts,
    declaredParameters: facts.declaredParameters === null ? null : [...facts.declaredParameters],
  };
}

export function fromWire(facts: WireFacts): CodeFacts {
  return {
    ...facts,
    declaredParameters: facts.declaredParameters === null ? null : new Set(facts.declaredParameters),
  };
}

export class CodeFactsWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Array<(facts: CodeFacts) => void>>();
  readonly #ids = new Map<string, number>();
  #next = 0;
  #failure: Error | undefined;
  #idle: (() => void) | undefined;

  constructor() {
    this.#worker = new Worker(new URL('./facts-worker-main.js', import.meta.url));
    // A worker nobody waits for must not keep the process alive.
    this.#worker.unref();
    this.#worker.on('message', (reply: FactsReply) => {
      const callbacks = this.#waiting.get(reply.id) ?? [];
      this.#waiting.delete(reply.id);
      if ('error' in reply) this.#failure ??= new Error(`code analysis failed: ${reply.error}`);
      else for (const cb of callbacks) cb(fromWire(reply.facts));
      if (this.#waiting.size === 0) this.#idle?.();
    });
    this.#worker.on('error', (err) => {
      this.#failure ??= err;
      this.#idle?.();
    });
  }

  /** Calls `then` with the facts of `code` once the worker has them. */
  request(code: string, then: (facts: CodeFacts) => void): void {
    let id = this.#ids.get(code);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(code, id);
      this.#waiting.set(id, [then]);
      this.#worker.postMessage({ id, code });
      return;
    }
    const waiting = this.#waiting.get(id);
    if (waiting) waiting.push(then);
    else throw new Error('bug: facts already delivered are served from the context cache');
  }

  /** Resolves when every requested text has been answered (and its callbacks run). */
  async drain(): Promise<void> {
    this.#worker.ref();
    try {
      if (this.#waiting.size > 0 && !this.#failure)
        await new Promise<void>((resolve) => (this.#idle = resolve));
    } finally {
      this.#idle = undefined;
      this.#worker.unref();
    }
    if (this.#failure) throw this.#failure;
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}
