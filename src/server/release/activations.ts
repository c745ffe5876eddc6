/**
 * Activation: making a version a product's current version or a workflow definition's default
 * version, and recording who did it, why and from which version. With four-eyes approval on
 * (`server start --require-approval`), an activation call stores a PENDING activation request
 * instead of applying it; an approval applies it (release/service.ts).
 *
 * Every function here runs inside the caller's write transaction: the change, its record and its
 * event commit together or not at all.
 */
import { canonicalJson } from '../../util/canonical.js';
import type { StoredObject, WriteTx } from '../../storage/types.js';
import { ApiError } from '../errors.js';
import { ACTIVATION } from '../config/kinds.js';
import { currentOf, targetKey, TARGETS, type TargetKind, type TargetSpec } from './targets.js';

export const ACTIVATION_EVENTS = 'vault.core_api.v1.products.activations.events';
export const ACTIVATION_REQUEST_EVENTS = 'strata.release.v1.activation_requests.events';

/** Who is making the change (recorded with activations). Never the token itself. */
export interface Actor {
  tokenId: string;
  name: string;
}

export interface ActivationContext {
  actor: Actor;
  requestId: string;
  now: number;
  /** The person's reason ('' when none given). */
  reason?: string;
  /** Set when an approval applies a request. */
  approval?: { by: Actor; activationRequestId: string };
}

/** A response an activation call gives: 200 with the target, or 202 with a pending request. */
export interface ActivationOutcome {
  status: 200 | 202;
  body: string;
}

type Obj = Record<string, unknown>;

function parse(text: string): Obj {
  return JSON.parse(text) as Obj;
}

export class Activations {
  constructor(
    private readonly newId: () => string,
    /** Four-eyes: activation calls store requests that another actor approves. */
    readonly requireApproval = false,
  ) {}

  /** Records one activation (and its outbox event); returns the record's id. */
  async record(
    tx: WriteTx,
    ctx: ActivationContext,
    what: { kind: TargetKind; id: string; from: string; to: string; cause: string },
  ): Promise<string> {
    const spec = TARGETS[what.kind];
    const id = this.newId();
    const body = canonicalJson({
      id,
      [spec.idKey]: what.id,
      from_version_id: what.from,
      to_version_id: what.to,
      cause: what.cause,
      reason: ctx.reason ?? '',
      actor: ctx.actor.name,
      actor_token_id: ctx.actor.tokenId,
      request_id: ctx.requestId,
      create_timestamp: new Date(ctx.now).toISOString(),
      ...(ctx.approval
        ? {
            approved_by: ctx.approval.by.name,
            approved_by_token_id: ctx.approval.by.tokenId,
            activation_request_id: ctx.approval.activationRequestId,
          }
        : {}),
    });
    await tx.config.insertObject({
      kind: ACTIVATION,
      id,
      parent: targetKey(what.kind, what.id),
      naturalKey: null,
      defHash: '',
      body,
      createdAt: ctx.now,
    });
    tx.events.append({
      topic: ACTIVATION_EVENTS,
      key: what.id,
      timestampMs: ctx.now,
      payload: `{"activation":${body}}`,
    });
    return id;
  }

  /**
   * Makes `versionId` active on the (locked) `target` object and records it; returns the target's
   * new body, or its body unchanged (and nothing recorded) when the version is already active.
   */
  async apply(
    tx: WriteTx,
    kind: TargetKind,
    target: StoredObject,
    versionId: string,
    ctx: ActivationContext,
    cause: string,
  ): Promise<{ body: string; activationId: string | null }> {
    const spec = TARGETS[kind];
    const body = parse(target.body);
    const from = currentOf(spec, body);
    if (from === versionId) return { body: target.body, activationId: null };
    body[spec.currentField] = versionId;
    const text = canonicalJson(body);
    await tx.config.updateObject(spec.objectKind, target.id, { body: text });
    const activationId = await this.record(tx, ctx, { kind, id: target.id, from, to: versionId, cause });
    return { body: text, activationId };
  }

  /**
   * The activation call (`:activateVersion`, the workflow default version update): checks the
   * target and version, then applies it, or stores a PENDING request under four-eyes.
   */
  async activate(
    tx: WriteTx,
    kind: TargetKind,
    targetId: string,
    versionId: string,
    ctx: ActivationContext,
  ): Promise<ActivationOutcome> {
    const spec = TARGETS[kind];
    const target = await lockTarget(tx, spec, targetId);
    await requireVersionOf(tx, spec, targetId, versionId);
    if (currentOf(spec, parse(target.body)) === versionId) return { status: 200, body: target.body };
    if (!this.requireApproval) {
      const applied = await this.apply(tx, kind, target, versionId, ctx, spec.directCause);
      return { status: 200, body: applied.body };
    }
    const request = await this.#storeRequest(tx, spec, target, versionId, ctx);
    return { status: 202, body: `{"activation_request":${request}}` };
  }

  async #storeRequest(
    tx: WriteTx,
    spec: TargetSpec,
    target: StoredObject,
    versionId: string,
    ctx: ActivationContext,
  ): Promise<string> {
    const id = this.newId();
    const body = canonicalJson({
      id,
      status: 'PENDING',
      [spec.idKey]: target.id,
      from_version_id: currentOf(spec, parse(target.body)),
      to_version_id: versionId,
      reason: ctx.reason ?? '',
      requested_by: ctx.actor.name,
      requested_by_token_id: ctx.actor.tokenId,
      request_id: ctx.requestId,
      create_timestamp: new Date(ctx.now).toISOString(),
    });
    await tx.releases.insertRequest({
      id,
      target: targetKey(spec.kind, target.id),
      status: 'PENDING',
      body,
      createdAt: ctx.now,
    });
    tx.events.append({
      topic: ACTIVATION_REQUEST_EVENTS,
      key: target.id,
      timestampMs: ctx.now,
      payload: `{"activation_request":${body}}`,
    });
    return body;
  }
}

/** The target object, locked until commit; 404 when it does not exist. */
export async function lockTarget(tx: WriteTx, spec: TargetSpec, id: string): Promise<StoredObject> {
  const target = await tx.config.lockObject(spec.objectKind, id);
  if (!target) {
    throw new ApiError('NOT_FOUND', `${spec.objectKind} ${id} does not exist`, {
      resource_type: spec.objectKind,
      ids: [id],
    });
  }
  return target;
}

async function requireVersionOf(
  tx: WriteTx,
  spec: TargetSpec,
  targetId: string,
  versionId: string,
): Promise<void> {
  const version = await tx.config.getObject(spec.versionKind, versionId);
  if (version && version.parent === targetId) return;
  const field = spec.kind === 'product' ? 'product_version_id' : `workflow_definition.${spec.currentField}`;
  throw new ApiError(
    'REFERENCE_NOT_FOUND',
    `${spec.kind === 'product' ? 'product' : 'workflow definition'} ${targetId} has no version ${versionId}`,
    { missing: [{ resource_type: spec.versionKind, id: versionId }] },
    [{ field, description: `not a version of ${targetId}` }],
  );
}
