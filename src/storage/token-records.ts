/** The `tokens` part: API tokens by the SHA-256 of their secret (the secret is never stored). */
import { toNumber, toTokenRecord, type TokenRow } from './rows.js';
import { runUnique, type Dialect, type SqlSession } from './sql.js';
import type { TokenRecord, TokenWrites } from './types.js';

export class TokenRecords implements TokenWrites {
  constructor(
    private readonly session: SqlSession,
    private readonly dialect: Dialect,
  ) {}

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    const row = (
      await this.session.all<TokenRow>(
        'SELECT id, name, hash, scopes, created_at FROM tokens WHERE hash = ?',
        [hash],
      )
    )[0];
    return row && toTokenRecord(row);
  }

  async count(): Promise<number> {
    const rows = await this.session.all<{ n: number | string }>('SELECT count(*) AS n FROM tokens');
    return toNumber(rows[0]?.n ?? 0);
  }

  async insert(t: TokenRecord): Promise<void> {
    await runUnique(
      this.session,
      this.dialect,
      'token',
      'INSERT INTO tokens (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)',
      [t.id, t.name, t.hash, JSON.stringify(t.scopes), t.createdAt],
    );
  }
}
