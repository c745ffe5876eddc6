/**
 * Code analysis as an injected policy: where contract code is parsed (this thread or a worker
 * thread) and whether answers are remembered, chosen by whoever builds the service, instead of
 * module-level state and a test switch. Every analyzer gives the same facts as `analyzeCode`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzeCode, type CodeFacts } from './contract.js';
import { CodeFactsWorker, FACTS_WORKER_SCRIPT } from './facts-worker.js';
import { loadPython, type PythonParser } from './python.js';

export interface CodeAnalyzer {
  /** The facts of a code text. */
  facts(code: string): Promise<CodeFacts>;
  /** Release threads (a later `facts` may start them again). */
  stop(): Promise<void>;
}

/** Parses on the calling thread. */
export function threadAnalyzer(parser: () => Promise<PythonParser> = loadPython): CodeAnalyzer {
  return {
    facts: async (code) => analyzeCode(await parser(), code),
    stop: async () => undefined,
  };
}

/**
 * Parses on a worker thread running `script`, started at first use, so a large text does not hold
 * up the calling thread. When the worker fails, `fallback` answers from then on (a failed worker
 * is not retried until `stop`).
 */
export function workerAnalyzer(
  script: URL = FACTS_WORKER_SCRIPT,
  fallback: CodeAnalyzer = threadAnalyzer(),
): CodeAnalyzer {
  let worker: CodeFactsWorker | null | undefined;
  return {
    async facts(code) {
      worker ??= new CodeFactsWorker(script);
      if (worker !== null) {
        try {
          return await worker.facts(code);
        } catch {
          const failed = worker;
          worker = null;
          await failed.terminate();
        }
      }
      return fallback.facts(code);
    },
    async stop() {
      const running = worker;
      worker = undefined;
      await running?.terminate();
      await fallback.stop();
    },
  };
}

/**
 * The default policy: a worker thread when the built worker module exists, else this thread
 * (running from TypeScript sources, there is no built worker to start).
 */
export function defaultAnalyzer(exists: (path: string) => boolean = existsSync): CodeAnalyzer {
  return exists(fileURLToPath(FACTS_WORKER_SCRIPT)) ? workerAnalyzer() : threadAnalyzer();
}

/** Remembers the facts of the last `size` distinct texts (re-uploads and retries parse once). */
export function rememberingAnalyzer(inner: CodeAnalyzer, size = 128): CodeAnalyzer {
  // Keyed by a hash, so large texts are not kept alive.
  const remembered = new Map<string, CodeFacts>();
  return {
    async facts(code) {
      const key = createHash('sha256').update(code).digest('hex');
      const hit = remembered.get(key);
      if (hit !== undefined) {
        // Most recently used last: the first key is the one to drop.
        remembered.delete(key);
        remembered.set(key, hit);
        return hit;
      }
      const facts = await inner.facts(code);
      remembered.set(key, facts);
      if (remembered.size > size) remembered.delete(remembered.keys().next().value as string);
      return facts;
    },
    stop: () => inner.stop(),
  };
}
