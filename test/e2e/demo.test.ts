import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('npm run demo (scripts/demo.js)', () => {
  it('starts the server, imports the example packs, re-imports with nothing changed, plans clean, moves money on the ledger, stops', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(root, 'scripts', 'demo.js')], {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/== Import again: nothing changes\n[\s\S]*resources, all unchanged/);
    expect(r.out).toMatch(/NO CHANGES/);
    // The ledger part: alice deposited 100.00, paid bob 25.50 and settled a card payment of 7.30.
    expect(r.out).toMatch(
      /alice-current \(live\)\n {2}DEFAULT {2}COMMERCIAL_BANK_MONEY {2}GBP {2}COMMITTED +67\.20/,
    );
    expect(r.out).toMatch(
      /bob-current \(live\)\n {2}DEFAULT {2}COMMERCIAL_BANK_MONEY {2}GBP {2}COMMITTED +25\.50/,
    );
    expect(r.out).toMatch(/ledger: 2 accounts, 4 batches, \d+ events, verify clean/);
    expect(r.out).toMatch(/server stopped \(exit 0\)/);
  }, 120_000);
});
