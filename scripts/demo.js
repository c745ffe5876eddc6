/* global fetch */
// npm run demo: the whole story on a fresh machine. Starts the bundled server on SQLite in a
// temporary data dir, validates and imports the example packs with activation, imports them again
// to show nothing changes, runs plan (exit 0: nothing to do), then uses the ledger: opens two
// accounts on the imported current account product, deposits, transfers, authorises and settles,
// prints balances, counts the events, runs verify; prints a summary, stops the server.
// `npm run demo -- --keep` leaves the server up afterwards (the console's address and a token are
// printed) until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const keep = process.argv.slice(2).includes('--keep');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');
if (!existsSync(join(root, 'dist', 'commands')))
  spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const dataDir = mkdtempSync(join(tmpdir(), 'strata-demo-'));
const token = `strata_demo_${randomBytes(16).toString('hex')}`;
const packs = [
  ...readdirSync(join(root, 'packs', 'library'))
    .filter((n) => n.endsWith('_manifest.yaml'))
    .sort()
    .map((n) => `packs/library/${n}`),
  'packs/bundle',
];
const env = { ...process.env, STRATA_AUTH_TOKEN: token, NO_COLOR: process.env.NO_COLOR ?? '' };
const started = Date.now();

function step(title) {
  console.log(`\n== ${title}`);
}

function strata(args, expect) {
  console.log(`$ strata ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  if (r.stderr.trim() !== '' && r.status !== expect) process.stderr.write(r.stderr);
  if (r.status !== expect) throw new Error(`strata ${args[0]} exited ${r.status}, expected ${expect}`);
  return r.stdout;
}

step('Start the bundled server on SQLite');
const server = spawn(
  process.execPath,
  [bin, 'server', 'start', '--port', '0', '--data-dir', join(dataDir, 'server')],
  {
    cwd: root,
    env: { ...process.env, STRATA_BOOTSTRAP_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (https?:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited ${code} before listening:\n${out}`)));
  setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
});
console.log(`server at ${url}, data in ${dataDir}`);

/** Opens accounts on the imported product, moves money, reads balances and events, verifies. */
async function ledgerStory(url, dir) {
  const server = ['--url', url];
  step('Ledger: customers (straight through the Core API), then two accounts on current_account');
  for (const id of ['alice', 'bob']) {
    const res = await fetch(`${url}/v1/customers`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({
        request_id: `demo-customer-${id}`,
        customer: { id, customer_details: { first_name: id } },
      }),
    });
    if (res.status !== 200) throw new Error(`customer ${id}: ${res.status} ${await res.text()}`);
    console.log(`customer ${id} created`);
  }
  for (const id of ['alice', 'bob']) {
    strata(
      [
        'accounts',
        'open',
        '--product',
        'current_account',
        '--customer',
        id,
        '--id',
        `${id}-current`,
        ...server,
        '--quiet',
      ],
      0,
    );
  }
  step('Ledger: deposit, transfer, authorise and settle (one YAML file, posted exactly once)');
  const internal = 'CA_MAINTENANCE_FEE_INCOME';
  const batch = (tx, instruction) =>
    `client_id: demo\nposting_instructions:\n  - client_transaction_id: ${tx}\n    ${instruction}\n`;
  const file = join(dir, 'batches.yaml');
  writeFileSync(
    file,
    [
      batch(
        'deposit-1',
        `inbound_hard_settlement: {amount: 100.00, denomination: GBP, target_account: {account_id: alice-current}, internal_account_id: ${internal}}`,
      ),
      batch(
        'rent-1',
        'transfer: {amount: 25.50, denomination: GBP, debtor_target_account: {account_id: alice-current}, creditor_target_account: {account_id: bob-current}}',
      ),
      batch(
        'card-1',
        `outbound_authorisation: {amount: 10.00, denomination: GBP, target_account: {account_id: alice-current}, internal_account_id: ${internal}}`,
      ),
      batch('card-1', 'settlement: {amount: 7.30, final: true}'),
    ].join('---\n'),
  );
  strata(['post', file, ...server, '--quiet'], 0);
  step('Ledger: balances (exact decimal strings)');
  strata(['balances', 'alice-current', ...server, '--quiet'], 0);
  strata(['balances', 'bob-current', ...server, '--quiet'], 0);
  step('Ledger: events and verify');
  const events = spawnSync(process.execPath, [bin, 'events', 'tail', ...server, '--quiet'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const count = events.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '').length;
  console.log(`${count} events, sequences 1..${count}`);
  strata(['server', 'verify', '--data-dir', join(dir, 'server')], 0);
  return `2 accounts, 4 batches, ${count} events, verify clean`;
}

/** With --keep: prints where to look and waits for Ctrl-C (or SIGTERM). */
async function keepServer() {
  step('The console');
  console.log(`console: ${url}/console/`);
  console.log(`token:   ${token} (admin; paste it into the login form)`);
  console.log('The server stays up until Ctrl-C.');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

let failed = false;
try {
  const target = ['--url', url, '--data-dir', join(dataDir, 'cli'), '--quiet'];
  step('Validate the example packs');
  strata(['validate', ...packs], 0);
  step('Import them, activating the versions marked activate: true');
  for (const p of packs) strata(['import', p, ...target, '--activate-on-import'], 0);
  step('Import again: nothing changes');
  let unchanged = 0;
  for (const p of packs) {
    const out = strata(['import', p, ...target, '--activate-on-import', '--output', 'json'], 0).trim();
    const result = JSON.parse(out.slice(out.indexOf('{')));
    const actions = Object.values(result.import).map((r) => r.action);
    if (actions.some((a) => a !== 'unchanged'))
      throw new Error(`re-import of ${p} changed something: ${actions}`);
    unchanged += actions.length;
  }
  console.log(`${unchanged} resources, all unchanged`);
  step('Plan: nothing to do (exit 0)');
  for (const p of packs) {
    console.log(`$ strata plan ${p} --url ${url}`);
    const r = spawnSync(process.execPath, [bin, 'plan', p, '--url', url], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    console.log(r.stdout.trimEnd().split('\n').slice(-2).join('\n'));
    if (r.status !== 0) throw new Error(`plan of ${p} exited ${r.status}, expected 0`);
  }
  const ledger = await ledgerStory(url, dataDir);
  step('Summary');
  if (!keep) console.log(`console: ${url}/console/ (npm run demo -- --keep keeps the server up)`);
  console.log(
    `${packs.join(', ')}: validated, imported with activation, re-imported with nothing changed, planned clean; ledger: ${ledger}; in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
} catch (err) {
  failed = true;
  console.error(`demo failed: ${err.message}`);
} finally {
  if (keep && !failed) await keepServer();
  server.kill('SIGTERM');
  const code = await new Promise((r) => server.on('exit', r));
  console.log(`server stopped (exit ${code})`);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
