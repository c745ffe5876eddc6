/**
 * Findings: what `validate` reports. Every finding has a stable code from this catalog; tools and
 * tests match on the code, people read the message. Codes never change meaning once released.
 */
/**
 * `error` makes a pack invalid; `warning` does not, unless `--strict`; `note` is information that
 * never fails a run, not even with `--strict` (SARIF's three levels).
 */
export type Severity = 'error' | 'warning' | 'note';

export interface Position {
  /** Path as shown to the user (relative to the working directory where possible). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like editors do. */
  column: number;
}

export interface Finding extends Position {
  code: FindingCode;
  severity: Severity;
  message: string;
  hint?: string;
  /** The resource the finding belongs to, when there is one. */
  resourceId?: string;
}

/**
 * Pack text as a message quotes it: cut to `max` characters, so a hostile or broken file (a 1 MB
 * id, a line of random bytes) cannot make a finding huge. Terminal escaping is the output's job.
 */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export const FINDING_CODES = {
  E_PATH_NOT_FOUND: 'A path given on the command line does not exist.',
  E_MANIFEST_NOT_FOUND:
    'No manifest (manifest.yaml, *.manifest.yaml, *_manifest.yaml) was found at the path.',
  E_MANIFEST_AMBIGUOUS: 'A pack directory holds several manifests; name the one to use.',
  E_ARCHIVE_INVALID: 'A bundle archive could not be read.',
  E_ARCHIVE_ESCAPE: 'An archive entry would be extracted outside the extraction root.',
  E_FILE_READ: 'A file could not be read.',
  E_FILE_NOT_REGULAR:
    'A path is a FIFO, socket, device or directory where a file is expected (or such an archive entry); it is not read.',
  E_FILE_TOO_LARGE:
    'A file or archive entry is over the per-file size limit (--max-file-size), or code too large for the Python parser; it is not read.',
  E_INPUT_TOO_LARGE:
    'The files read, or an archive expanded, would pass the total size limit (--max-total-size), or an archive has too many entries.',
  E_FILE_BINARY:
    'A file holds binary data (a NUL byte) where YAML or Python text is expected; it is not parsed.',
  E_YAML_SYNTAX: 'A YAML document does not parse.',
  E_YAML_DUPLICATE_KEY: 'A mapping has the same key twice.',
  E_YAML_ALIAS_LIMIT: 'A YAML document expands aliases beyond the safety bound (alias bomb).',
  E_SCHEMA: 'A value does not satisfy its JSON Schema.',
  E_SCHEMA_REQUIRED: 'A required field is missing.',
  E_SCHEMA_UNKNOWN_FIELD: 'A field is not part of the schema.',
  E_SCHEMA_ENUM: 'A value is not one of the allowed values.',
  E_SCHEMA_TYPE: 'A value has the wrong type.',
  E_TYPE_UNKNOWN: 'A resource type is not one Strata or CLU knows.',
  W_TYPE_UNSUPPORTED: 'A resource type CLU knows but Strata does not import; it is skipped.',
  E_ID_NOT_DEFINED: 'A manifest lists an id that no resource file defines.',
  W_ID_LISTED_TWICE: 'A manifest lists the same id more than once.',
  E_ID_DUPLICATE: 'A listed or referenced id is defined more than once.',
  W_DUPLICATE_UNLISTED:
    'Ids that no manifest lists or references are defined more than once under a pack root (a note: one per root, counting them).',
  E_BUNDLE_DUPLICATE_ID: 'Two packs of one bundle list the same id.',
  E_REF_UNKNOWN: 'A reference names an id that is not listed in the pack manifest.',
  E_REF_CROSS_PACK: 'A reference names an id that belongs to another pack of the bundle.',
  E_REF_NOT_IMPORTED: 'A reference names a resource whose type strata does not import.',
  E_REF_FIELD: 'A reference names a field the target type never has.',
  E_REF_MALFORMED: 'Text that starts a reference (&{) is not a valid reference.',
  E_CYCLE: 'References form a cycle.',
  E_FILE_MISSING: 'An @{path} file does not exist.',
  E_FILE_OUTSIDE_ROOT: 'An @{path} file resolves outside the pack root.',
  E_PY_SYNTAX: 'Inlined Python code does not parse.',
  E_PY_METADATA: 'A contract lacks valid api or version metadata.',
  E_PARAM_UNDECLARED: 'A product version sets a parameter the contract does not declare.',
  E_UNRENDERED_TEMPLATE:
    'Contract code still imports feature modules: it is a template, not a rendered contract.',
  E_WORKFLOW_SPEC: 'A workflow specification does not parse or lacks definition_version.',
  E_TIME_RANGE: 'A time range ends at or before its start.',
  E_ACTIVATE_CONFLICT: 'More than one version of one product or workflow is marked activate: true.',
  W_VAULT_ID_DIFFERS: "An internal account's vault_id differs from its payload id.",
} as const;

export type FindingCode = keyof typeof FINDING_CODES;

/** Codes reported as notes. Their `W_` prefix is kept: codes never change once released. */
const NOTES: ReadonlySet<FindingCode> = new Set<FindingCode>(['W_DUPLICATE_UNLISTED']);

export function severityOf(code: FindingCode): Severity {
  if (NOTES.has(code)) return 'note';
  return code.startsWith('W_') ? 'warning' : 'error';
}

/** Whether a finding fails the run: errors always, warnings under `--strict`, notes never. */
export function fails(f: { severity: Severity }, strict: boolean): boolean {
  return f.severity === 'error' || (strict && f.severity === 'warning');
}
