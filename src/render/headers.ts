/**
 * Section headers, the one place their format is written: each block of inlined code starts with
 * `# Objects below have been imported from:`, `#    <path>`, `# md5:<hex>[ git:<commit>]`. The
 * md5 and path say what the code is (content); the git part says where it came from
 * (provenance), which `--check` ignores.
 */

export interface SectionHeader {
  /** Path shown in the header (relative to the root, or the file name). */
  path: string;
  /** md5 of the source with LF line endings. */
  md5: string;
  /** Last commit touching the file, or null to omit. */
  git: string | null;
}

export function formatSectionHeader(h: SectionHeader): string {
  return `# Objects below have been imported from:\n#    ${h.path}\n# md5:${h.md5}${h.git !== null ? ` git:${h.git}` : ''}\n`;
}

/** A section header as `formatSectionHeader` writes it: group 1 its content, group 2 its git part. */
const SECTION_HEADER =
  /^(# Objects below have been imported from:\n# {4}.*\n# md5:[0-9a-f]{32})( git:[0-9a-f]+)?$/gm;

/**
 * `rendered` with each section header's `git:` part replaced by the one `existing` has for the
 * same path and md5 (none when `existing` has none): the two then differ only where content does.
 */
export function withProvenanceOf(existing: string, rendered: string): string {
  const provenance = new Map<string, string>();
  for (const m of existing.matchAll(SECTION_HEADER)) provenance.set(m[1] as string, m[2] ?? '');
  return rendered.replace(SECTION_HEADER, (header: string, identity: string) => {
    const kept = provenance.get(identity);
    return kept === undefined ? header : identity + kept;
  });
}
