/**
 * `convert`: the requests an import would send, in import order, without a server. References
 * whose values only the server knows (generated ids) stay as written and are listed.
 */
import { loadPacks } from '../validate/packs.js';
import { skippedJson, type SkippedJson } from '../validate/validate.js';
import { fails } from '../findings.js';
import type { ReadLimits } from '../pack/limits.js';
import { createRequest, offlineValue } from './requests.js';
import type { ApiRequest } from '../resource/index.js';
import type { Finding } from '../findings.js';

export interface ConvertedRequest extends ApiRequest {
  pack: string | null;
  resource_id: string;
  resource_type: string;
  unresolved: string[];
}

export interface ConvertResult {
  valid: boolean;
  requests: ConvertedRequest[];
  /** Every finding; with errors there are no requests. */
  findings: Finding[];
  /** Resources left out because strata does not import their type, with the reason. */
  skipped: SkippedJson[];
}

export interface ConvertOptions {
  /** Warnings (an unsupported type's among them) make the packs invalid. */
  strict?: boolean;
  limits?: ReadLimits;
}

export async function convertPaths(
  paths: readonly string[],
  cwd: string,
  options: ConvertOptions = {},
): Promise<ConvertResult> {
  const loaded = await loadPacks(paths, {
    cwd,
    payloads: true,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  try {
    const strict = options.strict ?? false;
    const valid = loaded.packs.length > 0 && !loaded.findings.some((f) => fails(f, strict));
    const skipped = loaded.packs.flatMap(skippedJson);
    const result: ConvertResult = { valid, requests: [], findings: loaded.findings, skipped };
    if (!valid) return result;
    for (const pack of loaded.packs) {
      for (const id of pack.order) {
        const r = pack.resources.get(id)!;
        const { request, unresolved } = createRequest(r, (ref, field) => {
          const target = pack.resources.get(ref);
          return target ? offlineValue(target, field) : undefined;
        });
        result.requests.push({
          pack: pack.name,
          resource_id: id,
          resource_type: r.type,
          ...request,
          unresolved,
        });
      }
    }
    return result;
  } finally {
    await loaded.cleanup();
  }
}
