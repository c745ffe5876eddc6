/** Small pieces of the server: the immutable-object cache, batched logging, metrics text. */
import { describe, expect, it } from 'vitest';
import { ImmutableObjectCache } from '../../src/server/config/cache.js';
import { BatchedLog } from '../../src/server/log.js';
import { Metrics } from '../../src/server/metrics.js';
import { hasScope, hashToken } from '../../src/server/auth.js';

describe('ImmutableObjectCache', () => {
  it('caches only kinds that never change', () => {
    const cache = new ImmutableObjectCache();
    cache.put('FLAG_DEFINITION', 'F', '{"id":"F"}');
    cache.put('CALENDAR', 'C', '{"id":"C"}');
    cache.put('PRODUCT', 'P', '{"id":"P"}');
    expect(cache.get('FLAG_DEFINITION', 'F')).toBe('{"id":"F"}');
    expect(cache.get('CALENDAR', 'C')).toBeUndefined();
    expect(cache.get('PRODUCT', 'P')).toBeUndefined();
  });

  it('evicts the least recently used bodies beyond its size', () => {
    const cache = new ImmutableObjectCache(40);
    cache.put('FLAG_DEFINITION', 'a', '12345678');
    cache.put('FLAG_DEFINITION', 'b', '12345678');
    expect(cache.get('FLAG_DEFINITION', 'a')).toBeDefined();
    cache.put('FLAG_DEFINITION', 'c', '12345678');
    expect(cache.get('FLAG_DEFINITION', 'b')).toBeUndefined();
    expect(cache.get('FLAG_DEFINITION', 'a')).toBeDefined();
    expect(cache.get('FLAG_DEFINITION', 'c')).toBeDefined();
  });
});

describe('BatchedLog', () => {
  it('writes the lines of one event-loop turn in one write, and flushes on demand', async () => {
    const writes: string[] = [];
    const log = new BatchedLog({ write: (t: string) => writes.push(t) });
    log.write('a\n');
    log.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\n']);
    log.write('c\n');
    log.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });
});

describe('Metrics', () => {
  it('renders counters and cumulative histogram buckets', () => {
    const m = new Metrics();
    m.observeRequest('GET', '/v1/x', 200, 0.002);
    m.observeRequest('GET', '/v1/x', 200, 0.2);
    m.observeCommit({ seconds: 0.0007, writes: 3, reruns: 1 });
    const text = m.render();
    expect(text).toContain('strata_http_requests_total{method="GET",route="/v1/x",status="200"} 2');
    expect(text).toContain(
      'strata_http_request_duration_seconds_bucket{method="GET",route="/v1/x",le="0.0025"} 1',
    );
    expect(text).toContain(
      'strata_http_request_duration_seconds_bucket{method="GET",route="/v1/x",le="0.25"} 2',
    );
    expect(text).toContain('strata_storage_commit_duration_seconds_bucket{le="0.001"} 1');
    expect(text).toContain('strata_storage_commit_duration_seconds_count 1');
    expect(text).toContain('strata_storage_writes_total 3');
    expect(text).toContain('strata_storage_write_reruns_total 1');
  });
});

describe('scopes', () => {
  it('admin holds every scope; others only their own', () => {
    expect(hasScope({ scopes: ['admin'] }, 'config:activate')).toBe(true);
    expect(hasScope({ scopes: ['read'] }, 'config:write')).toBe(false);
    expect(hashToken('x')).toMatch(/^[0-9a-f]{64}$/);
  });
});
