import type { JSX } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { Pages, seg, type Api } from '../api.js';
import type { Session } from '../app.js';
import { balancesAsOf, phaseLabel, sortBalances, type Balance } from '../balances.js';
import { MissingScope, PageTitle, Show, useLoad } from '../components/async.js';
import { enumLabel, versionLabel, when } from '../format.js';
import type { Account, Batch, ProductVersion } from '../model.js';
import { Link, productPath } from '../router.js';
import { hasScope } from '../session.js';

async function loadAccount(api: Api, id: string) {
  const account = await api.get<Account>(`/v1/accounts/${seg(id)}`);
  const version = await api
    .get<ProductVersion>(`/v1/product-versions/${seg(account.product_version_id)}`)
    .catch(() => undefined);
  return { account, version };
}

async function loadBalances(api: Api, id: string, asOf: string | null): Promise<Balance[]> {
  const q = `account_ids=${encodeURIComponent(id)}`;
  if (asOf === null) {
    return sortBalances(await api.all<Balance>(`/v1/balances/live?${q}`, 'balances'));
  }
  const t = encodeURIComponent(asOf);
  const body = await api.get<{ balances: Balance[] }>(
    `/v1/balances/timerange?${q}&from_time=${t}&to_time=${t}`,
  );
  return balancesAsOf(body.balances, asOf);
}

/** `datetime-local` values are the browser's local time; the API speaks UTC. */
export function asOfInstant(local: string): string | null {
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** An account: details, balances (live, or as of a chosen time), and its batches. */
export function AccountPage({ session, id }: { session: Session; id: string }): JSX.Element {
  const readable = hasScope(session.identity, 'ledger:read');
  const [loaded] = useLoad(() => loadAccount(session.api, id), [id]);
  if (!readable)
    return (
      <>
        <PageTitle>{`Account ${id}`}</PageTitle>
        <MissingScope scope="ledger:read" what="read accounts" />
      </>
    );
  return (
    <>
      <PageTitle>{`Account ${id}`}</PageTitle>
      <Show loaded={loaded} what={`account ${id}`}>
        {({ account, version }) => (
          <>
            <dl class="details">
              <dt>Product</dt>
              <dd>
                <Link to={productPath(account.product_id)}>{account.product_id}</Link>, version{' '}
                {versionLabel(version, account.product_version_id)}
              </dd>
              <dt>Status</dt>
              <dd>{enumLabel(account.status, 'ACCOUNT_STATUS_')}</dd>
              <dt>Customers</dt>
              <dd>{account.stakeholder_ids.join(', ') || '–'}</dd>
              <dt>Denominations</dt>
              <dd>{account.permitted_denominations.join(', ')}</dd>
              <dt>Opened</dt>
              <dd>{when(account.opening_timestamp)}</dd>
              {account.closing_timestamp && (
                <>
                  <dt>Closed</dt>
                  <dd>{when(account.closing_timestamp)}</dd>
                </>
              )}
            </dl>
            <Balances api={session.api} id={id} />
            <Batches api={session.api} id={id} />
          </>
        )}
      </Show>
    </>
  );
}

function Balances({ api, id }: { api: Api; id: string }): JSX.Element {
  const [asOf, setAsOf] = useState<string | null>(null);
  const [local, setLocal] = useState('');
  const [loaded, reload] = useLoad(() => loadBalances(api, id, asOf), [id, asOf]);
  const apply = (e: SubmitEvent): void => {
    e.preventDefault();
    setAsOf(asOfInstant(local));
  };
  return (
    <section aria-labelledby="balances-title">
      <h2 id="balances-title">Balances {asOf === null ? '(live)' : `as of ${when(asOf)}`}</h2>
      <form class="inline" onSubmit={apply}>
        <label for="as-of">As of (your local time)</label>
        <input
          id="as-of"
          name="as-of"
          type="datetime-local"
          step={1}
          value={local}
          onInput={(e) => setLocal((e.currentTarget as HTMLInputElement).value)}
          required
        />
        <button type="submit">Show</button>
        <button
          type="button"
          onClick={() => {
            setLocal('');
            if (asOf === null) reload();
            else setAsOf(null);
          }}
        >
          Live
        </button>
      </form>
      <Show loaded={loaded} what="balances">
        {(balances) => <BalanceTable balances={balances} />}
      </Show>
    </section>
  );
}

function BalanceTable({ balances }: { balances: Balance[] }): JSX.Element {
  if (balances.length === 0) return <p data-testid="no-balances">No balance yet.</p>;
  return (
    <table data-testid="balances">
      <caption>Amounts exactly as the ledger holds them</caption>
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Asset</th>
          <th scope="col">Denomination</th>
          <th scope="col">Phase</th>
          <th scope="col" class="num">
            Amount
          </th>
          <th scope="col" class="num">
            Total debit
          </th>
          <th scope="col" class="num">
            Total credit
          </th>
          <th scope="col">Value time</th>
        </tr>
      </thead>
      <tbody>
        {balances.map((b) => (
          <tr key={b.id}>
            <th scope="row">{b.account_address}</th>
            <td>{b.asset}</td>
            <td>{b.denomination}</td>
            <td>{phaseLabel(b.phase)}</td>
            <td class="num money">{b.amount}</td>
            <td class="num money">{b.total_debit}</td>
            <td class="num money">{b.total_credit}</td>
            <td>{when(b.value_time)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const PAGE = 50;

/** What an instruction did to this account, e.g. "credit 100.00 GBP (DEFAULT, committed)". */
function movements(batch: Batch, account: string): string[] {
  return batch.posting_instructions.flatMap((pi) =>
    pi.committed_postings
      .filter((p) => p.account_id === account)
      .map(
        (p) =>
          `${p.credit ? 'credit' : 'debit'} ${p.amount} ${p.denomination} (${p.account_address}, ${phaseLabel(p.phase)})`,
      ),
  );
}

function instructionKinds(batch: Batch): string {
  const known = [
    'committed_postings',
    'id',
    'client_transaction_id',
    'instruction_details',
    'value_timestamp',
  ];
  return batch.posting_instructions
    .map(
      (pi) =>
        Object.keys(pi).find(
          (k) => !known.includes(k) && typeof pi[k] === 'object' && !k.endsWith('violations'),
        ) ?? '',
    )
    .map((k) => k.replaceAll('_', ' '))
    .join(', ');
}

function Batches({ api, id }: { api: Api; id: string }): JSX.Element {
  const [pages, setPages] = useState(1);
  const reader = useMemo(
    () =>
      new Pages<Batch>(
        api,
        `/v1/posting-instruction-batches?account_ids=${encodeURIComponent(id)}`,
        'posting_instruction_batches',
        PAGE,
      ),
    [api, id],
  );
  // "Show more" reads the next page only: the reader keeps the pages already read.
  const [loaded] = useLoad(
    async () => ({ batches: [...(await reader.read(pages))], more: reader.more }),
    [reader, pages],
  );
  return (
    <section aria-labelledby="batches-title">
      <h2 id="batches-title">Posting instruction batches</h2>
      <Show loaded={loaded} what="batches">
        {({ batches, more }) =>
          batches.length === 0 ? (
            <p>No batch touches this account.</p>
          ) : (
            <>
              <table data-testid="batches">
                <caption>{batches.length} batches, oldest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Value time</th>
                    <th scope="col">Batch</th>
                    <th scope="col">Transactions</th>
                    <th scope="col">Instructions</th>
                    <th scope="col">Status</th>
                    <th scope="col">On this account</th>
                  </tr>
                </thead>
                <tbody>
                  {batches.map((b) => (
                    <tr key={b.id}>
                      <td>{when(b.value_timestamp)}</td>
                      <td>
                        <code>{b.id}</code>
                      </td>
                      <td>{b.posting_instructions.map((pi) => pi.client_transaction_id).join(', ')}</td>
                      <td>{instructionKinds(b)}</td>
                      <td>{enumLabel(b.status, 'POSTING_INSTRUCTION_BATCH_STATUS_')}</td>
                      <td class="money">
                        {movements(b, id).map((m) => (
                          <div key={m}>{m}</div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {more && (
                <button type="button" onClick={() => setPages((p) => p + 1)}>
                  Show {PAGE} more
                </button>
              )}
            </>
          )
        }
      </Show>
    </section>
  );
}
