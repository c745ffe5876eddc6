/**
 * Read-through cache of objects that never change once created (flag definitions, versions,
 * modules...): since no API call can alter or delete them, a cached body is never stale, on one
 * server or several sharing a database, and no invalidation exists to get wrong. Objects that
 * can change (calendars, schedule tags, internal accounts, products, workflow definitions) are
 * never cached. Bounded by the total size of the cached bodies; least recently used goes first.
 */
import { RESOURCE_TYPES, resourceSpec } from '../../resource/index.js';

/** The kinds whose objects are immutable after creation. */
export const IMMUTABLE_KINDS: ReadonlySet<string> = new Set(
  RESOURCE_TYPES.filter((type) => resourceSpec(type).immutable),
);

export class ImmutableObjectCache {
  readonly #entries = new Map<string, string>();
  #bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  static cacheable(kind: string): boolean {
    return IMMUTABLE_KINDS.has(kind);
  }

  get(kind: string, id: string): string | undefined {
    const key = `${kind}\u0000${id}`;
    const body = this.#entries.get(key);
    if (body !== undefined) {
      // Refresh recency: Map iteration order is insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, body);
    }
    return body;
  }

  put(kind: string, id: string, body: string): void {
    if (!IMMUTABLE_KINDS.has(kind) || body.length * 2 > this.maxBytes) return;
    const key = `${kind}\u0000${id}`;
    if (this.#entries.has(key)) return;
    this.#entries.set(key, body);
    this.#bytes += body.length * 2;
    for (const [k, b] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= b.length * 2;
    }
  }
}
