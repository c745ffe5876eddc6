/**
 * Bundle archives (.tar.gz, .tgz, .zip) are extracted into a fresh temporary directory. An entry
 * whose path (or link target) would land outside that directory is refused, not extracted; so are
 * device files and archives that expand past the size bound.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import tar from 'tar-stream';
import yauzl from 'yauzl';

export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
export const MAX_ARCHIVE_ENTRIES = 100_000;

export interface ArchiveProblem {
  kind: 'escape' | 'invalid';
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

interface Sink {
  dir: string;
  problems: ArchiveProblem[];
  bytes: number;
  entries: number;
}

async function writeEntry(sink: Sink, rel: string, data: Buffer): Promise<void> {
  const target = join(sink.dir, rel);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, data, { flag: 'wx' });
}

function admit(sink: Sink, name: string, size: number): string | null {
  sink.entries += 1;
  sink.bytes += size;
  if (sink.entries > MAX_ARCHIVE_ENTRIES || sink.bytes > MAX_ARCHIVE_BYTES) {
    throw new Error(`archive expands past ${MAX_ARCHIVE_ENTRIES} entries or ${MAX_ARCHIVE_BYTES} bytes`);
  }
  const rel = safeEntryPath(name);
  if (rel === null) {
    sink.problems.push({
      kind: 'escape',
      entry: name,
      message: `archive entry "${name}" would be extracted outside the bundle; it was not extracted`,
    });
  }
  return rel;
}

async function extractTar(file: string, sink: Sink): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const rel = admit(sink, h.name, h.size ?? 0);
      if (rel === null || rel === '' || rel === '.') continue;
      if (h.type === 'directory') {
        await mkdir(join(sink.dir, rel), { recursive: true });
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await writeEntry(sink, rel, Buffer.concat(chunks));
      } else if (h.type === 'symlink' && h.linkname) {
        if (!safeLinkTarget(rel, h.linkname)) {
          sink.problems.push({
            kind: 'escape',
            entry: h.name,
            message: `archive entry "${h.name}" is a link to "${h.linkname}" outside the bundle; it was not extracted`,
          });
          continue;
        }
        await mkdir(dirname(join(sink.dir, rel)), { recursive: true });
        await symlink(h.linkname, join(sink.dir, rel));
      } else {
        sink.problems.push({
          kind: 'invalid',
          entry: h.name,
          message: `archive entry "${h.name}" is a ${h.type}; only files, directories and links are extracted`,
        });
      }
    }
  })();
  await Promise.all([pipeline(createReadStream(file), createGunzip(), extract), done]);
}

async function extractZip(file: string, sink: Sink): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    // decodeStrings off: yauzl would reject an escaping name outright; we decode it and report it.
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(err ?? new Error('cannot open zip')) : resolve(z),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const fileName = Buffer.isBuffer(entry.fileName)
          ? (entry.fileName as Buffer).toString('utf8')
          : entry.fileName;
        const rel = admit(sink, fileName, entry.uncompressedSize);
        // Unix mode lives in the high 16 bits of the external attributes; 0o120000 is a symlink.
        const isLink = ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
        if (rel === null || rel === '' || fileName.endsWith('/')) {
          if (rel) await mkdir(join(sink.dir, rel), { recursive: true });
          zip.readEntry();
          return;
        }
        const stream = await new Promise<NodeJS.ReadableStream>((res, rej) =>
          zip.openReadStream(entry, (err, s) => (err || !s ? rej(err ?? new Error('bad entry')) : res(s))),
        );
        const chunks: Buffer[] = [];
        await pipeline(
          stream,
          new Writable({
            write(chunk: Buffer, _enc, cb) {
              chunks.push(chunk);
              cb();
            },
          }),
        );
        const data = Buffer.concat(chunks);
        if (isLink) {
          const target = data.toString('utf8');
          if (!safeLinkTarget(rel, target)) {
            sink.problems.push({
              kind: 'escape',
              entry: fileName,
              message: `archive entry "${fileName}" is a link to "${target}" outside the bundle; it was not extracted`,
            });
          } else {
            await mkdir(dirname(join(sink.dir, rel)), { recursive: true });
            await symlink(target, join(sink.dir, rel));
          }
        } else {
          await writeEntry(sink, rel, data);
        }
        zip.readEntry();
      })().catch(reject);
    });
    zip.readEntry();
  });
}

export async function extractArchive(file: string): Promise<ExtractedArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-bundle-'));
  const sink: Sink = { dir, problems: [], bytes: 0, entries: 0 };
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    if (/\.zip$/i.test(file)) await extractZip(file, sink);
    else await extractTar(file, sink);
  } catch (err) {
    sink.problems.push({
      kind: 'invalid',
      entry: '',
      message: `cannot read archive: ${(err as Error).message}`,
    });
  }
  return { dir, problems: sink.problems, cleanup };
}
