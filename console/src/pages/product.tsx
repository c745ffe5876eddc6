import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { newRequestId, seg, type ApiResponse } from '../api.js';
import type { Session } from '../app.js';
import { loadProduct, rollbackTarget, type ProductDetail } from '../catalog.js';
import { PageTitle, Show, useLoad } from '../components/async.js';
import { ConfirmDialog } from '../components/confirm.js';
import { versionLabel, when } from '../format.js';
import type { ActivationRequest, ProductVersion } from '../model.js';
import { hasScope } from '../session.js';

interface Pending {
  to: ProductVersion;
  rollback: boolean;
}

/** A product: its versions (the current one marked), its activation history, activate and roll back. */
export function ProductPage({ session, id }: { session: Session; id: string }): JSX.Element {
  const [loaded, reload] = useLoad(() => loadProduct(session.api, session.identity, id), [id]);
  const [asking, setAsking] = useState<Pending | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const canActivate = hasScope(session.identity, 'config:activate');

  const activate = async (detail: ProductDetail, p: Pending, form: FormData): Promise<void> => {
    const reason = String(form.get('reason') ?? '').trim();
    const res: ApiResponse<{ activation_request?: ActivationRequest }> = await session.api.post(
      `/v1/products/${seg(id)}:activateVersion`,
      {
        request_id: newRequestId(),
        product_version_id: p.to.id,
        ...(detail.release.recordsReason ? { reason } : {}),
      },
    );
    const label = versionLabel(p.to, p.to.id);
    setOutcome(
      res.status === 202
        ? `Requested: version ${label} waits for another person's approval (request ${res.body.activation_request?.id ?? ''}); see Approvals.`
        : `Version ${label} of ${detail.product.display_name || id} is now current.`,
    );
    setAsking(null);
    reload();
  };

  return (
    <Show loaded={loaded} what={`product ${id}`}>
      {(d) => {
        const rollbackTo = rollbackTarget(d);
        const rollbackVersion = rollbackTo === undefined ? undefined : d.byId.get(rollbackTo);
        return (
          <>
            <PageTitle>{d.product.display_name === '' ? id : d.product.display_name}</PageTitle>
            <p>
              Product <code>{id}</code>; current version{' '}
              <strong data-testid="current-version">
                {versionLabel(d.byId.get(d.product.current_version_id), d.product.current_version_id)}
              </strong>
              . New accounts open on the current version; existing accounts stay on theirs.
            </p>
            {outcome && (
              <p class="success" role="status">
                {outcome}
              </p>
            )}
            {canActivate && rollbackVersion && (
              <p>
                <button type="button" onClick={() => setAsking({ to: rollbackVersion, rollback: true })}>
                  Roll back to {versionLabel(rollbackVersion, rollbackVersion.id)}
                </button>
              </p>
            )}
            <Versions
              detail={d}
              canActivate={canActivate}
              onActivate={(to) => setAsking({ to, rollback: false })}
            />
            <History detail={d} />
            {asking && (
              <ConfirmDialog
                title={`${asking.rollback ? 'Roll back' : 'Activate'} ${d.product.display_name || id}?`}
                confirmLabel={
                  d.release.requireApproval ? 'Request approval' : asking.rollback ? 'Roll back' : 'Activate'
                }
                onClose={() => setAsking(null)}
                onConfirm={(form) => activate(d, asking, form)}
              >
                <p>
                  From version{' '}
                  <strong>
                    {versionLabel(d.byId.get(d.product.current_version_id), d.product.current_version_id)}
                  </strong>{' '}
                  to version <strong>{versionLabel(asking.to, asking.to.id)}</strong>. New accounts will open
                  on {versionLabel(asking.to, asking.to.id)}; existing accounts stay on their version.
                </p>
                {d.release.requireApproval && (
                  <p class="note">
                    This server requires a second person&apos;s approval (four-eyes): this makes a request
                    that someone else approves on the Approvals page.
                  </p>
                )}
                {d.release.recordsReason && (
                  <>
                    <label for="reason">Reason (recorded in the history)</label>
                    <textarea id="reason" name="reason" rows={2} required />
                  </>
                )}
              </ConfirmDialog>
            )}
          </>
        );
      }}
    </Show>
  );
}

function Versions({
  detail,
  canActivate,
  onActivate,
}: {
  detail: ProductDetail;
  canActivate: boolean;
  onActivate: (v: ProductVersion) => void;
}): JSX.Element {
  const current = detail.product.current_version_id;
  const versions = [...detail.versions].reverse();
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <table data-testid="versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Id</th>
            <th scope="col">Created</th>
            <th scope="col">By</th>
            <th scope="col" class="num">
              Accounts open
            </th>
            {canActivate && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const isCurrent = v.id === current;
            return (
              <tr
                key={v.id}
                class={isCurrent ? 'current' : undefined}
                aria-current={isCurrent ? 'true' : undefined}
              >
                <th scope="row">
                  {versionLabel(v, v.id)} {isCurrent && <span class="tag current-tag">current</span>}
                </th>
                <td>
                  <code>{v.id}</code>
                </td>
                <td>{when(v.create_timestamp)}</td>
                <td>{v.created_by ?? '–'}</td>
                <td class="num">{detail.accounts ? (detail.accounts.byVersion.get(v.id) ?? 0) : '–'}</td>
                {canActivate && (
                  <td>
                    {!isCurrent && (
                      <button type="button" onClick={() => onActivate(v)}>
                        Activate {versionLabel(v, v.id)}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function History({ detail }: { detail: ProductDetail }): JSX.Element {
  const label = (id: string): string => versionLabel(detail.byId.get(id), id);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Activation history</h2>
      {detail.activations.length === 0 ? (
        <p>No activations yet.</p>
      ) : (
        <table data-testid="history">
          <caption>Newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Reason</th>
              <th scope="col">Approved by</th>
            </tr>
          </thead>
          <tbody>
            {detail.activations.map((a) => (
              <tr key={a.id}>
                <td>{when(a.create_timestamp)}</td>
                <td>{a.actor}</td>
                <td>{label(a.from_version_id)}</td>
                <td>{label(a.to_version_id)}</td>
                <td>
                  {a.reason}
                  {a.cause && <span class="muted"> {a.cause.toLowerCase().replaceAll('_', ' ')}</span>}
                </td>
                <td>{a.approved_by ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
