/**
 * The ledger commands' services (`accounts open/show`, `balances`, `post`, `events tail`): calls
 * to a server through the API client, returning typed results; they never print. Request ids of
 * creates are derived from the request's content unless given, so re-running a command (or a
 * `post` of the same file after an interruption) replays what was already done instead of doing
 * it twice: that is what makes `post` resumable without a journal.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { parseAllDocuments } from 'yaml';
import { RequestError, VaultClient } from '../client/client.js';
import type { Target } from '../config/config.js';
import { StrataError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { canonicalJson, sha256Hex } from '../util/canonical.js';
import { JsonNumber, parseJson, type JsonValue } from './json.js';

export interface OpenAccountOptions {
  product: string;
  customer: string;
  denominations: string[];
  id?: string | undefined;
}

export interface AccountView {
  id: string;
  product_id: string;
  product_version_id: string;
  status: string;
  stakeholder_ids: string[];
  permitted_denominations: string[];
  opening_timestamp: string;
  [key: string]: unknown;
}

export interface BalanceView {
  account_id: string;
  account_address: string;
  asset: string;
  denomination: string;
  phase: string;
  amount: string;
  value_time: string;
  [key: string]: unknown;
}

export interface EventView {
  sequence: number;
  topic: string;
  key: string;
  timestamp: string;
  payload: unknown;
}

/** A request id from content: the same request gets the same id, so a re-run replays it. */
export function contentRequestId(prefix: string, body: unknown): string {
  return `${prefix}-${sha256Hex(canonicalJson(body)).slice(0, 32)}`;
}

export async function openAccount(
  client: VaultClient,
  o: OpenAccountOptions,
): Promise<{ account: AccountView; replayed: boolean }> {
  const account = {
    ...(o.id !== undefined ? { id: o.id } : {}),
    product_id: o.product,
    stakeholder_ids: [o.customer],
    permitted_denominations: o.denominations,
  };
  const res = await client.request<AccountView>('POST', '/v1/accounts', {
    request_id: contentRequestId('account', account),
    account,
  });
  return { account: res.body, replayed: res.replay };
}

export async function showAccount(
  client: VaultClient,
  id: string,
): Promise<{ account: AccountView; balances: BalanceView[] }> {
  const path = encodeURIComponent(id);
  const account = (await client.request<AccountView>('GET', `/v1/accounts/${path}`)).body;
  const balances = (
    await client.request<{ balances: BalanceView[] }>('GET', `/v1/balances/live?account_ids=${path}`)
  ).body.balances;
  return { account, balances };
}

/** Live balances, or as of `at` (RFC 3339). */
export async function readBalances(
  client: VaultClient,
  accountId: string,
  at?: string,
): Promise<{ account_id: string; at: string | null; balances: BalanceView[] }> {
  const id = encodeURIComponent(accountId);
  if (at === undefined) {
    const live = await client.request<{ balances: BalanceView[] }>(
      'GET',
      `/v1/balances/live?account_ids=${id}`,
    );
    return { account_id: accountId, at: null, balances: live.body.balances };
  }
  const t = encodeURIComponent(at);
  const res = await client.request<{ balances: BalanceView[] }>(
    'GET',
    `/v1/balances/timerange?account_ids=${id}&from_time=${t}&to_time=${t}`,
  );
  return { account_id: accountId, at, balances: res.body.balances };
}

/** One batch read from a file, with where it came from. */
export interface BatchInput {
  /** `FILE:LINE` (NDJSON) or `FILE#N` (YAML document / list item). */
  at: string;
  requestId: string;
  batch: Record<string, unknown>;
}

/** Keys whose YAML values are booleans; everything else in a YAML batch is read as written text. */
const BOOLEAN_KEYS = new Set(['credit', 'advice', 'final', 'dry_run']);

/**
 * Reads posting instruction batches from NDJSON (one per line) or YAML (documents, or a list).
 * Each item is a batch, or a request `{request_id, posting_instruction_batch}`. YAML scalars are
 * read as written (the failsafe schema), so `amount: 12.30` is the string "12.30", never a float;
 * NDJSON numbers are refused (quote amounts).
 */
export function readBatchFile(path: string, text: string = readFileSync(path, 'utf8')): BatchInput[] {
  const items = /\.ya?ml$/i.test(path) ? yamlItems(path, text) : ndjsonItems(path, text);
  return items.map(({ at, value }) => toBatchInput(at, value));
}

function ndjsonItems(path: string, text: string): Array<{ at: string; value: unknown }> {
  const out: Array<{ at: string; value: unknown }> = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${path}:${i + 1}`;
    let value: JsonValue;
    try {
      value = parseJson(line);
    } catch (e) {
      throw new UsageError(
        `${at}: ${(e as Error).message}`,
        'each line is one JSON posting instruction batch',
      );
    }
    const numberAt = firstNumber(value, '');
    if (numberAt !== undefined) {
      throw new UsageError(
        `${at}: ${numberAt.path} is the JSON number ${numberAt.text}`,
        `write amounts as strings: "${numberAt.text}"`,
      );
    }
    out.push({ at, value });
  });
  return out;
}

function firstNumber(v: JsonValue, path: string): { path: string; text: string } | undefined {
  if (v instanceof JsonNumber) return { path: path || 'value', text: v.text };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = firstNumber(v[i] as JsonValue, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const found = firstNumber(x, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

function yamlItems(path: string, text: string): Array<{ at: string; value: unknown }> {
  const docs = parseAllDocuments(text, { schema: 'failsafe' });
  const values: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) throw new UsageError(`${path}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value = withBooleans(doc.toJS());
    if (Array.isArray(value)) values.push(...value);
    else if (value !== null && value !== undefined) values.push(value);
  }
  return values.map((value, i) => ({ at: `${path}#${i + 1}`, value }));
}

function withBooleans(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => withBooleans(x));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withBooleans(x, k)]));
  }
  if (BOOLEAN_KEYS.has(key) && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function toBatchInput(at: string, value: unknown): BatchInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${at}: expected a posting instruction batch (an object)`);
  }
  const o = value as Record<string, unknown>;
  const batch = (o['posting_instruction_batch'] ?? o) as Record<string, unknown>;
  const given = o['request_id'];
  return { at, requestId: typeof given === 'string' ? given : contentRequestId('batch', batch), batch };
}

export interface PostedBatch {
  at: string;
  request_id: string;
  /** ACCEPTED, REJECTED (stored with violations), or ERROR (the server refused the request). */
  status: 'ACCEPTED' | 'REJECTED' | 'ERROR';
  batch_id: string | null;
  replayed: boolean;
  violations: string[];
  error: { code: string; message: string } | null;
}

export interface PostResult {
  file: string;
  counts: { batches: number; accepted: number; rejected: number; errors: number; replayed: number };
  batches: PostedBatch[];
}

/**
 * Posts every batch with at most `concurrency` in flight; `onProgress` after each. Batches that
 * share a customer account or a client transaction are posted in file order (a settlement after
 * its authorisation, a spend after the deposit that funds it); independent ones run in parallel.
 */
export async function postBatches(
  client: Pick<VaultClient, 'request'>,
  file: string,
  inputs: readonly BatchInput[],
  options: { concurrency: number; onProgress?: (done: number, total: number, last: PostedBatch) => void },
): Promise<PostResult> {
  const limit = pLimit(options.concurrency);
  const latest = new Map<string, Promise<unknown>>();
  let done = 0;
  const tasks = inputs.map((input) => {
    const keys = dependencyKeys(input.batch);
    const before = keys.flatMap((k) => latest.get(k) ?? []);
    const task = Promise.all(before).then(() =>
      limit(async () => {
        const posted = await postOne(client, input);
        done += 1;
        options.onProgress?.(done, inputs.length, posted);
        return posted;
      }),
    );
    // Later batches wait for this one to settle, whether it succeeded or not.
    const settled = task.catch(() => undefined);
    for (const k of keys) latest.set(k, settled);
    return task;
  });
  const batches = await Promise.all(tasks);
  const count = (s: PostedBatch['status']) => batches.filter((b) => b.status === s).length;
  return {
    file,
    counts: {
      batches: batches.length,
      accepted: count('ACCEPTED'),
      rejected: count('REJECTED'),
      errors: count('ERROR'),
      replayed: batches.filter((b) => b.replayed).length,
    },
    batches,
  };
}

/**
 * What a batch depends on: its client transactions and the accounts its instructions name
 * (internal accounts left out: they have no available-balance check, and every batch names one).
 */
export function dependencyKeys(batch: Record<string, unknown>): string[] {
  const keys = new Set<string>();
  const clientId = String(batch['client_id'] ?? '');
  const instructions = Array.isArray(batch['posting_instructions'])
    ? (batch['posting_instructions'] as unknown[])
    : [];
  for (const item of instructions) {
    if (item === null || typeof item !== 'object') continue;
    const i = item as Record<string, unknown>;
    keys.add(`tx:${clientId}\u0000${String(i['client_transaction_id'] ?? '')}`);
    for (const [type, body] of Object.entries(i)) {
      if (body === null || typeof body !== 'object' || type === 'instruction_details') continue;
      for (const id of namedAccounts(body as Record<string, unknown>)) keys.add(`account:${id}`);
    }
  }
  return [...keys];
}

function namedAccounts(body: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of ['target_account', 'debtor_target_account', 'creditor_target_account']) {
    const ref = body[k] as { account_id?: unknown } | undefined;
    if (typeof ref?.account_id === 'string') out.push(ref.account_id);
  }
  for (const k of ['target_account_id', 'debtor_target_account_id', 'creditor_target_account_id']) {
    if (typeof body[k] === 'string') out.push(body[k] as string);
  }
  if (Array.isArray(body['postings'])) {
    for (const p of body['postings'] as Array<{ account_id?: unknown }>)
      if (typeof p?.account_id === 'string') out.push(p.account_id);
  }
  return out;
}

async function postOne(client: Pick<VaultClient, 'request'>, input: BatchInput): Promise<PostedBatch> {
  const base = { at: input.at, request_id: input.requestId };
  try {
    const res = await client.request<Record<string, unknown>>('POST', '/v1/posting-instruction-batches', {
      request_id: input.requestId,
      posting_instruction_batch: input.batch,
    });
    const accepted = res.body['status'] === 'POSTING_INSTRUCTION_BATCH_STATUS_ACCEPTED';
    return {
      ...base,
      status: accepted ? 'ACCEPTED' : 'REJECTED',
      batch_id: String(res.body['id'] ?? ''),
      replayed: res.replay,
      violations: violationsOf(res.body),
      error: null,
    };
  } catch (e) {
    // Unreachable servers and refused tokens stop the run; a refused request is this batch's error.
    if (!(e instanceof RequestError) || e.status === 0 || e.status === 401 || e.status === 403) throw e;
    return {
      ...base,
      status: 'ERROR',
      batch_id: null,
      replayed: false,
      violations: [],
      error: { code: e.code, message: e.message },
    };
  }
}

function violationsOf(body: Record<string, unknown>): string[] {
  const instructions = (body['posting_instructions'] ?? []) as Array<Record<string, unknown>>;
  return instructions.flatMap((i, n) => [
    ...((i['posting_violations'] ?? []) as Array<{ type: string }>).map(
      (v) => `posting_instructions[${n}]: ${v.type}`,
    ),
    ...((i['account_violations'] ?? []) as Array<{ type: string; account_id: string }>).map(
      (v) => `posting_instructions[${n}]: ${v.type} (${v.account_id})`,
    ),
  ]);
}

/**
 * Reads events after `from` and hands each to `onEvent` in order; with `follow`, long-polls for
 * more until `signal` aborts. Resolves with the last sequence seen.
 */
export async function tailEvents(
  client: VaultClient,
  options: { from: number; topics: string[]; follow: boolean; signal?: AbortSignal },
  onEvent: (event: EventView) => void,
): Promise<number> {
  let after = options.from;
  const topics = options.topics.map((t) => `&topics=${encodeURIComponent(t)}`).join('');
  for (;;) {
    if (options.signal?.aborted) return after;
    const wait = options.follow ? 25_000 : 0;
    const res = await client.request<{ events: EventView[] }>(
      'GET',
      `/v1/events?after=${after}&page_size=1000&wait_ms=${wait}${topics}`,
    );
    for (const e of res.body.events) {
      onEvent(e);
      after = e.sequence;
    }
    if (res.body.events.length === 0 && !options.follow) return after;
  }
}

/** The API client of a resolved target. */
export function connect(target: Target): VaultClient {
  return new VaultClient({
    url: target.url,
    token: target.token,
    ...(target.authScheme ? { authScheme: target.authScheme } : {}),
    caFile: target.caFile,
    timeoutMs: target.timeoutMs,
    maxRetries: target.maxRetries,
    connections: target.concurrency,
    userAgent: `strata/${VERSION}`,
  });
}

/** An API failure as the command error it is: exit 3 unreachable or refused, else 1. */
export function commandError(err: unknown, target: Target): unknown {
  if (!(err instanceof RequestError)) return err;
  if (err.status === 0) {
    return new StrataError(
      err.code === 'TLS_ERROR' ? 'E_TLS' : 'E_UNREACHABLE',
      `cannot reach ${target.url}: ${err.detail}`,
      'check --url / the environment, and that the server is running',
    );
  }
  if (err.status === 401 || err.status === 403) {
    return new StrataError(
      err.status === 401 ? 'E_AUTH' : 'E_SCOPE',
      `${target.url} refused the token from ${target.tokenSource} (${err.status} ${err.code}: ${err.detail})`,
      'check the token and its scopes (ledger:read, ledger:write)',
    );
  }
  const where = err.fieldViolations.map((v) => `${v.field}: ${v.description}`).join('; ');
  const message = where === '' ? err.message : `${err.message} (${where})`;
  return err.code === 'NOT_FOUND'
    ? new StrataError('E_NOT_FOUND', message)
    : new StrataError('E_API', `${err.code}: ${message}`);
}
