/**
 * The `releases` part: four-eyes activation requests. Business rules (who may approve, staleness)
 * live in src/server/release; this part stores and finds the rows, with a lock for
 * read-modify-write inside a write.
 */
import { toNumber } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import type {
  ActivationRequestQuery,
  ActivationRequestRecord,
  NewActivationRequest,
  ReleaseWrites,
} from './types.js';

interface RequestRow {
  seq: number | string | bigint;
  id: string;
  target: string;
  status: string;
  body: string;
  created_at: number | string | bigint;
}

function toRecord(r: RequestRow): ActivationRequestRecord {
  return {
    seq: toNumber(r.seq),
    id: r.id,
    target: r.target,
    status: r.status,
    body: r.body,
    createdAt: toNumber(r.created_at),
  };
}

const SELECT = 'SELECT seq, id, target, status, body, created_at FROM activation_requests';

export class ReleaseRecords implements ReleaseWrites {
  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
  ) {}

  async #one(sql: string, params: readonly unknown[]): Promise<ActivationRequestRecord | undefined> {
    const row = (await this.session.all<RequestRow>(sql, params))[0];
    return row && toRecord(row);
  }

  getRequest(id: string): Promise<ActivationRequestRecord | undefined> {
    return this.#one(`${SELECT} WHERE id = ?`, [id]);
  }

  lockRequest(id: string): Promise<ActivationRequestRecord | undefined> {
    return this.#one(`${SELECT} WHERE id = ?${this.dialect.forUpdate}`, [id]);
  }

  async listRequests(q: ActivationRequestQuery): Promise<ActivationRequestRecord[]> {
    const where: string[] = ['seq > ?'];
    const params: unknown[] = [q.afterSeq];
    if (q.status !== undefined) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.targets !== undefined) {
      if (q.targets.length === 0) return [];
      const among = this.dialect.anyOf('target', q.targets);
      where.push(among.sql);
      params.push(...among.params);
    }
    const rows = await this.session.all<RequestRow>(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
      [...params, q.limit],
    );
    return rows.map(toRecord);
  }

  async insertRequest(r: NewActivationRequest): Promise<void> {
    await runUnique(
      this.session,
      this.dialect,
      `activation request ${r.id}`,
      'INSERT INTO activation_requests (id, target, status, body, created_at) VALUES (?, ?, ?, ?, ?)',
      [r.id, r.target, r.status, r.body, r.createdAt],
    );
  }

  async updateRequest(id: string, change: { status: string; body: string }): Promise<void> {
    await this.session.run('UPDATE activation_requests SET status = ?, body = ? WHERE id = ?', [
      change.status,
      change.body,
      id,
    ]);
  }
}
