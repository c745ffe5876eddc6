import type { JSX } from 'preact';
import type { Session } from '../app.js';
import { loadCatalog } from '../catalog.js';
import { PageTitle, Show, useLoad } from '../components/async.js';
import { versionLabel, when } from '../format.js';
import { Link, productPath } from '../router.js';

/** Every product: its current version, how many versions it has, how many accounts are open on it. */
export function ProductsPage({ session }: { session: Session }): JSX.Element {
  const [loaded] = useLoad(() => loadCatalog(session.api, session.identity), []);
  return (
    <>
      <PageTitle>Products</PageTitle>
      <Show loaded={loaded} what="products">
        {(c) => (
          <table>
            <caption>
              {c.products.length} products; accounts counted: open ones
              {c.accounts ? '' : ' (this token cannot read the ledger: ledger:read)'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Id</th>
                <th scope="col">Current version</th>
                <th scope="col" class="num">
                  Versions
                </th>
                <th scope="col" class="num">
                  Accounts open
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {c.products.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link to={productPath(p.id)}>{p.display_name === '' ? p.id : p.display_name}</Link>
                    {p.is_internal && <span class="tag">internal</span>}
                  </th>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{versionLabel(c.versions.get(p.current_version_id), p.current_version_id)}</td>
                  <td class="num">{c.versionsOf.get(p.id)?.length ?? 0}</td>
                  <td class="num">{c.accounts ? (c.accounts.byProduct.get(p.id) ?? 0) : '–'}</td>
                  <td>{when(p.create_timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
