/**
 * What `strata render` reads and writes, as an adapter passed to the service: files, the `.git`
 * lookup, git's last commits, and the code-facts store. `nodeIO` is the real one.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { codeFactsStore, type CodeFactsStore } from '../code/cache.js';

export interface RenderIO {
  /** File contents, or null when there is no such file. */
  readFile(path: string): string | null;
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Whether anything (file or directory) is at `path`. */
  exists(path: string): boolean;
  writeFile(path: string, text: string): void;
  /** Last commit touching each file (absolute paths), when `dir` is in a git work tree. */
  lastCommits(files: string[], dir: string): Promise<Map<string, string>>;
  /** Code facts kept across runs (a module's syntax verdict by content), or null for none. */
  codeFacts: CodeFactsStore | null;
}

/** The nearest directory at or above `dir` holding `.git`, or null. */
export function findGitTop(dir: string, exists: (path: string) => boolean): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (exists(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

const statOf = (path: string) => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

/** Last commit of one file, or null (not tracked, or git missing). */
function lastCommit(file: string): Promise<string | null> {
  return new Promise((done) => {
    execFile('git', ['log', '-1', '--format=%H', '--', file], { cwd: dirname(file) }, (err, stdout) => {
      const commit = stdout.trim();
      done(err === null && /^[0-9a-f]{7,64}$/.test(commit) ? commit : null);
    });
  });
}

/** The real filesystem and git; the code-facts store from the environment unless given. */
export function nodeIO(codeFacts: CodeFactsStore | null = codeFactsStore()): RenderIO {
  return {
    readFile(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    isFile: (path) => statOf(path)?.isFile() ?? false,
    isDirectory: (path) => statOf(path)?.isDirectory() ?? false,
    exists: existsSync,
    writeFile(path, text) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    async lastCommits(files, dir) {
      const out = new Map<string, string>();
      if (findGitTop(dir, existsSync) === null) return out;
      const commits = await Promise.all(files.map(lastCommit));
      files.forEach((file, i) => {
        const commit = commits[i];
        if (commit !== null && commit !== undefined) out.set(file, commit);
      });
      return out;
    },
    codeFacts,
  };
}
