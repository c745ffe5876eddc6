/**
 * A persistent cache of code facts, keyed by a hash of the code text. Parsing contracts dominates
 * validation time (a 50 KB contract takes ~10 ms to parse in WebAssembly) and contracts change
 * far less often than packs are validated, in an editor or on every CI push. Entries are
 * immutable files named by hash, written atomically; an unreadable entry is a miss, a failed
 * write is ignored: the cache can only ever save time, never change a result.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { env, type EnvironmentVariable } from '../env.js';
import { resolvePythonWasm } from './python.js';
import type { CodeFacts } from './contract.js';
import { VERSION } from '../version.js';

/** Bump whenever `analyzeCode` can give a different result for the same code. */
const FACTS_FORMAT = 1;

export interface CodeFactsStore {
  get(code: string): CodeFacts | undefined;
  set(code: string, facts: CodeFacts): void;
}

type StoredFacts = Omit<CodeFacts, 'declaredParameters'> & { declaredParameters: string[] | null };

/**
 * The cache directory: STRATA_CACHE_DIR, else the XDG cache directory; null when disabled. The
 * environment and the home directory are parameters (defaults: this process's).
 */
export function cacheDirectory(
  read: (name: EnvironmentVariable) => string | undefined = env,
  home: () => string = homedir,
): string | null {
  const explicit = read('STRATA_CACHE_DIR');
  if (explicit === 'none') return null;
  if (explicit) return explicit;
  const xdg = read('XDG_CACHE_HOME');
  return join(xdg || join(home(), '.cache'), 'strata');
}

/**
 * What else the facts depend on: the entry format, this program's version and the grammar it
 * parses with (identified by the size of its .wasm file at `grammar`, default the installed one).
 */
export function factsSalt(grammar: () => string = resolvePythonWasm): string {
  let size = 'unknown';
  try {
    size = `${statSync(grammar()).size}`;
  } catch {
    /* the parser reports a missing grammar */
  }
  return `${FACTS_FORMAT}\u0000${VERSION}\u0000${size}\u0000`;
}

/**
 * A store of code facts in `dir` (null: no store), entries keyed by `salt` and the code. Each call
 * makes an independent instance; nothing is kept between instances but the files.
 */
export function codeFactsStore(
  dir: string | null = cacheDirectory(),
  salt: string = factsSalt(),
): CodeFactsStore | null {
  if (dir === null) return null;
  const base = join(dir, 'code-facts');
  const pathOf = (code: string): string => {
    const hash = createHash('sha256').update(salt).update(code).digest('hex');
    return join(base, hash.slice(0, 2), `${hash}.json`);
  };
  return {
    get(code) {
      try {
        const stored = JSON.parse(readFileSync(pathOf(code), 'utf8')) as StoredFacts;
        return {
          ...stored,
          declaredParameters: stored.declaredParameters === null ? null : new Set(stored.declaredParameters),
        };
      } catch {
        return undefined;
      }
    },
    set(code, facts) {
      const file = pathOf(code);
      const stored: StoredFacts = {
        ...facts,
        declaredParameters: facts.declaredParameters === null ? null : [...facts.declaredParameters],
      };
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        writeFileSync(tmp, JSON.stringify(stored));
        renameSync(tmp, file);
      } catch {
        /* a read-only or full disk only costs the next run some time */
      }
    },
  };
}
