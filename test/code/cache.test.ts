import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDirectory, codeFactsStore, factsSalt } from '../../src/code/cache.js';
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

  it('keys entries by the salt too: another program version or grammar is a miss', async () => {
    const dir = tempDir();
    const facts = analyzeCode(await loadPython(), code);
    codeFactsStore(dir, factsSalt())!.set(code, facts);
    expect(codeFactsStore(dir, factsSalt())!.get(code)).toEqual(facts);
    expect(codeFactsStore(dir, 'another grammar')!.get(code)).toBeUndefined();
  });

  it('salts with the size of the grammar file it is given', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'small.wasm'), 'x');
    writeFileSync(join(dir, 'large.wasm'), 'xx');
    const small = factsSalt(() => join(dir, 'small.wasm'));
    expect(small).not.toBe(factsSalt(() => join(dir, 'large.wasm')));
    expect(small).toBe(factsSalt(() => join(dir, 'small.wasm')));
    expect(factsSalt(() => join(dir, 'missing.wasm'))).toContain('unknown');
  });

  it('is off with STRATA_CACHE_DIR=none and follows XDG_CACHE_HOME, then the home directory', () => {
    const environment =
      (vars: Record<string, string>) =>
      (name: string): string | undefined =>
        vars[name];
    const home = () => '/home/me';
    expect(cacheDirectory(environment({ STRATA_CACHE_DIR: 'none' }), home)).toBeNull();
    expect(codeFactsStore(cacheDirectory(environment({ STRATA_CACHE_DIR: 'none' }), home))).toBeNull();
    expect(cacheDirectory(environment({ STRATA_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), home)).toBe('/c');
    expect(cacheDirectory(environment({ XDG_CACHE_HOME: '/var/cache/me' }), home)).toBe(
      '/var/cache/me/strata',
    );
    expect(cacheDirectory(environment({}), home)).toBe('/home/me/.cache/strata');
  });

  it('reads this process environment by default', () => {
    expect(cacheDirectory()).toBe(process.env.STRATA_CACHE_DIR);
  });
});
