/** The ledger commands as a user runs them, against a real server on a real SQLite file. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { issueToken } from '../../src/server/auth.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/types.js';
import { seedLedger } from './server-helpers.js';
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { withAbsoluteId } from '../../src/schema/index.js';

const schemasDir = join(import.meta.dirname, '..', '..', 'schemas');
function schemaFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? schemaFiles(dir, `${prefix}${e.name}/`)
      : e.name.endsWith('.json')
        ? [`${prefix}${e.name}`]
        : [],
  );
}
/** Checks a command's JSON result against its schema in schemas/ (with the schemas it refers to). */
function expectSchema(name: string, data: unknown): void {
  const read = (file: string) =>
    JSON.parse(readFileSync(join(schemasDir, file), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addKeyword('x-strata');
  ajv.addKeyword('markdownEnumDescriptions');
  for (const file of schemaFiles(schemasDir)) ajv.addSchema(withAbsoluteId(read(file), file));
  const validate = ajv.getSchema(
    withAbsoluteId(read(`${name}.schema.json`), `${name}.schema.json`)['$id'] as string,
  );
  if (!validate) throw new Error(`no schema ${name}`);
  expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
}

const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');
let dir: string;
let storage: Storage;
let app: FastifyInstance;
let url: string;
let token: string;

/** Runs the CLI; resolves with its exit code and output. */
function strata(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--url', url], {
      env: { ...process.env, STRATA_AUTH_TOKEN: token, NO_COLOR: '1' },
      cwd: dir,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-ledger-cli-'));
  storage = await SqliteStorage.open(join(dir, 'strata.db'));
  token = (await issueToken(storage, { scopes: ['admin'], name: 't' })).token;
  app = buildApp({ storage });
  await seedLedger((u, body) =>
    app.inject({ method: 'POST', url: u, headers: { 'x-auth-token': token }, payload: body as object }),
  );
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each test runs the CLI several times (a process start each): generous on a loaded machine.
describe('ledger commands', { timeout: 120_000 }, () => {
  it('accounts open (idempotent by content), accounts show, post, balances, events tail', async () => {
    const opened = await strata(
      'accounts',
      'open',
      '--product',
      'current_account',
      '--customer',
      'alice',
      '--id',
      'acc-1',
      '--json',
    );
    expect(opened.status, opened.stderr).toBe(0);
    expect(opened.stderr).toContain(`target: ${url} (token STRATA_AUTH_TOKEN)`);
    expect(JSON.parse(opened.stdout)).toMatchObject({
      account: { id: 'acc-1', product_id: 'current_account' },
      replayed: false,
    });
    expectSchema('accounts-result', JSON.parse(opened.stdout));
    const again = await strata(
      'accounts',
      'open',
      '--product',
      'current_account',
      '--customer',
      'alice',
      '--id',
      'acc-1',
    );
    expect(again.stdout).toMatch(/^already opened account acc-1 on current_account/);
    await strata('accounts', 'open', '--product', 'current_account', '--customer', 'bob', '--id', 'acc-2');

    const yaml = [
      'client_id: cli',
      'posting_instructions:',
      '  - client_transaction_id: dep-1',
      '    inbound_hard_settlement:',
      '      amount: 100.10',
      '      denomination: GBP',
      '      target_account: {account_id: acc-1}',
      '      internal_account_id: BANK',
      '---',
      'client_id: cli',
      'posting_instructions:',
      '  - client_transaction_id: t-1',
      '    transfer: {amount: "0.10", denomination: GBP, debtor_target_account: {account_id: acc-1}, creditor_target_account: {account_id: acc-2}}',
      '---',
      'client_id: cli',
      'posting_instructions:',
      '  - client_transaction_id: t-2',
      '    transfer: {amount: "1000", denomination: GBP, debtor_target_account: {account_id: acc-1}, creditor_target_account: {account_id: acc-2}}',
    ].join('\n');
    writeFileSync(join(dir, 'batches.yaml'), yaml);
    const posted = await strata('post', 'batches.yaml', '--json');
    expect(posted.status, posted.stderr).toBe(2);
    expect(JSON.parse(posted.stdout)).toMatchObject({
      counts: { batches: 3, accepted: 2, rejected: 1, errors: 0, replayed: 0 },
    });
    expect(posted.stderr).toContain(
      'batches.yaml#3 REJECTED posting_instructions[0]: ACCOUNT_VIOLATION_INSUFFICIENT_FUNDS (acc-1)',
    );
    // Posting the same file again replays: nothing is posted twice.
    const replay = await strata('post', 'batches.yaml');
    expect(replay.stdout).toContain('3 batches, 2 accepted, 1 rejected, 0 refused (3 replayed)');

    const balances = await strata('balances', 'acc-1');
    expect(balances.status).toBe(0);
    expect(balances.stdout).toMatch(
      /acc-1 \(live\)\n {2}DEFAULT {2}COMMERCIAL_BANK_MONEY {2}GBP {2}COMMITTED {2}100\.00/,
    );
    const shown = await strata('accounts', 'show', 'acc-2', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      account: { id: 'acc-2' },
      balances: [{ amount: '0.10' }],
    });
    expectSchema('accounts-result', JSON.parse(shown.stdout));

    const tail = await strata(
      'events',
      'tail',
      '--topic',
      'vault.core_api.v1.postings.posting_instruction_batch.created',
    );
    const lines = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sequence: number; key: string });
    expect(lines.length).toBe(3);
    for (const line of lines) expectSchema('ledger-event', line);
    const from = await strata(
      'events',
      'tail',
      '--from',
      String(lines[1]?.sequence ?? 0),
      '--topic',
      'vault.core_api.v1.postings.posting_instruction_batch.created',
    );
    expect(from.stdout.trim().split('\n').length).toBe(1);
  });

  it('post keeps file order between batches that depend on each other, at any concurrency', async () => {
    await strata(
      'accounts',
      'open',
      '--product',
      'current_account',
      '--customer',
      'alice',
      '--id',
      'ordered',
    );
    // Each deposit funds exactly the spend after it; an authorisation is settled right after.
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      const target = { account_id: 'ordered' };
      lines.push(
        JSON.stringify({
          client_id: 'o',
          posting_instructions: [
            {
              client_transaction_id: `in-${i}`,
              inbound_hard_settlement: {
                amount: '1.00',
                denomination: 'GBP',
                target_account: target,
                internal_account_id: 'BANK',
              },
            },
          ],
        }),
      );
      lines.push(
        JSON.stringify({
          client_id: 'o',
          posting_instructions: [
            {
              client_transaction_id: `auth-${i}`,
              outbound_authorisation: {
                amount: '1.00',
                denomination: 'GBP',
                target_account: target,
                internal_account_id: 'BANK',
              },
            },
          ],
        }),
      );
      lines.push(
        JSON.stringify({
          client_id: 'o',
          posting_instructions: [{ client_transaction_id: `auth-${i}`, settlement: { final: true } }],
        }),
      );
    }
    writeFileSync(join(dir, 'ordered.ndjson'), `${lines.join('\n')}\n`);
    const posted = await strata('post', 'ordered.ndjson', '--concurrency', '32', '--json');
    expect(posted.status, posted.stderr).toBe(0);
    expect(JSON.parse(posted.stdout)).toMatchObject({ counts: { batches: 60, accepted: 60 } });
    const balances = await strata('balances', 'ordered', '--json');
    expectSchema('balances-result', JSON.parse(balances.stdout));
    const committed = (
      JSON.parse(balances.stdout) as { balances: Array<{ phase: string; amount: string }> }
    ).balances.find((b) => b.phase === 'POSTING_PHASE_COMMITTED');
    expect(committed?.amount).toBe('0.00');
  });

  it('refuses NDJSON with JSON-number amounts before sending anything, and names unknown accounts', async () => {
    writeFileSync(
      join(dir, 'bad.ndjson'),
      '{"client_id":"c","posting_instructions":[{"client_transaction_id":"x","transfer":{"amount":1.5}}]}\n',
    );
    const bad = await strata('post', 'bad.ndjson');
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain(
      'bad.ndjson:1: posting_instructions[0].transfer.amount is the JSON number 1.5',
    );
    const missing = await strata('accounts', 'show', 'nope');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/E_NOT_FOUND .*account nope does not exist/);
  });
});
