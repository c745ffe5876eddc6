/**
 * The resource entry schema checks, for editors, a payload written as a mapping and the type name;
 * `strata validate` reports those once, from the payload's own check (positions, hints) and as
 * E_TYPE_UNKNOWN / W_TYPE_UNSUPPORTED, exactly as before the editor checks existed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/validate/packs.js';

describe('validate with the editor checks in the entry schema', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-parity-'));
    writeFileSync(
      join(dir, 'manifest.yaml'),
      'pack_version: 1.0.0\npack_name: p\nresource_ids: [F1, F2, F3, F4]\n',
    );
    writeFileSync(
      join(dir, 'flags.resources.yaml'),
      [
        'resources:',
        '  - type: FLAG_DEFINITION',
        '    id: F1',
        '    payload:',
        '      flag_definition:',
        '        id: F1',
        '        nam: Dormant',
        '  - type: FLAG_DEFINITON',
        '    id: F2',
        '    payload: |',
        '      flag_definition: {id: F2, name: x}',
        '  - type: 5',
        '    id: F3',
        '    payload: {}',
        '  - type: ROLE',
        '    id: F4',
        '    payload: {role: {}}',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each mistake once, where it is', async () => {
    const loaded = await loadPacks([join(dir, 'manifest.yaml')], { cwd: dir });
    const found = loaded.findings.map((f) => `${f.line}:${f.column} ${f.code}`).sort();
    expect(found).toEqual(
      [
        '6:9 E_SCHEMA_REQUIRED', // flag_definition lacks name (at its first key)
        '7:9 E_SCHEMA_UNKNOWN_FIELD', // nam
        '8:11 E_TYPE_UNKNOWN', // FLAG_DEFINITON, with its hint
        '12:11 E_SCHEMA_TYPE', // type: 5
        '15:11 W_TYPE_UNSUPPORTED', // ROLE
      ].sort(),
    );
    expect(loaded.findings.find((f) => f.code === 'E_TYPE_UNKNOWN')?.hint).toBe(
      'did you mean FLAG_DEFINITION?',
    );
  });
});
