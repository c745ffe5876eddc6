import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDirectory, codeFactsStore } from '../../src/code/cache.js';
import { analyzeCode } from '../../src/code/contract.js';
import { loadPython } from '../../src/code/python.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'strata-cache-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const code =
  'api = "4.0.0"\nversion = "1.2.3"\nparameters = [Parameter(name="rate"), Parameter(name="denomination")]\n';

describe('code facts cache', () => {
  it('gives back exactly the facts it was given, parameters as a set', async () => {
    const store = codeFactsStore(tempDir())!;
    const facts = analyzeCode(await loadPython(), code);
    expect(store.get(code)).toBeUndefined();
    store.set(code, facts);
    const again = store.get(code)!;
    expect(again).toEqual(facts);
    expect(again.declaredParameters).toBeInstanceOf(Set);
    expect(store.get(`${code}\n`)).toBeUndefined();
  });

  it('treats a corrupt entry as a miss', async () => {
    const dir = tempDir();
    const store = codeFactsStore(dir)!;
    store.set(code, analyzeCode(await loadPython(), code));
    const shard = readdirSync(join(dir, 'code-facts'))[0]!;
    const entry = readdirSync(join(dir, 'code-facts', shard))[0]!;
    writeFileSync(join(dir, 'code-facts', shard, entry), '{"truncated');
    expect(store.get(code)).toBeUndefined();
  });

  it('ignores a directory it cannot write', () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    const store = codeFactsStore(file)!;
    expect(() =>
      store.set(code, {
        syntaxErrors: [],
        api: null,
        version: null,
        declaredParameters: null,
        featureImports: [],
      }),
    ).not.toThrow();
    expect(store.get(code)).toBeUndefined();
  });

  it('is off with STRATA_CACHE_DIR=none and follows XDG_CACHE_HOME otherwise', () => {
    const saved = { dir: process.env.STRATA_CACHE_DIR, xdg: process.env.XDG_CACHE_HOME };
    try {
      process.env.STRATA_CACHE_DIR = 'none';
      expect(cacheDirectory()).toBeNull();
      expect(codeFactsStore(cacheDirectory())).toBeNull();
      delete process.env.STRATA_CACHE_DIR;
      process.env.XDG_CACHE_HOME = '/var/cache/me';
      expect(cacheDirectory()).toBe('/var/cache/me/strata');
    } finally {
      if (saved.dir === undefined) delete process.env.STRATA_CACHE_DIR;
      else process.env.STRATA_CACHE_DIR = saved.dir;
      if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved.xdg;
    }
  });
});
