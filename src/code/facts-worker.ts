/**
 * Code facts computed on a worker thread. Parsing contracts (WebAssembly tree-sitter) is the
 * costly part of validating a large input, and would hold up a server's other requests; on its
 * own thread it runs beside the rest. Each distinct code text in flight is sent once; answers
 * come back in any order and go to every caller waiting for that text.
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

/** The built worker module beside this one (absent when running from TypeScript sources). */
export const FACTS_WORKER_SCRIPT = new URL('./facts-worker-main.js', import.meta.url);

interface Waiter {
  then: (facts: CodeFacts) => void;
  fail: (error: Error) => void;
}

export class CodeFactsWorker {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { code: string; waiters: Waiter[] }>();
  readonly #ids = new Map<string, number>();
  #next = 0;
  #failure: Error | undefined;
  #idle: (() => void) | undefined;

  /** `script`: the worker's module (default the built one beside this file). */
  constructor(script: URL = FACTS_WORKER_SCRIPT) {
    this.#worker = new Worker(script);
    this.#worker.on('message', (reply: FactsReply) => {
      const entry = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (entry) this.#ids.delete(entry.code);
      if ('error' in reply) {
        const error = new Error(`code analysis failed: ${reply.error}`);
        this.#failure ??= error;
        for (const w of entry?.waiters ?? []) w.fail(error);
      } else {
        const facts = fromWire(reply.facts);
        for (const w of entry?.waiters ?? []) w.then(facts);
      }
      if (this.#waiting.size === 0) {
        this.#worker.unref();
        this.#idle?.();
      }
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (this.#waiting.size > 0) this.#fail(new Error(`the code analysis worker exited (${code})`));
    });
    // The worker keeps the process alive only while answers are outstanding. (Unref after the
    // listeners: attaching a 'message' listener refs the worker again.)
    this.#worker.unref();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const entry of this.#waiting.values()) for (const w of entry.waiters) w.fail(error);
    this.#waiting.clear();
    this.#ids.clear();
    this.#worker.unref();
    this.#idle?.();
  }

  /** Calls `then` with the facts of `code` once the worker has them (`fail` if it cannot). */
  request(
    code: string,
    then: (facts: CodeFacts) => void,
    fail: (error: Error) => void = () => undefined,
  ): void {
    if (this.#failure) {
      fail(this.#failure);
      return;
    }
    const id = this.#ids.get(code);
    if (id !== undefined) {
      this.#waiting.get(id)?.waiters.push({ then, fail });
      return;
    }
    const fresh = this.#next++;
    this.#ids.set(code, fresh);
    this.#waiting.set(fresh, { code, waiters: [{ then, fail }] });
    this.#worker.ref();
    this.#worker.postMessage({ id: fresh, code });
  }

  /** The facts of `code`, as a promise. */
  facts(code: string): Promise<CodeFacts> {
    return new Promise((resolve, reject) => this.request(code, resolve, reject));
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
