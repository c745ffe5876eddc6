/**
 * Bundle archives (.tar.gz, .tgz, .zip) are extracted into a fresh temporary directory. An entry
 * whose path (or link target) would land outside that directory is refused, not extracted; so are
 * entries that are not files, directories or links, and anything past the read limits, checked
 * from each header before the entry is read.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import { formatSize, type ReadLimits } from './limits.js';

export interface ArchiveProblem {
  kind: 'escape' | 'invalid' | 'not-regular' | 'too-large' | 'over-total';
  /** The entry's name, or '' for the archive as a whole. */
  entry: string;
  message: string;
}

export interface ExtractedArchive {
  dir: string;
  problems: ArchiveProblem[];
  cleanup(): Promise<void>;
}

export function isArchivePath(path: string): boolean {
  return /\.(tar\.gz|tgz|zip)$/i.test(path);
}

/** The normalised relative path of an entry, or null when it would escape the root. */
export function safeEntryPath(name: string): string | null {
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) return null;
  const normal = posix.normalize(unified);
  if (normal === '..' || normal.startsWith('../')) return null;
  return normal.replace(/\/$/, '');
}

/** Whether a link at `entry` pointing to `target` stays inside the root. */
function safeLinkTarget(entry: string, target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(entry), target.replace(/\\/g, '/')));
  return !(resolved === '..' || resolved.startsWith('../'));
}

/** Stops the extraction: the archive breaks a limit as a whole. */
class ArchiveLimit extends Error {}

interface Sink {
  dir: string;
  limits: ReadLimits;
  problems: ArchiveProblem[];
  bytes: number;
  entries: number;
}

async function writeEntry(sink: Sink, rel: string, data: AsyncIterable<unknown>): Promise<void> {
  const target = join(sink.dir, rel);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(data, createWriteStream(target, { flags: 'wx' }));
}

/**
 * Checks an entry from its header, before any of its content is read: the count and the expanded
 * total (which stop the extraction), its size and its path. Returns the relative path to extract
 * it to, or null when it is refused (the problem is recorded; the caller skips its content).
 */
function admit(sink: Sink, name: string, size: number): string | null {
  sink.entries += 1;
  if (sink.entries > sink.limits.archiveEntries) {
    throw new ArchiveLimit(`the archive has more than ${sink.limits.archiveEntries} entries`);
  }
  const rel = safeEntryPath(name);
  if (size > sink.limits.fileBytes) {
    const shown = rel ?? name;
    sink.problems.push({
      kind: 'too-large',
      entry: shown,
      message: `archive entry "${shown}" is ${formatSize(size)}, over the limit of ${formatSize(sink.limits.fileBytes)} for one file; it was not extracted`,
    });
    return null;
  }
  sink.bytes += size;
  if (sink.bytes > sink.limits.totalBytes) {
    throw new ArchiveLimit(
      `the archive expands past the limit of ${formatSize(sink.limits.totalBytes)} read in total`,
    );
  }
  if (rel === null) {
    sink.problems.push({
      kind: 'escape',
      entry: name,
      message: `archive entry "${name}" would be extracted outside the bundle; it was not extracted`,
    });
  }
  return rel;
}

/** Link targets are read into memory: they are short, or refused. */
const MAX_LINK_BYTES = 4096;

/** One entry of a tar stream: its header and its content. */
type TarEntry = AsyncIterable<unknown> & { header: tar.Header; resume(): unknown };

const TAR_FILE_TYPES = new Set(['file', 'contiguous-file']);
const TAR_TYPES = new Set([...TAR_FILE_TYPES, 'directory', 'symlink']);

async function extractTarEntry(sink: Sink, entry: TarEntry): Promise<void> {
  const h = entry.header;
  const type = h.type ?? 'file';
  if (!TAR_TYPES.has(type)) {
    sink.problems.push({
      kind: 'not-regular',
      entry: h.name,
      message: `archive entry "${h.name}" is a ${type}; only files, directories and symbolic links are extracted`,
    });
    entry.resume();
    return;
  }
  const rel = admit(sink, h.name, TAR_FILE_TYPES.has(type) ? (h.size ?? 0) : 0);
  if (rel === null || rel === '' || rel === '.') {
    entry.resume();
    return;
  }
  if (type === 'directory') {
    entry.resume();
    await mkdir(join(sink.dir, rel), { recursive: true });
  } else if (type === 'symlink') {
    entry.resume();
    await makeLink(sink, rel, h.name, h.linkname ?? '');
  } else {
    await writeEntry(sink, rel, entry);
  }
}

async function extractTar(file: string, sink: Sink): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) await extractTarEntry(sink, entry);
  })();
  await Promise.all([pipeline(createReadStream(file), createGunzip(), extract), done]);
}

/** Makes a symbolic link entry, unless it points outside the bundle. */
async function makeLink(sink: Sink, rel: string, name: string, target: string): Promise<void> {
  if (!safeLinkTarget(rel, target)) {
    sink.problems.push({
      kind: 'escape',
      entry: name,
      message: `archive entry "${name}" is a link to "${target}" outside the bundle; it was not extracted`,
    });
    return;
  }
  await mkdir(dirname(join(sink.dir, rel)), { recursive: true });
  await symlink(target, join(sink.dir, rel));
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // decodeStrings off: yauzl would reject an escaping name outright; we decode it and report it.
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(err ?? new Error('cannot open zip')) : resolve(z),
    ),
  );
}

async function extractZipEntry(sink: Sink, zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  const name = Buffer.isBuffer(entry.fileName) ? (entry.fileName as Buffer).toString('utf8') : entry.fileName;
  // Unix mode lives in the high 16 bits of the external attributes; 0o120000 is a symlink.
  const isLink = ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
  if (isLink && entry.uncompressedSize > MAX_LINK_BYTES) {
    sink.problems.push({
      kind: 'invalid',
      entry: name,
      message: `archive entry "${name}" is a link with a ${entry.uncompressedSize}-byte target; it was not extracted`,
    });
    return;
  }
  const rel = admit(sink, name, entry.uncompressedSize);
  if (rel === null || rel === '' || name.endsWith('/')) {
    if (rel) await mkdir(join(sink.dir, rel), { recursive: true });
    return;
  }
  // The declared size was checked; yauzl (validateEntrySizes) fails an entry that inflates past it.
  const stream = await new Promise<AsyncIterable<Buffer>>((res, rej) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? rej(err ?? new Error('bad entry')) : res(s))),
  );
  if (!isLink) {
    await writeEntry(sink, rel, stream);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  await makeLink(sink, rel, name, Buffer.concat(chunks).toString('utf8'));
}

async function extractZip(file: string, sink: Sink): Promise<void> {
  const zip = await openZip(file);
  try {
    // The central directory gives the count before any entry is read.
    if (zip.entryCount > sink.limits.archiveEntries) {
      throw new ArchiveLimit(
        `the archive has ${zip.entryCount} entries, more than ${sink.limits.archiveEntries}`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        extractZipEntry(sink, zip, entry).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/**
 * Extracts `file` into a fresh temporary directory, within `limits`: every entry is checked from
 * its header before its content is read, and content streams to disk (never whole in memory).
 */
export async function extractArchive(file: string, limits: ReadLimits): Promise<ExtractedArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-bundle-'));
  const sink: Sink = { dir, limits, problems: [], bytes: 0, entries: 0 };
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (/\.zip$/i.test(file)) await extractZip(file, sink);
    else await extractTar(file, sink);
  } catch (err) {
    const limit = err instanceof ArchiveLimit;
    sink.problems.push({
      kind: limit ? 'over-total' : 'invalid',
      entry: '',
      message: limit
        ? `${err.message}; it was not extracted further`
        : `cannot read archive: ${(err as Error).message}`,
    });
  }
  return { dir, problems: sink.problems, cleanup };
}
