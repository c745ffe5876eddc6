/**
 * The version number of product version code: its top-level `version = "x.y.z"`, read with the
 * same parser and analysis `strata validate` uses. Nothing is executed.
 */
import { analyzeCode } from '../../code/contract.js';
import { loadPython } from '../../code/python.js';
import { CodeFactsWorker } from '../../code/facts-worker.js';
import { sha256Hex } from '../../util/canonical.js';
import { parseVersion, type VersionNumber } from '../../resource/version.js';
import { ApiError, invalid } from '../errors.js';

let worker: CodeFactsWorker | null | undefined;
/**
 * The built server parses contract code on a worker thread, so a large upload (about 20 ms for
 * 50 KB) does not hold up the requests behind it. From TypeScript sources (tests) it parses here.
 */
/** Stops the parsing thread (at shutdown; a later upload starts a new one). */
export async function stopCodeAnalysis(): Promise<void> {
  const w = worker;
  worker = undefined;
  await w?.terminate();
}

async function analyze(code: string) {
  if (worker === undefined) worker = import.meta.url.endsWith('.js') ? new CodeFactsWorker() : null;
  if (worker) {
    try {
      return await worker.facts(code);
    } catch {
      worker = null; // a failed worker is not retried; parse here from now on
    }
  }
  return analyzeCode(await loadPython(), code);
}

/** Results by code hash: re-uploads of the same code (imports, retries) parse once. */
const cache = new Map<string, { version: string; number: VersionNumber }>();
const CACHE_SIZE = 128;

export async function productVersionNumber(
  code: string,
  field: string,
): Promise<{ version: string; number: VersionNumber }> {
  const key = sha256Hex(code);
  const hit = cache.get(key);
  if (hit) return hit;
  const facts = await analyze(code);
  const firstError = facts.syntaxErrors[0];
  if (firstError) {
    throw invalid(`the code has a syntax error at line ${firstError.line}, column ${firstError.column}`, [
      { field, description: `${firstError.message} (line ${firstError.line}, column ${firstError.column})` },
    ]);
  }
  const v = facts.version?.value;
  const number = v === undefined ? null : parseVersion(v);
  if (v === undefined || number === null) {
    throw new ApiError(
      'INVALID_VERSION',
      v === undefined
        ? 'the code has no top-level version = "x.y.z"'
        : `the code's version "${v}" is not a semantic version (x.y.z)`,
      {},
      [{ field, description: 'needs a top-level version = "MAJOR.MINOR.PATCH" string' }],
    );
  }
  const result = { version: v, number };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}
