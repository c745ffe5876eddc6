/**
 * Release management's table (four-eyes activation requests), one migration in the shared list.
 * A request's API object is its `body` (canonical JSON); `status` and `target` are columns so that
 * lists filter on them with an index.
 */
import type { Migration } from './migrations.js';

export const RELEASE_MIGRATION: Migration = {
  version: 4,
  name: 'release: activation requests (four-eyes approval)',
  sql: (t) => `
    CREATE TABLE activation_requests (
      seq ${t.serialKey},
      id TEXT NOT NULL UNIQUE,
      target TEXT NOT NULL,
      status TEXT NOT NULL,
      body TEXT NOT NULL,
      created_at ${t.bigint} NOT NULL
    );
    CREATE INDEX activation_requests_status_seq ON activation_requests (status, seq);
    CREATE INDEX activation_requests_target_seq ON activation_requests (target, seq);
  `,
};
