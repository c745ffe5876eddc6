/**
 * The import journal: every confirmed result appended to `.strata/runs/<run_id>.ndjson`. Lines
 * are written in batches, at most FLUSH_MS after they were confirmed (or sooner, when
 * FLUSH_BYTES are waiting), with one write system call per batch instead of one per line; the
 * file is synced to disk when the run ends. A process killed at any moment loses at most its
 * last FLUSH_MS of lines: the journal only saves work on resume, and a run that lost its tail
 * re-reads the server and converges all the same (request ids make the repeated writes replays).
 * A torn last line is ignored.
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

/** How long a confirmed line may wait in memory, and how much may wait. */
const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;

export class Journal {
  readonly file: string;
  #fd: number | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  /** A process that exits with the run open (process.exit on a second Ctrl-C) still writes what waits. */
  readonly #onExit = () => this.flush();

  constructor(
    readonly dir: string,
    readonly runId: string,
  ) {
    this.file = join(dir, `${runId}.ndjson`);
  }

  /** Queues the line; it reaches the file within FLUSH_MS (the file is created by the first append). */
  append(entry: JournalEntry): void {
    if (this.#fd === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.#fd = openSync(this.file, 'a');
      process.on('exit', this.#onExit);
    }
    const line = `${JSON.stringify(entry)}\n`;
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_MS);
      // A pending flush never keeps the process alive: close(), or the process's exit, flushes what is left.
      this.#timer.unref();
    }
  }

  /** Writes every queued line now, in one system call. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#fd === undefined || this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    writeSync(this.#fd, text);
  }

  close(): void {
    this.flush();
    if (this.#fd !== undefined) {
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      process.removeListener('exit', this.#onExit);
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
