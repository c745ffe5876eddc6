/**
 * Bounds on what one run reads, so broken or hostile input cannot hang a run or exhaust its
 * memory: only regular files are read (a FIFO would block forever), none larger than a per-file
 * size, and no more than a total size over the whole run; archive entries are held to the same
 * bounds before a byte of them is read. The defaults are far above real libraries (the largest
 * contract of a 940-resource library is a few hundred KB) and flags raise them.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export interface ReadLimits {
  /** Largest file (or archive entry) read, in bytes. */
  fileBytes: number;
  /** Most bytes read over the whole run (and expanded from one archive). */
  totalBytes: number;
  /** Most entries in one archive. */
  archiveEntries: number;
}

const KIB = 1024;
const MIB = KIB * KIB;
const GIB = MIB * KIB;

export const DEFAULT_LIMITS: Readonly<ReadLimits> = {
  fileBytes: 16 * MIB,
  totalBytes: 256 * MIB,
  archiveEntries: 100_000,
};

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: KIB,
  kb: KIB,
  kib: KIB,
  m: MIB,
  mb: MIB,
  mib: MIB,
  g: GIB,
  gb: GIB,
  gib: GIB,
};

/** Bytes from `64MB`, `512k`, `1GiB`, `1048576` (units are powers of 1024); undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** A size for people: `512 B`, `1.5 KiB`, `200.0 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < KIB) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  if (bytes < GIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/**
 * The bytes a run may still read. The count lives in shared memory, so worker threads draw on the
 * same budget as the main thread.
 */
export class ReadBudget {
  readonly #used: BigInt64Array;
  constructor(
    readonly limits: ReadLimits,
    shared: SharedArrayBuffer = new SharedArrayBuffer(8),
  ) {
    this.#used = new BigInt64Array(shared);
  }

  /** The shared count, for handing to a worker thread. */
  get shared(): SharedArrayBuffer {
    return this.#used.buffer as SharedArrayBuffer;
  }

  /** Takes `bytes` from the budget; false (and nothing taken) when they do not fit. */
  take(bytes: number): boolean {
    const after = Atomics.add(this.#used, 0, BigInt(bytes)) + BigInt(bytes);
    if (after <= BigInt(this.limits.totalBytes)) return true;
    Atomics.sub(this.#used, 0, BigInt(bytes));
    return false;
  }
}

/** Why a file was not read (or not parsed): plain data, so it can cross a worker boundary. */
export type ReadRefusal =
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; size: number; limit: number }
  | { kind: 'over-total'; size: number; limit: number }
  | { kind: 'binary'; line: number }
  | { kind: 'unreadable'; message: string };

export type TextRead = { text: string } | { refused: ReadRefusal };

/** What a non-regular file is, in words. */
export function describeFileType(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** 1-based line of the first NUL byte, or 0 when there is none: text files never hold one. */
function nulLine(bytes: Buffer): number {
  const at = bytes.indexOf(0);
  if (at === -1) return 0;
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/** Reads at most `limit + 1` bytes of an open regular file (it may have grown since `stat`). */
function readBounded(fd: number, size: number, limit: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.min(size, limit) + 1);
  let filled = 0;
  for (;;) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (n === 0) break;
    filled += n;
    if (filled === buffer.length) break;
  }
  return buffer.subarray(0, filled);
}

/**
 * The UTF-8 text of a file, or why it was refused. It is looked at (stat) before it is opened:
 * anything but a regular file is never opened for reading; a file over the per-file limit, or
 * over what is left of `budget` (null: not counted), is never read. The open itself cannot block
 * (O_NONBLOCK) should the path have turned into a FIFO since.
 */
export function readText(path: string, limits: ReadLimits, budget: ReadBudget | null): TextRead {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (err) {
    return { refused: { kind: 'unreadable', message: errorMessage(err) } };
  }
  if (!stats.isFile()) return { refused: { kind: 'not-regular', what: describeFileType(stats) } };
  if (stats.size > limits.fileBytes) {
    return { refused: { kind: 'too-large', size: stats.size, limit: limits.fileBytes } };
  }
  if (budget && !budget.take(stats.size)) {
    return { refused: { kind: 'over-total', size: stats.size, limit: budget.limits.totalBytes } };
  }
  let bytes: Buffer;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const now = fstatSync(fd);
      if (!now.isFile()) return { refused: { kind: 'not-regular', what: describeFileType(now) } };
      bytes = readBounded(fd, now.size, limits.fileBytes);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return { refused: { kind: 'unreadable', message: errorMessage(err) } };
  }
  if (bytes.length > limits.fileBytes) {
    return { refused: { kind: 'too-large', size: bytes.length, limit: limits.fileBytes } };
  }
  const line = nulLine(bytes);
  if (line > 0) return { refused: { kind: 'binary', line } };
  return { text: bytes.toString('utf8') };
}
