/**
 * docs/ for users: the generated parts match the code (commands, error and finding catalogs,
 * environment variables, resource types, config keys, the API), and every link of the docs and
 * the README resolves inside the repository, to a file users get (no sources, no specs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ERRORS } from '../../src/errors.js';
import { ENVIRONMENT } from '../../src/env.js';
import { FINDING_CODES } from '../../src/findings.js';
import { ERROR_CATALOG } from '../../src/server/errors.js';
import { RESOURCE_TYPES } from '../../src/resource/index.js';

const root = join(import.meta.dirname, '..', '..');
const docs = join(root, 'docs');
const pages = readdirSync(docs).filter((f) => f.endsWith('.md'));
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(
      m[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return out;
}

function links(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('docs/', () => {
  it('is current with the code (npm run docs regenerates it)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'docs.js'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr, 'run npm run docs').toBe('');
    expect(r.status).toBe(0);
  });

  it('has a page for each subject, all reachable from its index', () => {
    const index = read('docs/README.md');
    for (const page of pages.filter((p) => p !== 'README.md')) expect(index).toContain(`](${page})`);
    for (const page of [
      'packs.md',
      'commands.md',
      'configuration.md',
      'environment.md',
      'errors.md',
      'server.md',
      'api.md',
      'editors.md',
    ])
      expect(pages).toContain(page);
  });

  it('documents every command, error code, finding code, variable and resource type', () => {
    const commands = read('docs/commands.md');
    for (const id of Object.keys(
      (JSON.parse(read('oclif.manifest.json')) as { commands: Record<string, unknown> }).commands,
    ))
      expect(commands).toContain(`## strata ${id.replace(/:/g, ' ')}\n`);
    const errors = read('docs/errors.md');
    for (const code of [
      ...Object.keys(CLI_ERRORS),
      ...Object.keys(FINDING_CODES),
      ...Object.keys(ERROR_CATALOG),
    ])
      expect(errors).toContain(`| \`${code}\` |`);
    const environment = read('docs/environment.md');
    for (const name of Object.keys(ENVIRONMENT)) expect(environment).toContain(`| \`${name}\` |`);
    const packs = read('docs/packs.md');
    for (const type of RESOURCE_TYPES) expect(packs).toContain(`| \`${type}\` |`);
  });

  it.each(['README.md', ...pages.map((p) => `docs/${p}`)])(
    '%s links only to files in the repository',
    (file) => {
      const from = dirname(join(root, file));
      const problems: string[] = [];
      for (const link of links(read(file))) {
        if (/^https?:\/\//.test(link)) continue;
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const target = path === '' ? join(root, file) : resolve(from, path);
        const inside = relative(root, target);
        if (inside.startsWith('..') || /^(src|test|scripts)\//.test(inside)) {
          problems.push(`${link}: outside what users get`);
          continue;
        }
        if (!existsSync(target)) {
          problems.push(`${link}: no such file`);
          continue;
        }
        if (
          anchor !== undefined &&
          statSync(target).isFile() &&
          !anchors(readFileSync(target, 'utf8')).has(anchor)
        )
          problems.push(`${link}: no heading #${anchor}`);
      }
      expect(problems).toEqual([]);
    },
  );
});
