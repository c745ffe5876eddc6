/**
 * Known-but-unsupported types (packs.md 4) are visible: the loaded packs carry them as skipped,
 * with the reason, for every output to list; validate lists them in text and JSON, and --strict
 * fails on them (their W_TYPE_UNSUPPORTED warning).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPacks } from '../../src/validate/packs.js';
import { validatePaths } from '../../src/validate/validate.js';
import { formatValidateResult } from '../../src/ui/findings.js';
import { plain } from '../../src/ui/style.js';
import { validator } from '../../src/schema/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'bin', 'run.js');
const BUILT = existsSync(join(REPO, 'dist', 'commands', 'validate.js'));

const dir = mkdtempSync(join(tmpdir(), 'strata-skipped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'restrictions_manifest.yaml'),
  'pack_version: 1.0.0\npack_name: restrictions\nresource_ids:\n  - block_debits\n',
);
writeFileSync(
  join(dir, 'mixed_manifest.yaml'),
  'pack_version: 1.0.0\npack_name: mixed\nresource_ids:\n  - block_debits\n  - DORMANT\n  - ops_role\n',
);
writeFileSync(
  join(dir, 'restrictions.resources.yaml'),
  [
    '# Restrictions: CLU imports them, strata does not',
    '---',
    'resources:',
    '  - type: RESTRICTION_SET_DEFINITION_VERSION',
    '    id: block_debits',
    '    payload: |',
    '      restriction_set_definition_version:',
    '        restriction_set_definition_id: block_debits',
    '  - type: ROLE',
    '    id: ops_role',
    '    payload: |',
    '      role: {id: ops_role}',
    '  - type: FLAG_DEFINITION',
    '    id: DORMANT',
    '    payload: |',
    '      flag_definition: {id: DORMANT, name: Dormant}',
    '',
  ].join('\n'),
);

describe('unsupported types', () => {
  it('are carried by the loaded pack as skipped, with the reason and where they are defined', async () => {
    const loaded = await loadPacks(['mixed_manifest.yaml'], { cwd: dir });
    try {
      const pack = loaded.packs[0];
      expect(pack?.skipped).toEqual([
        {
          id: 'block_debits',
          type: 'RESTRICTION_SET_DEFINITION_VERSION',
          reason: 'RESTRICTION_SET_DEFINITION_VERSION is a type CLU knows and strata does not import',
          site: { file: 'restrictions.resources.yaml', line: 4, column: 5 },
        },
        {
          id: 'ops_role',
          type: 'ROLE',
          reason: 'ROLE is a type CLU knows and strata does not import',
          site: { file: 'restrictions.resources.yaml', line: 9, column: 5 },
        },
      ]);
      expect(pack?.order).toEqual(['DORMANT']);
    } finally {
      await loaded.cleanup();
    }
  });

  it('are listed by validate in JSON and text, counted in the verdict; --strict fails on them', async () => {
    const result = await validatePaths(['restrictions_manifest.yaml'], { cwd: dir });
    expect(result.status).toBe('VALID');
    expect(result.packs[0]?.skipped).toEqual([
      {
        resource_id: 'block_debits',
        resource_type: 'RESTRICTION_SET_DEFINITION_VERSION',
        reason: 'RESTRICTION_SET_DEFINITION_VERSION is a type CLU knows and strata does not import',
        file: 'restrictions.resources.yaml',
        line: 4,
        column: 5,
      },
    ]);
    expect(result.summary).toMatchObject({ resources: 1, skipped: 1, warnings: 1 });
    const check = validator('validate-result');
    expect(check(JSON.parse(JSON.stringify(result))), JSON.stringify(check.errors)).toBe(true);
    const text = formatValidateResult(result, plain).split('\n');
    expect(text).toContain(
      'restrictions.resources.yaml:4:5: skipped block_debits: RESTRICTION_SET_DEFINITION_VERSION is a type CLU knows and strata does not import',
    );
    expect(text[text.length - 1]).toMatch(
      /^1 pack, 1 resource \(1 skipped\): 0 errors, 1 warning \(\d+ ms\) VALID$/,
    );
    expect(formatValidateResult(result, plain, true).split('\n')).toHaveLength(1);
    expect((await validatePaths(['restrictions_manifest.yaml'], { cwd: dir, strict: true })).status).toBe(
      'INVALID',
    );
  });

  it('leave nothing skipped in a pack of supported types', async () => {
    const result = await validatePaths([join(REPO, 'packs/library/wallet_manifest.yaml')], { cwd: REPO });
    expect(result.packs[0]?.skipped).toEqual([]);
    expect(result.summary.skipped).toBe(0);
    expect(formatValidateResult(result, plain)).not.toContain('skipped');
  });
});

describe.skipIf(!BUILT)('the CLI (needs npm run build)', () => {
  it('lists the skipped resource, exits 0, and 1 with --strict', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'validate', 'restrictions_manifest.yaml', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 60_000,
      });
    const loose = run();
    expect(loose.status, loose.stderr).toBe(0);
    expect(loose.stdout).toContain('skipped block_debits: RESTRICTION_SET_DEFINITION_VERSION');
    expect(run('--strict').status).toBe(1);
  });
});
