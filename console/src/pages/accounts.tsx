import type { JSX } from 'preact';
import type { Session } from '../app.js';
import { MissingScope, PageTitle, Show, useLoad } from '../components/async.js';
import { enumLabel, when } from '../format.js';
import type { Account } from '../model.js';
import { accountPath, Link, navigate, productPath } from '../router.js';
import { hasScope } from '../session.js';

/** Accounts, newest last, and a box to go straight to one by id. */
export function AccountsPage({ session }: { session: Session }): JSX.Element {
  const readable = hasScope(session.identity, 'ledger:read');
  const [loaded] = useLoad(
    () => (readable ? session.api.all<Account>('/v1/accounts', 'accounts') : Promise.resolve([])),
    [readable],
  );
  const go = (e: SubmitEvent): void => {
    e.preventDefault();
    const id = String(new FormData(e.currentTarget as HTMLFormElement).get('account-id') ?? '').trim();
    if (id !== '') navigate(accountPath(id));
  };
  return (
    <>
      <PageTitle>Accounts</PageTitle>
      {!readable ? (
        <MissingScope scope="ledger:read" what="read accounts" />
      ) : (
        <>
          <form class="inline" onSubmit={go} role="search">
            <label for="account-id">Account id</label>
            <input id="account-id" name="account-id" type="text" required />
            <button type="submit">Open</button>
          </form>
          <Show loaded={loaded} what="accounts">
            {(accounts) => (
              <table>
                <caption>{accounts.length} accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Product</th>
                    <th scope="col">Status</th>
                    <th scope="col">Customers</th>
                    <th scope="col">Opened</th>
                  </tr>
                </thead>
                <tbody>
                  {accounts.map((a) => (
                    <tr key={a.id}>
                      <th scope="row">
                        <Link to={accountPath(a.id)}>{a.id}</Link>
                      </th>
                      <td>
                        <Link to={productPath(a.product_id)}>{a.product_id}</Link>
                      </td>
                      <td>{enumLabel(a.status, 'ACCOUNT_STATUS_')}</td>
                      <td>{a.stakeholder_ids.join(', ')}</td>
                      <td>{when(a.opening_timestamp)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Show>
        </>
      )}
    </>
  );
}
