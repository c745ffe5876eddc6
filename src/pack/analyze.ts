/**
 * Runs the per-file analysis over every resource file of every root: in this thread for small
 * inputs, on worker threads for large ones (YAML parsing dominates and is CPU-bound). Files go
 * out largest first from one queue, so a worker that finishes early takes the next file; the
 * results come back in input order, so the output does not depend on scheduling.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  analyzeResourceFile,
  isParserOutOfMemory,
  newLoadContext,
  type FileAnalysis,
  type RootInfo,
} from './load.js';
import type { ReadBudget } from './limits.js';
import { type ReadLimits } from './limits.js';
import { displayPath, type DisplayMap } from './discover.js';
import { loadPython } from '../code/python.js';
import { CodeFactsWorker } from '../code/facts-worker.js';
import { env } from '../env.js';

export interface FileJob {
  file: string;
  root: RootInfo;
  /** Ids listed by any pack on this root. */
  listed: string[];
}

export interface AnalyzeOptions {
  display: DisplayMap;
  payloads: boolean;
  /** What may be read; shared with worker threads. */
  budget: ReadBudget;
  /** Worker threads to use; 0 = this thread. Default: by input size and cores (STRATA_WORKERS overrides). */
  workers?: number;
}

/** Below this many bytes of resource files, starting workers costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 1_500_000;

export interface WorkerRequest {
  index: number;
  job: FileJob;
}
export interface WorkerInit {
  display: DisplayMap;
  payloads: boolean;
  limits: ReadLimits;
  /** The run's read budget (a shared count). */
  budget: SharedArrayBuffer;
}
export type WorkerReply = { index: number; result: FileAnalysis } | { index: number; error: string };

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // reported by the analysis
  }
}

export interface Plan {
  /** Threads that analyse whole files (0: this thread does). */
  fileWorkers: number;
  /** A thread that analyses contract code while this one reads YAML. */
  factsWorker: boolean;
}

function plan(sizes: readonly number[], requested: number | undefined): Plan {
  const fromEnv = env('STRATA_WORKERS');
  if (requested === undefined && fromEnv !== undefined && /^\d+$/.test(fromEnv)) requested = Number(fromEnv);
  // Workers run the compiled JavaScript; from TypeScript sources (tests) analysis stays in-thread.
  if (!import.meta.url.endsWith('.js')) return { fileWorkers: 0, factsWorker: false };
  if (requested !== undefined) return { fileWorkers: Math.min(requested, sizes.length), factsWorker: false };
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const cores = availableParallelism();
  if (bytes < WORKER_THRESHOLD_BYTES || cores < 2) return { fileWorkers: 0, factsWorker: false };
  // Measured on 2 cores: whole-file workers were slower than one thread (the YAML work is
  // allocation-heavy, and each worker warms up its own JIT and Wasm tiers), while contract
  // parsing on one worker beside the YAML work on this thread overlapped well. Whole-file
  // workers pay off only with cores to spare.
  if (cores < 3 || sizes.length < 2) return { fileWorkers: 0, factsWorker: true };
  return { fileWorkers: Math.min(cores - 1, 4, sizes.length), factsWorker: false };
}

export interface Analyzer {
  /** How the work is spread over threads. */
  plan: Plan;
  analyze(jobs: readonly FileJob[]): Promise<FileAnalysis[]>;
}

/**
 * Starts the analysis machinery for `files` (the resource files that will be analysed): workers
 * begin loading their parsers at once, while the caller reads manifests.
 */
export function startAnalyzer(files: readonly string[], options: AnalyzeOptions): Analyzer {
  const sizes = new Map(files.map((f) => [f, fileSize(f)]));
  const threads = plan([...sizes.values()], options.workers);
  const { fileWorkers: n, factsWorker } = threads;
  if (n === 0) {
    // Started now, so the worker loads its parser while this thread reads manifests.
    const facts = factsWorker ? new CodeFactsWorker() : null;
    return {
      plan: threads,
      async analyze(jobs) {
        const ctx = newLoadContext(
          (a) => displayPath(options.display, a),
          facts ?? (await loadPython()),
          options.payloads,
          options.budget,
        );
        const listedByRoot = new Map<string, Set<string>>();
        try {
          const results = jobs.map((job) => {
            let listed = listedByRoot.get(job.root.root);
            if (!listed) listedByRoot.set(job.root.root, (listed = new Set(job.listed)));
            return analyzeResourceFile(job.file, job.root, listed, ctx);
          });
          // Code checks finish as the worker's answers arrive. Running out of memory has been
          // reported for each code it hit; anything else is a bug.
          await facts?.drain().catch((err: unknown) => {
            if (!isParserOutOfMemory(err)) throw err;
          });
          return results;
        } finally {
          await facts?.terminate();
        }
      },
    };
  }
  const init: WorkerInit = {
    display: options.display,
    payloads: options.payloads,
    limits: options.budget.limits,
    budget: options.budget.shared,
  };
  const workers = Array.from(
    { length: n },
    () =>
      new Worker(new URL('./worker.js', import.meta.url), {
        workerData: init,
        // A larger young generation: the YAML parser allocates many short-lived objects.
        resourceLimits: { maxYoungGenerationSizeMb: 64 },
      }),
  );
  // Never keep the process alive for a worker that was not used (an error before analyze()).
  for (const w of workers) w.unref();
  return {
    plan: threads,
    async analyze(jobs) {
      const queue = jobs
        .map((_, i) => i)
        .sort((a, b) => (sizes.get(jobs[b]!.file) ?? 0) - (sizes.get(jobs[a]!.file) ?? 0) || a - b);
      const results: FileAnalysis[] = new Array<FileAnalysis>(jobs.length);
      try {
        await Promise.all(
          workers.map(
            (worker) =>
              new Promise<void>((resolve, reject) => {
                const next = (): void => {
                  const index = queue.shift();
                  if (index === undefined) {
                    resolve();
                    return;
                  }
                  worker.postMessage({ index, job: jobs[index] as FileJob } satisfies WorkerRequest);
                };
                worker.on('message', (reply: WorkerReply) => {
                  if ('error' in reply) {
                    reject(new Error(`analysis of ${jobs[reply.index]?.file} failed: ${reply.error}`));
                    return;
                  }
                  results[reply.index] = reply.result;
                  next();
                });
                worker.on('error', reject);
                next();
              }),
          ),
        );
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
      }
      return results;
    },
  };
}
