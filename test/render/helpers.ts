import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { RenderDiagnostic } from '../../src/render/diagnostics.js';
import { renderTemplates, type RenderOptions, type TemplateResult } from '../../src/render/service.js';

const dirs: string[] = [];

/** Write a file tree (path -> text, `'` lines dedented) into a fresh temp dir; returns the dir. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-render-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, dedent(text));
  }
  return dir;
}

export function cleanTrees(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Strip the common indentation of a template literal and its first newline. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

export const API_HEADER = `
  from contracts_api import requires, fetch_account_data
  api = "4.0.0"
  version = "1.0.0"
`;

/** A template in `<dir>/contracts/template/t.py` with the given body after the metadata. */
export function template(body: string, imports = ''): string {
  return `${imports === '' ? '' : `${dedent(imports)}\n`}${dedent(API_HEADER)}\n${dedent(body)}`;
}

export interface Rendered {
  dir: string;
  result: TemplateResult;
  text: string;
  errors: RenderDiagnostic[];
}

/** Render `contracts/template/t.py` (or `path`) in `dir` with --no-git; returns the output text. */
export async function renderIn(
  dir: string,
  path = 'contracts/template/t.py',
  options: Partial<RenderOptions> = {},
): Promise<Rendered> {
  const r = await renderTemplates([path], { cwd: dir, version: '0.0.0-test', git: false, ...options });
  const result = r.templates[0] as TemplateResult;
  const out = join(dir, result.output);
  let text = '';
  if (result.status === 'written' || result.status === 'unchanged') text = readFileSync(out, 'utf8');
  return { dir, result, text, errors: result.errors };
}

/**
 * Render and require success, then check the properties every rendered output must have: it
 * parses as Python, every name it reads is defined, imported or a builtin, and rendering again
 * gives the same bytes.
 */
export async function renderOk(
  files: Record<string, string>,
  options: Partial<RenderOptions> = {},
): Promise<Rendered> {
  const dir = writeTree(files);
  const first = await renderIn(dir, 'contracts/template/t.py', options);
  expect(first.errors).toEqual([]);
  expect(first.result.status).toBe('written');
  checkPython(join(dir, first.result.output));
  const again = await renderTemplates(['contracts/template/t.py'], {
    cwd: dir,
    version: '0.0.0-test',
    git: false,
    ...options,
    check: true,
  });
  expect(again.templates[0]?.status).toBe('up_to_date');
  return first;
}

/** Render and expect failure; returns the diagnostics. */
export async function renderErrors(files: Record<string, string>): Promise<RenderDiagnostic[]> {
  const dir = writeTree(files);
  const r = await renderIn(dir);
  expect(r.result.status).toBe('failed');
  expect(r.errors.length).toBeGreaterThan(0);
  return r.errors;
}

/** Python's own parser and a symbol-table check (test/render/pycheck.py) on a rendered file. */
export function checkPython(path: string): void {
  const r = spawnSync('python3', [join(import.meta.dirname, 'pycheck.py'), path], { encoding: 'utf8' });
  expect(r.stderr, `python3 could not parse ${path}`).toBe('');
  expect(r.stdout, `names used but not defined in ${path}`).toBe('');
  expect(r.status).toBe(0);
}

/** The body of one section of a rendered file (after its header), by the header's path. */
export function section(text: string, path: string): string {
  const marker = `#    ${path}\n`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no section for ${path}`);
  const body = text.slice(text.indexOf('\n', at + marker.length) + 1);
  const next = body.indexOf('# Objects below have been imported from:');
  return next < 0 ? body : body.slice(0, next);
}

/** Top-level names a rendered text defines (def, class, NAME =). */
export function topLevelNames(text: string): string[] {
  return [...text.matchAll(/^(?:def |class )?([A-Za-z_]\w*)(?:\(|:| =|\s*=)/gm)].map((m) => m[1] as string);
}
