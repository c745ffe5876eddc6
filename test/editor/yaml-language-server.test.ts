/**
 * Editor support as docs/editors.md sets it up: yaml-language-server (what VS Code's YAML
 * extension runs), driven over stdio, with strata's schemas mapped to file patterns the way the
 * VS Code settings do and named by a modeline, in a project where the package is installed under
 * node_modules/strata-cli. The diagnostics it publishes are checked: mistakes in the outer YAML,
 * inside a payload written as a mapping, in the type name; none on the example packs; no schema
 * fetched from anywhere.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageServer, type Diagnostic } from './lsp.js';

const root = join(import.meta.dirname, '..', '..');

/** The `yaml.schemas` setting of docs/editors.md (VS Code's settings.json), read from the doc itself. */
function documentedSettings(): Record<string, string[]> {
  const doc = readFileSync(join(root, 'docs', 'editors.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/editors.md has no VS Code settings block');
  return (JSON.parse(block) as { 'yaml.schemas': Record<string, string[]> })['yaml.schemas'];
}

function files(dir: string, suffix: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, suffix);
    return suffix.test(name) ? [path] : [];
  });
}

const at = (d: Diagnostic): string => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`;

describe('yaml-language-server with the documented setup', () => {
  let project: string;
  let server: LanguageServer;

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'strata-editor-'));
    mkdirSync(join(project, 'node_modules', 'strata-cli'), { recursive: true });
    cpSync(join(root, 'schemas'), join(project, 'node_modules', 'strata-cli', 'schemas'), {
      recursive: true,
    });
    cpSync(join(root, 'packs'), join(project, 'packs'), { recursive: true });
    // Relative paths of the setting resolve against the workspace root, as in VS Code.
    const schemas = Object.fromEntries(
      Object.entries(documentedSettings()).map(([path, globs]) => [
        pathToFileURL(join(project, path)).href,
        globs,
      ]),
    );
    server = new LanguageServer({ yaml: { validate: true, hover: true, completion: true, schemas } });
    await server.start(project);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('flags a mistake inside a payload written as a mapping, at its line', async () => {
    const text = [
      'type: FLAG_DEFINITION',
      'id: DORMANCY_FLAG',
      'payload:',
      '  flag_definition:',
      '    id: DORMANCY_FLAG',
      '    nam: Dormant',
      '    flag_visibility: FLAG_VISIBILITY_OPERATR',
      '',
    ].join('\n');
    const found = (await server.diagnose(join(project, 'dormancy.resource.yaml'), text)).map(at);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^6:5 Property nam is not allowed\./),
        expect.stringMatching(
          /^7:22 Value is not accepted\. Valid values: "FLAG_VISIBILITY_OPERATOR", "FLAG_VISIBILITY_CONTRACT"/,
        ),
        expect.stringMatching(/^4:3 Missing property "name"\./),
      ]),
    );
  });

  it('flags mistakes in the outer YAML and an unknown type, and accepts types CLU knows', async () => {
    const text = [
      'resources:',
      '  - type: FLAG_DEFINITON',
      '    id: A',
      '    payload: |',
      '      flag_definition: {}',
      '  - type: CALENDAR',
      '    id: B',
      '    activte: true',
      '    on_conflict: SKP',
      '    payload: |',
      '      calendar: {}',
      '  - type: ROLE',
      '    id: C',
      '    payload: |',
      '      role: {}',
      '',
    ].join('\n');
    const found = (await server.diagnose(join(project, 'mixed.resources.yaml'), text)).map(at);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2:11 Value is not accepted\. Valid values: "CALENDAR", "FLAG_DEFINITION"/),
        expect.stringMatching(/^8:5 Property activte is not allowed\./),
        expect.stringMatching(/^9:18 Value is not accepted\. Valid values: "IGNORE", "UPDATE", "SKIP"/),
      ]),
    );
    expect(found.filter((d) => d.startsWith('12:') || d.startsWith('13:'))).toEqual([]);
  });

  it('checks a file that names its schema in a modeline', async () => {
    const text = [
      '# yaml-language-server: $schema=../node_modules/strata-cli/schemas/manifest.schema.json',
      'pack_version: 1.0.0',
      'pack_nam: wallet',
      'resource_ids: [a]',
      '',
    ].join('\n');
    mkdirSync(join(project, 'other'), { recursive: true });
    const found = (await server.diagnose(join(project, 'other', 'packs.yaml'), text)).map(at);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3:1 Property pack_nam is not allowed\./),
        expect.stringMatching(/Missing property "pack_name"/),
      ]),
    );
  });

  it('completes the type with every resource type, each described', async () => {
    const uri = pathToFileURL(join(project, 'new.resource.yaml')).href;
    await server.diagnose(join(project, 'new.resource.yaml'), 'type: \nid: x\npayload: |\n  {}\n');
    const result = (await server.request('textDocument/completion', {
      textDocument: { uri },
      position: { line: 0, character: 6 },
    })) as { items: Array<{ label: string; documentation?: string | { value: string } }> };
    const byLabel = new Map(result.items.map((i) => [i.label, i]));
    expect(byLabel.has('SMART_CONTRACT_VERSION')).toBe(true);
    const doc = byLabel.get('CALENDAR_EVENT')?.documentation;
    expect(typeof doc === 'string' ? doc : doc?.value).toMatch(/event of a calendar/);
  });

  it('finds nothing wrong in the example packs, and fetches no schema', async () => {
    const yaml = files(join(project, 'packs'), /(\.resources?\.yaml|manifest\.yaml)$/);
    expect(yaml.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const file of yaml) {
      const found = await server.diagnose(file, readFileSync(file, 'utf8'));
      problems.push(...found.map((d) => `${relative(project, file)}:${at(d)}`));
    }
    // An unresolvable $ref (a schema id elsewhere than its file) would show here as "Unable to load schema".
    expect(problems).toEqual([]);
    expect(server.requestedUrls).toEqual([]);
  }, 60_000);
});
