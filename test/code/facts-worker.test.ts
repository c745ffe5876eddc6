/** The code-facts worker (built JavaScript: workers run compiled code). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'code', 'facts-worker.js')).href;

/** Runs `body` as an ES module in a fresh process (a worker does not start under --eval). */
function script(body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-facts-worker-'));
  try {
    const file = join(dir, 'script.mjs');
    writeFileSync(file, `import { CodeFactsWorker } from ${JSON.stringify(dist)};\n${body}`);
    return spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('CodeFactsWorker', () => {
  it('answers, shares one parse between callers of the same text, and lets the process exit', () => {
    const r = script(`
      const w = new CodeFactsWorker();
      const code = 'api = "4.0.0"\\nversion = "1.2.3"\\nparameters = [Parameter(name="rate")]\\n';
      const [a, b] = await Promise.all([w.facts(code), w.facts(code)]);
      const c = await w.facts('def f(:\\n  pass\\n');
      console.log(JSON.stringify([a.version.value, [...a.declaredParameters], b === a, c.syntaxErrors.length > 0]));
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['1.2.3', ['rate'], true, true]);
  });

  it('never keeps an idle process alive', () => {
    const r = script(`new CodeFactsWorker(); console.log('done');`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  });
});
