import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../src/env.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it.each(Object.keys(ENVIRONMENT))('lists the environment variable %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\|\\s*\`${name}\`\\s*\\|`));
  });

  it('lists every exit code the commands use', () => {
    for (const code of [0, 1, 2, 3, 64, 130]) expect(readme).toMatch(new RegExp(`\\|\\s*${code}\\s*\\|`));
  });
});

describe('README command reference', () => {
  it('matches the commands (npm run readme regenerates it)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'readme.js'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
