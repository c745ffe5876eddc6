import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { newRequestId, seg } from '../api.js';
import type { Session } from '../app.js';
import { indexVersions } from '../catalog.js';
import { MissingScope, PageTitle, Show, useLoad } from '../components/async.js';
import { ConfirmDialog } from '../components/confirm.js';
import { versionLabel, when } from '../format.js';
import type { ActivationRequest, ProductVersion } from '../model.js';
import { Link, productPath } from '../router.js';
import { hasScope } from '../session.js';

interface Decision {
  request: ActivationRequest;
  approve: boolean;
}

async function loadPending(session: Session) {
  const [requests, versions] = await Promise.all([
    session.api.all<ActivationRequest>('/v1/activation-requests?status=PENDING', 'activation_requests'),
    session.api.all<ProductVersion>('/v1/product-versions', 'product_versions'),
  ]);
  return { requests, versions: indexVersions(versions).versions };
}

/**
 * Pending four-eyes requests. A token with config:approve approves or rejects other people's
 * requests; its own show why it cannot (the server refuses them too: SAME_ACTOR_APPROVAL).
 */
export function ApprovalsPage({ session }: { session: Session }): JSX.Element {
  const [loaded, reload] = useLoad(() => loadPending(session), []);
  const [deciding, setDeciding] = useState<Decision | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const canApprove = hasScope(session.identity, 'config:approve');

  const decide = async (d: Decision, form: FormData): Promise<void> => {
    const reason = String(form.get('decision-reason') ?? '').trim();
    await session.api.post(
      `/v1/activation-requests/${seg(d.request.id)}:${d.approve ? 'approve' : 'reject'}`,
      {
        request_id: newRequestId(),
        reason,
      },
    );
    setOutcome(`${d.approve ? 'Approved' : 'Rejected'} request ${d.request.id}.`);
    setDeciding(null);
    reload();
  };

  return (
    <>
      <PageTitle>Approvals</PageTitle>
      <p>
        Activations waiting for a second person (four-eyes). The requester cannot approve their own request.
      </p>
      {!canApprove && <MissingScope scope="config:approve" what="approve or reject requests" />}
      {outcome && (
        <p class="success" role="status">
          {outcome}
        </p>
      )}
      <Show loaded={loaded} what="pending requests">
        {({ requests, versions }) =>
          requests.length === 0 ? (
            <p data-testid="no-pending">No request is waiting.</p>
          ) : (
            <table data-testid="pending">
              <caption>{requests.length} pending, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Requested</th>
                  <th scope="col">By</th>
                  <th scope="col">What</th>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((r) => (
                  <tr key={r.id}>
                    <td>{when(r.create_timestamp)}</td>
                    <td>{r.requested_by}</td>
                    <td>
                      {r.product_id !== undefined ? (
                        <Link to={productPath(r.product_id)}>{r.product_id}</Link>
                      ) : (
                        <>workflow {r.workflow_definition_id}</>
                      )}
                    </td>
                    <td>{versionLabel(versions.get(r.from_version_id), r.from_version_id)}</td>
                    <td>{versionLabel(versions.get(r.to_version_id), r.to_version_id)}</td>
                    <td>{r.reason}</td>
                    <td>
                      <DecisionCell
                        request={r}
                        canApprove={canApprove}
                        self={r.requested_by === session.identity.name}
                        onDecide={(approve) => setDeciding({ request: r, approve })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      {deciding && (
        <ConfirmDialog
          title={`${deciding.approve ? 'Approve' : 'Reject'} the activation of ${deciding.request.product_id ?? deciding.request.workflow_definition_id ?? ''}?`}
          confirmLabel={deciding.approve ? 'Approve' : 'Reject'}
          onClose={() => setDeciding(null)}
          onConfirm={(form) => decide(deciding, form)}
        >
          <p>
            Requested by <strong>{deciding.request.requested_by}</strong>:{' '}
            {deciding.request.reason || 'no reason given'}.
            {deciding.approve &&
              ' Approving applies it now, if the current version is still the one the request saw.'}
          </p>
          <label for="decision-reason">Reason{deciding.approve ? ' (optional)' : ''}</label>
          <textarea id="decision-reason" name="decision-reason" rows={2} required={!deciding.approve} />
        </ConfirmDialog>
      )}
    </>
  );
}

function DecisionCell({
  request,
  canApprove,
  self,
  onDecide,
}: {
  request: ActivationRequest;
  canApprove: boolean;
  self: boolean;
  onDecide: (approve: boolean) => void;
}): JSX.Element | null {
  if (!canApprove) return null;
  if (self)
    return (
      <p class="refused" data-testid="self-approval-refused">
        You requested this: another person must approve or reject it (four-eyes).
      </p>
    );
  return (
    <div class="actions">
      <button
        type="button"
        class="primary"
        onClick={() => onDecide(true)}
        aria-label={`Approve request ${request.id}`}
      >
        Approve
      </button>
      <button type="button" onClick={() => onDecide(false)} aria-label={`Reject request ${request.id}`}>
        Reject
      </button>
    </div>
  );
}
