/**
 * The import journal: every confirmed result appended to `.strata/runs/<run_id>.ndjson` as it
 * happens, with a write system call each, so a process killed at any moment leaves every line it
 * confirmed (the kernel has it). The file is synced to disk when the run ends, not per line: the
 * journal only saves work on resume, and a run that lost its tail to a power cut re-reads the
 * server and converges all the same. A torn last line is ignored.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface JournalEntry {
  resource_id: string;
  resource_type: string;
  action: 'created' | 'updated' | 'unchanged' | 'skipped' | 'activated';
  vault_id: string | null;
  request_id: string | null;
  /** Values later references resolve to: the object's server id and fields (`product_id`, ...). */
  values: Record<string, string>;
  at: string;
}

/** A run id that sorts by start time: 20261121T200501Z-1a2b. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}

export function runsDirectory(dataDir: string): string {
  return join(dataDir, 'runs');
}

export class Journal {
  readonly file: string;
  #fd: number | undefined;

  constructor(
    readonly dir: string,
    readonly runId: string,
  ) {
    this.file = join(dir, `${runId}.ndjson`);
  }

  append(entry: JournalEntry): void {
    if (this.#fd === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.#fd = openSync(this.file, 'a');
    }
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) {
      fsyncSync(this.#fd);
      closeSync(this.#fd);
    }
    this.#fd = undefined;
  }

  /** The entries of a run; a torn last line is dropped. */
  static read(dir: string, runId: string): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(join(dir, `${runId}.ndjson`), 'utf8');
    } catch {
      return [];
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        /* the write the process died in */
      }
    }
    return out;
  }

  /** The most recent run in `dir`, if any. */
  static latest(dir: string): string | undefined {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    return names
      .filter((n) => n.endsWith('.ndjson'))
      .map((n) => n.slice(0, -'.ndjson'.length))
      .sort()
      .at(-1);
  }
}
