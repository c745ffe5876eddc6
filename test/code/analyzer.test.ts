import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultAnalyzer,
  rememberingAnalyzer,
  threadAnalyzer,
  workerAnalyzer,
  type CodeAnalyzer,
} from '../../src/code/analyzer.js';
import { analyzeCode } from '../../src/code/contract.js';
import { loadPython, type PythonParser } from '../../src/code/python.js';

// Workers run compiled code: the built worker module (`npm test` builds first).
const BUILT = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'code', 'facts-worker-main.js'));
const CODE = 'api = "4.0.0"\nversion = "1.2.3"\nparameters = [Parameter(name="rate")]\n';
const BROKEN = 'def f(:\n  pass\n';

let py: PythonParser;
let dir: string;
beforeAll(async () => {
  py = await loadPython();
  dir = mkdtempSync(join(tmpdir(), 'strata-analyzer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An analyzer that counts the texts it is asked about. */
function counting(inner: CodeAnalyzer = threadAnalyzer()): CodeAnalyzer & { asked: string[] } {
  const asked: string[] = [];
  return { asked, facts: (code) => (asked.push(code), inner.facts(code)), stop: () => inner.stop() };
}

describe('code analyzers', () => {
  it('on this thread: the facts analyzeCode gives', async () => {
    const a = threadAnalyzer();
    expect(await a.facts(CODE)).toEqual(analyzeCode(py, CODE));
    expect(await a.facts(BROKEN)).toEqual(analyzeCode(py, BROKEN));
  });

  it('on a worker thread: the same facts, and stop ends the thread', async () => {
    const fallback = counting();
    const a = workerAnalyzer(BUILT, fallback);
    try {
      expect(await a.facts(CODE)).toEqual(analyzeCode(py, CODE));
      expect(await a.facts(BROKEN)).toEqual(analyzeCode(py, BROKEN));
      expect(fallback.asked).toEqual([]);
    } finally {
      await a.stop();
    }
    // A later request starts a new worker.
    expect((await a.facts(CODE)).version?.value).toBe('1.2.3');
    expect(fallback.asked).toEqual([]);
    await a.stop();
  });

  it('falls back when the worker fails, and stays on the fallback', async () => {
    const script = join(dir, 'failing-worker.mjs');
    writeFileSync(script, "throw new Error('no grammar here');\n");
    const fallback = counting();
    const a = workerAnalyzer(pathToFileURL(script), fallback);
    expect(await a.facts(CODE)).toEqual(analyzeCode(py, CODE));
    expect(await a.facts(BROKEN)).toEqual(analyzeCode(py, BROKEN));
    expect(fallback.asked).toEqual([CODE, BROKEN]);
    await a.stop();
  });

  it('by default, looks for the built worker module and analyzes either way', async () => {
    const asked: string[] = [];
    for (const present of [false, true]) {
      const a = defaultAnalyzer((path) => (asked.push(path), present));
      try {
        expect(await a.facts(CODE)).toEqual(analyzeCode(py, CODE));
      } finally {
        await a.stop();
      }
    }
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatch(/[/\\]code[/\\]facts-worker-main\.js$/);
  });

  it('remembers the last texts it answered, dropping the least recently used', async () => {
    const inner = counting();
    const a = rememberingAnalyzer(inner, 2);
    const texts = ['a = 1\n', 'b = 2\n', 'c = 3\n'];
    for (const t of [texts[0], texts[1], texts[0], texts[2], texts[0], texts[1]] as string[])
      await a.facts(t);
    // a, b asked; a remembered; c asked (b dropped); a remembered; b asked again.
    expect(inner.asked).toEqual([texts[0], texts[1], texts[2], texts[1]]);
    expect(await a.facts(texts[1] as string)).toEqual(analyzeCode(py, texts[1] as string));
  });
});
