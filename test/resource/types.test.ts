/** The per-type functions the CLI and the server share, and the validator's use of them. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endsAfterStart } from '../../src/resource/types/calendar-event.js';
import {
  isDefinitionVersion,
  readSpecification,
  workflowVersionId,
} from '../../src/resource/types/workflow-definition-version.js';
import { loadPacks } from '../../src/validate/packs.js';

describe('calendar event times', () => {
  it('end after start, exclusive; undecided while references or non-timestamps', () => {
    const event = (start: string, end: string) => ({ start_timestamp: start, end_timestamp: end });
    expect(endsAfterStart(event('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'))).toBe(true);
    expect(endsAfterStart(event('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'))).toBe(false);
    expect(endsAfterStart(event('2026-01-01T01:00:00+01:00', '2026-01-01T00:30:00Z'))).toBe(true);
    expect(endsAfterStart(event('&{start}', '2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(endsAfterStart(event('soon', '2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(endsAfterStart({})).toBeUndefined();
  });
});

describe('workflow specifications', () => {
  it('give the version id <definition_version>,<workflow_definition_id>', () => {
    const spec = 'name: Close\ndefinition_version: 1.2.0\nstates: {}\n';
    expect(readSpecification(spec)).toEqual({ ok: true, definitionVersion: '1.2.0', name: 'Close' });
    expect(workflowVersionId({ specification: spec, workflow_definition_id: 'CLOSE' })).toBe('1.2.0,CLOSE');
    // A YAML number reads as its text, as the server stores it.
    expect(workflowVersionId({ specification: 'definition_version: 2\n', workflow_definition_id: 'W' })).toBe(
      '2,W',
    );
  });

  it('say what is wrong with a specification the server would refuse', () => {
    expect(readSpecification('a: [')).toMatchObject({ ok: false, problem: 'yaml' });
    expect(readSpecification('name: x\n')).toEqual({ ok: false, problem: 'definition_version' });
    expect(readSpecification('definition_version: 1.0 beta\n')).toEqual({
      ok: false,
      problem: 'definition_version',
    });
    expect(workflowVersionId({ specification: 'name: x\n', workflow_definition_id: 'W' })).toBeUndefined();
    for (const v of ['1.0.0', 'v2:rc_1', 3]) expect(isDefinitionVersion(v), String(v)).toBe(true);
    for (const v of ['1.0 beta', '', null, undefined, true, '1,0'])
      expect(isDefinitionVersion(v), String(v)).toBe(false);
  });

  it('with a definition_version that cannot be part of an id fail validation where it is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-workflow-'));
    try {
      writeFileSync(
        join(dir, 'manifest.yaml'),
        'pack_version: 1.0.0\npack_name: wf\nresource_ids:\n  - CLOSE\n',
      );
      writeFileSync(
        join(dir, 'close.yaml'),
        'name: Close\ndefinition_version: 1.0 beta\nstarting_state: a\n',
      );
      writeFileSync(
        join(dir, 'close.resource.yaml'),
        [
          'type: WORKFLOW_DEFINITION_VERSION',
          'id: CLOSE',
          'payload: |',
          '  workflow_definition_version:',
          '    workflow_definition_id: CLOSE',
          '    specification: "@{close.yaml}"',
          '',
        ].join('\n'),
      );
      const loaded = await loadPacks([join(dir, 'manifest.yaml')], { cwd: dir });
      await loaded.cleanup();
      const found = loaded.findings.filter((f) => f.code === 'E_WORKFLOW_SPEC');
      expect(found).toMatchObject([{ file: 'close.yaml', line: 2, column: 21 }]);
      expect(found[0]?.message).toContain('"1.0 beta"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
