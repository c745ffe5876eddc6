/**
 * Prometheus metrics in text exposition format: requests by route and status, request latency
 * and storage commit latency histograms, requests in flight. Kept in memory, per process.
 */
import type { CommitStats } from '../storage/types.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

class Histogram {
  readonly counts = LATENCY_BUCKETS.map(() => 0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count += 1;
    this.sum += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] ?? Infinity)) this.counts[i] = (this.counts[i] ?? 0) + 1;
    }
  }

  render(name: string, labels: string): string[] {
    const sep = labels === '' ? '' : ',';
    const lines = LATENCY_BUCKETS.map(
      (b, i) => `${name}_bucket{${labels}${sep}le="${b}"} ${this.counts[i] ?? 0}`,
    );
    lines.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`);
    lines.push(`${name}_sum${labels === '' ? '' : `{${labels}}`} ${this.sum}`);
    lines.push(`${name}_count${labels === '' ? '' : `{${labels}}`} ${this.count}`);
    return lines;
  }
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #commits = new Histogram();
  #writes = 0;
  #reruns = 0;
  inFlight = 0;

  /** Label text of each method and route seen (a handful), so a request escapes nothing. */
  readonly #labels = new Map<string, string>();

  #routeLabels(method: string, route: string): string {
    const raw = `${method} ${route}`;
    let text = this.#labels.get(raw);
    if (text === undefined) {
      text = `method="${label(method)}",route="${label(route)}"`;
      this.#labels.set(raw, text);
    }
    return text;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const lkey = this.#routeLabels(method, route);
    const key = `${lkey},status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#latency.get(lkey);
    if (!h) {
      h = new Histogram();
      this.#latency.set(lkey, h);
    }
    h.observe(seconds);
  }

  observeCommit(commit: CommitStats): void {
    this.#commits.observe(commit.seconds);
    this.#writes += commit.writes;
    this.#reruns += commit.reruns;
  }

  render(): string {
    const out: string[] = [
      '# HELP strata_http_requests_total HTTP requests by method, route and status.',
      '# TYPE strata_http_requests_total counter',
    ];
    for (const [k, v] of this.#requests) out.push(`strata_http_requests_total{${k}} ${v}`);
    out.push(
      '# HELP strata_http_request_duration_seconds HTTP request latency by method and route.',
      '# TYPE strata_http_request_duration_seconds histogram',
    );
    for (const [k, h] of this.#latency) out.push(...h.render('strata_http_request_duration_seconds', k));
    out.push(
      '# HELP strata_storage_commit_duration_seconds Storage transactions, from BEGIN until durable (one transaction commits a group of writes).',
      '# TYPE strata_storage_commit_duration_seconds histogram',
      ...this.#commits.render('strata_storage_commit_duration_seconds', ''),
      '# HELP strata_storage_writes_total Writes settled by storage commits (divide by the commit count for the group size).',
      '# TYPE strata_storage_writes_total counter',
      `strata_storage_writes_total ${this.#writes}`,
      '# HELP strata_storage_write_reruns_total Write functions run again after a lost unique-key race or an aborted transaction.',
      '# TYPE strata_storage_write_reruns_total counter',
      `strata_storage_write_reruns_total ${this.#reruns}`,
      '# HELP strata_http_requests_in_flight HTTP requests being served.',
      '# TYPE strata_http_requests_in_flight gauge',
      `strata_http_requests_in_flight ${this.inFlight}`,
    );
    return `${out.join('\n')}\n`;
  }
}
