/**
 * Four-eyes approval (release.md, Server): activation requests stored PENDING by the activation
 * calls under `--require-approval`, listed and read here, and approved (applied atomically, only
 * if the target's active version is still the one the request saw) or rejected by another actor.
 * Each decision is idempotent by its `request_id`, like every mutation of the server.
 */
import { canonicalJson, sha256Hex } from '../../util/canonical.js';
import type { ActivationRequestRecord, Storage, WriteTx } from '../../storage/types.js';
import { ApiError, invalid } from '../errors.js';
import { requireRequestBody } from '../config/checks.js';
import { parsePageSize, type WriteResponse } from '../config/service.js';
import { lockTarget, type Activations, type Actor } from './activations.js';
import { optionalReason } from './reason.js';
import { currentOf, targetKey, TARGETS, type TargetKind } from './targets.js';

export const REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;

type Obj = Record<string, unknown>;
type Decision = 'approve' | 'reject';

export interface RequestFilter {
  status?: string | undefined;
  productIds?: string[] | undefined;
  workflowDefinitionIds?: string[] | undefined;
  pageSize?: string | undefined;
  pageToken?: string | undefined;
}

function pageToken(seq: number): string {
  return Buffer.from(`req:${seq}`, 'utf8').toString('base64url');
}

function afterSeqOf(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const m = /^req:(0|[1-9][0-9]{0,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) {
    throw invalid('page_token is not a token this server issued', [
      { field: 'page_token', description: 'pass the next_page_token of the previous page unchanged' },
    ]);
  }
  return Number(m[1]);
}

function notFound(id: string): ApiError {
  return new ApiError('NOT_FOUND', `activation request ${id} does not exist`, {
    resource_type: 'ACTIVATION_REQUEST',
    ids: [id],
  });
}

function kindOf(body: Obj): TargetKind {
  return typeof body['product_id'] === 'string' ? 'product' : 'workflow';
}

export class ReleaseService {
  constructor(
    private readonly storage: Storage,
    private readonly activations: Activations,
    private readonly now: () => number = Date.now,
  ) {}

  settings(): string {
    return canonicalJson({ settings: { require_approval: this.activations.requireApproval } });
  }

  async getRequest(id: string): Promise<string> {
    const found = await this.storage.read((tx) => tx.releases.getRequest(id));
    if (!found) throw notFound(id);
    return found.body;
  }

  async listRequests(f: RequestFilter): Promise<string> {
    if (f.status !== undefined && !(REQUEST_STATUSES as readonly string[]).includes(f.status)) {
      throw invalid(`status must be one of ${REQUEST_STATUSES.join(', ')}`, [
        { field: 'status', description: 'PENDING, APPROVED or REJECTED' },
      ]);
    }
    const limit = parsePageSize(f.pageSize);
    const targets =
      f.productIds === undefined && f.workflowDefinitionIds === undefined
        ? undefined
        : [
            ...(f.productIds ?? []).map((id) => targetKey('product', id)),
            ...(f.workflowDefinitionIds ?? []).map((id) => targetKey('workflow', id)),
          ];
    const rows = await this.storage.read((tx) =>
      tx.releases.listRequests({
        status: f.status,
        targets,
        afterSeq: afterSeqOf(f.pageToken),
        limit: limit + 1,
      }),
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? pageToken(last.seq) : '';
    return `{"activation_requests":[${page.map((r) => r.body).join(',')}],"next_page_token":${JSON.stringify(next)}}`;
  }

  /** `POST /v1/activation-requests/{id}:approve` or `:reject`, body `{request_id, reason}`. */
  async decide(decision: Decision, id: string, raw: unknown, actor: Actor): Promise<WriteResponse> {
    const { requestId, body } = requireRequestBody(raw);
    const rest = { ...body };
    delete rest['request_id'];
    const unknownKeys = Object.keys(rest).filter((k) => k !== 'reason');
    if (unknownKeys.length > 0) {
      throw invalid('the body is {request_id, reason}', [
        { field: unknownKeys[0] ?? '', description: 'unknown field' },
      ]);
    }
    const reason = optionalReason(rest['reason']);
    if (decision === 'reject' && reason.trim() === '') {
      throw invalid('a rejection needs a reason', [
        { field: 'reason', description: 'required: why it is rejected' },
      ]);
    }
    const bodyHash = sha256Hex(`POST /v1/activation-requests/${id}:${decision}\n${canonicalJson(rest)}`);
    return this.storage.write(async (tx) => {
      const now = this.now();
      const seen = await tx.idempotency.claim(requestId, now);
      if (seen) {
        if (seen.bodyHash !== bodyHash) {
          throw new ApiError(
            'REQUEST_ID_REUSED',
            `request_id ${requestId} was already used for a different request; use a new request_id`,
            { request_id: requestId },
          );
        }
        return { status: seen.status, body: seen.response, replay: true };
      }
      const response = await this.#decideIn(tx, decision, id, { actor, requestId, now, reason });
      await tx.idempotency.put({ requestId, bodyHash, status: 200, response, createdAt: now });
      return { status: 200, body: response, replay: false };
    });
  }

  async #decideIn(
    tx: WriteTx,
    decision: Decision,
    id: string,
    ctx: { actor: Actor; requestId: string; now: number; reason: string },
  ): Promise<string> {
    const record = await tx.releases.lockRequest(id);
    if (!record) throw notFound(id);
    const request = JSON.parse(record.body) as Obj;
    requirePending(record);
    requireOtherActor(request, ctx.actor);
    const decided: Obj = {
      ...request,
      status: decision === 'approve' ? 'APPROVED' : 'REJECTED',
      decided_by: ctx.actor.name,
      decided_by_token_id: ctx.actor.tokenId,
      decision_reason: ctx.reason,
      decide_timestamp: new Date(ctx.now).toISOString(),
    };
    if (decision === 'approve') decided['activation_id'] = await this.#apply(tx, request, id, ctx);
    const text = canonicalJson(decided);
    await tx.releases.updateRequest(id, { status: String(decided['status']), body: text });
    return text;
  }

  /** Applies an approved request, only if the target's active version is still its `from`. */
  async #apply(tx: WriteTx, request: Obj, id: string, ctx: { actor: Actor; now: number }): Promise<string> {
    const kind = kindOf(request);
    const spec = TARGETS[kind];
    const targetId = String(request[spec.idKey]);
    const target = await lockTarget(tx, spec, targetId);
    const current = currentOf(spec, JSON.parse(target.body) as Obj);
    const from = String(request['from_version_id']);
    if (current !== from) {
      throw new ApiError(
        'STALE_ACTIVATION',
        `activation request ${id} was made when ${from || 'no version'} was active on ${targetId}; ${current} is active now (someone activated since). Reject it and request again`,
        { activation_request_id: id, from_version_id: from, current_version_id: current },
      );
    }
    const requester: Actor = {
      name: String(request['requested_by']),
      tokenId: String(request['requested_by_token_id']),
    };
    const applied = await this.activations.apply(
      tx,
      kind,
      target,
      String(request['to_version_id']),
      {
        actor: requester,
        requestId: String(request['request_id']),
        now: ctx.now,
        reason: String(request['reason'] ?? ''),
        approval: { by: ctx.actor, activationRequestId: id },
      },
      'APPROVED_REQUEST',
    );
    return applied.activationId ?? '';
  }
}

function requirePending(record: ActivationRequestRecord): void {
  if (record.status === 'PENDING') return;
  throw new ApiError('ALREADY_DECIDED', `activation request ${record.id} is ${record.status}, not PENDING`, {
    activation_request_id: record.id,
    status: record.status,
  });
}

/** Four-eyes: the decider is another actor (token name and token) than the requester. */
function requireOtherActor(request: Obj, actor: Actor): void {
  if (request['requested_by'] !== actor.name && request['requested_by_token_id'] !== actor.tokenId) return;
  throw new ApiError(
    'SAME_ACTOR_APPROVAL',
    `activation request ${String(request['id'])} was made by ${String(request['requested_by'])}; another person's token must approve or reject it`,
    { activation_request_id: request['id'], requested_by: request['requested_by'], actor: actor.name },
  );
}
