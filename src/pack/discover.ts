/**
 * Turns command-line paths into packs: a manifest file, a pack directory (exactly one manifest
 * directly in it), a bundle directory (every manifest.yaml / *.manifest.yaml below it starts a
 * pack) or a bundle archive (extracted to a temporary directory, then a bundle directory).
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { extractArchive, isArchivePath, type ArchiveProblem } from './archive.js';
import { describeFileType, formatSize, type ReadLimits } from './limits.js';
import type { Finding } from '../findings.js';

export interface PackSource {
  /** Absolute path of the manifest. */
  manifest: string;
  /** Absolute path of the pack root (the manifest's directory). */
  root: string;
  /** Display name of the bundle this pack belongs to, or null for a lone pack. */
  bundle: string | null;
}

/** How absolute paths are shown; plain data so worker threads show paths the same way. */
export interface DisplayMap {
  cwd: string;
  archives: Array<{ dir: string; shown: string }>;
}

/** Relative to the working directory, archive entries as `archive!/entry`. */
export function displayPath(map: DisplayMap, absolute: string): string {
  for (const a of map.archives) {
    if (absolute === a.dir || absolute.startsWith(a.dir + sep)) {
      return `${a.shown}!/${relative(a.dir, absolute).split(sep).join('/')}`;
    }
  }
  const rel = relative(map.cwd, absolute);
  return rel === '' ? '.' : rel.startsWith('..') ? absolute : rel.split(sep).join('/');
}

export interface Discovery {
  packs: PackSource[];
  findings: Finding[];
  displayMap: DisplayMap;
  /** Path as shown to the user: relative to the working directory, archive entries as `archive!/entry`. */
  display(absolute: string): string;
  cleanup(): Promise<void>;
}

export function isManifestName(name: string): boolean {
  return name === 'manifest.yaml' || name.endsWith('.manifest.yaml') || name.endsWith('_manifest.yaml');
}

/** Manifests that start a pack inside a bundle (packs.md 1). */
export function isBundleManifestName(name: string): boolean {
  return name === 'manifest.yaml' || name.endsWith('.manifest.yaml');
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.strata']);

/** Every non-directory entry below `dir` (recursively, sorted, skipping VCS and dependency folders). */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) visit(p);
      } else {
        // FIFOs, sockets and devices too: a resource file that is one is refused, not ignored.
        out.push(p);
      }
    }
  };
  visit(dir);
  return out;
}

function at(file: string, code: Finding['code'], message: string, hint?: string): Finding {
  return { code, severity: 'error', message, file, line: 1, column: 1, ...(hint ? { hint } : {}) };
}

const ARCHIVE_CODES: Record<ArchiveProblem['kind'], Finding['code']> = {
  escape: 'E_ARCHIVE_ESCAPE',
  invalid: 'E_ARCHIVE_INVALID',
  'not-regular': 'E_FILE_NOT_REGULAR',
  'too-large': 'E_FILE_TOO_LARGE',
  'over-total': 'E_INPUT_TOO_LARGE',
};

const ARCHIVE_HINTS: Partial<Record<ArchiveProblem['kind'], string>> = {
  escape: 'rebuild the archive from inside the bundle directory (tar -czf bundle.tgz -C bundle .)',
  'not-regular': 'bundles hold files, directories and symbolic links only',
  'too-large': 'if the entry is meant to be this large, raise the limit with --max-file-size',
  'over-total': 'if the bundle is meant to be this large, raise the limit with --max-total-size',
};

export async function discoverPacks(
  paths: readonly string[],
  cwd: string,
  limits: ReadLimits,
): Promise<Discovery> {
  const packs: PackSource[] = [];
  const findings: Finding[] = [];
  const displayMap: DisplayMap = { cwd, archives: [] };
  const cleanups: Array<() => Promise<void>> = [];
  const display = (absolute: string): string => displayPath(displayMap, absolute);

  const addBundle = (dir: string, shown: string): void => {
    const all = walkFiles(dir);
    const manifests = all.filter((f) => isBundleManifestName(basename(f)));
    if (manifests.length === 0) {
      const others = all.filter((f) => isManifestName(basename(f))).map(display);
      findings.push(
        at(
          shown,
          'E_MANIFEST_NOT_FOUND',
          `no manifest in ${shown}: a pack needs manifest.yaml, *.manifest.yaml or *_manifest.yaml, a bundle manifest.yaml or *.manifest.yaml files below it`,
          others.length > 0
            ? `these manifests are below it; pass them directly: strata validate ${others.join(' ')}`
            : undefined,
        ),
      );
      return;
    }
    for (const m of manifests) packs.push({ manifest: m, root: dirname(m), bundle: shown });
  };

  for (const given of paths) {
    const absolute = resolve(cwd, given);
    let stat;
    try {
      stat = statSync(absolute);
    } catch {
      findings.push(
        at(
          given,
          'E_PATH_NOT_FOUND',
          `${given} does not exist`,
          'check the path, or run from the right directory',
        ),
      );
      continue;
    }
    if (stat.isDirectory()) {
      const direct = readdirSync(absolute)
        .filter((n) => isManifestName(n))
        .sort();
      if (direct.length === 1) {
        packs.push({ manifest: join(absolute, direct[0] as string), root: absolute, bundle: null });
      } else if (direct.length > 1) {
        const names = direct.map((n) => display(join(absolute, n)));
        findings.push(
          at(
            display(absolute),
            'E_MANIFEST_AMBIGUOUS',
            `${display(absolute)} holds ${direct.length} manifests (${direct.join(', ')}); which pack did you mean?`,
            `pass the manifest(s) to validate: strata validate ${names.join(' ')}`,
          ),
        );
      } else {
        addBundle(absolute, display(absolute));
      }
    } else if (isArchivePath(absolute)) {
      const shown = display(absolute);
      if (!stat.isFile()) {
        findings.push(
          at(
            shown,
            'E_FILE_NOT_REGULAR',
            `${shown} is ${describeFileType(stat)}, not a regular file; it was not read`,
            'pass the archive file itself',
          ),
        );
        continue;
      }
      if (stat.size > limits.totalBytes) {
        findings.push(
          at(
            shown,
            'E_INPUT_TOO_LARGE',
            `${shown} is ${formatSize(stat.size)}, over the limit of ${formatSize(limits.totalBytes)} read in total; it was not read`,
            ARCHIVE_HINTS['over-total'],
          ),
        );
        continue;
      }
      const extracted = await extractArchive(absolute, limits);
      displayMap.archives.push({ dir: extracted.dir, shown });
      cleanups.push(extracted.cleanup);
      for (const p of extracted.problems) {
        findings.push(
          at(
            p.entry ? `${shown}!/${p.entry}` : shown,
            ARCHIVE_CODES[p.kind],
            p.message,
            ARCHIVE_HINTS[p.kind],
          ),
        );
      }
      // An archive that could not be read, or was cut short by a limit, is not validated further.
      if (
        !extracted.problems.some((p) => (p.kind === 'invalid' || p.kind === 'over-total') && p.entry === '')
      )
        addBundle(extracted.dir, shown);
    } else if (isManifestName(basename(absolute))) {
      packs.push({ manifest: absolute, root: dirname(absolute), bundle: null });
    } else {
      findings.push(
        at(
          display(absolute),
          'E_MANIFEST_NOT_FOUND',
          `${display(absolute)} is not a manifest, a pack or bundle directory, or a bundle archive`,
          'pass a manifest (manifest.yaml, *.manifest.yaml, *_manifest.yaml), a directory, or a .tar.gz/.tgz/.zip bundle',
        ),
      );
    }
  }

  // The same manifest named twice (a file and its directory) is one pack.
  const seen = new Set<string>();
  const unique = packs.filter((p) => (seen.has(p.manifest) ? false : (seen.add(p.manifest), true)));
  return {
    packs: unique,
    findings,
    displayMap,
    display,
    async cleanup() {
      await Promise.all(cleanups.map((c) => c()));
    },
  };
}
