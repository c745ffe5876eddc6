/** `strata server verify` as a user runs it: exit 0 on a clean ledger, 1 with findings naming rows. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { deposit, instruction, rid, seedLedger } from './server-helpers.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function verify(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [bin, 'server', 'verify', '--data-dir', dir, ...args], {
    encoding: 'utf8',
  });
}

describe('strata server verify', { timeout: 120_000 }, () => {
  it('exits 0 on a clean ledger and 1 with findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-verify-'));
    dirs.push(dir);
    const storage = await SqliteStorage.open(join(dir, 'strata.db'));
    const { token } = await issueToken(storage, { scopes: ['admin'], name: 't' });
    const app = buildApp({ storage });
    const post = (url: string, body: unknown) =>
      app.inject({ method: 'POST', url, headers: { 'x-auth-token': token }, payload: body as object });
    await seedLedger(post);
    await post('/v1/accounts', {
      request_id: rid(),
      account: { id: 'acc', product_id: 'current_account', permitted_denominations: ['GBP'] },
    });
    const res = await post('/v1/posting-instruction-batches', {
      request_id: rid(),
      posting_instruction_batch: {
        client_id: 'c',
        posting_instructions: [instruction('d', 'inbound_hard_settlement', deposit('1.00', 'acc'))],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    await app.close();
    await storage.close();

    const clean = verify(dir, '--json');
    expect(clean.status, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({
      ok: true,
      findings: [],
      counts: { batches: 1, postings: 2 },
    });
    const schema = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'verify-result.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate(JSON.parse(clean.stdout)), JSON.stringify(validate.errors)).toBe(true);

    const tampered = await SqliteStorage.open(join(dir, 'strata.db'));
    await tampered.write((tx) =>
      tx.ledger.insertBatch({
        id: 'ghost',
        requestId: 'ghost',
        clientId: 'c',
        clientBatchId: '',
        status: 'REJECTED',
        valueTime: 1,
        insertionTime: 1,
        body: '{}',
      }),
    );
    await tampered.close();
    const found = verify(dir);
    expect(found.status).toBe(1);
    expect(found.stdout).toContain('BATCH_WITHOUT_EVENT batch ghost has no');
    expect(found.stdout).toContain('[ledger_batches id=ghost]');
    expect(found.stderr).toMatch(/1 finding\(s\): 2 batches/);
  });
});
