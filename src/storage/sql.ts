/**
 * The seam between the storage parts (written once, in SQL both databases speak) and the two
 * drivers. Statements use `?` placeholders; the PostgreSQL driver numbers them. Everything a
 * dialect does differently is in `Dialect`, and it is short on purpose.
 */
import { StorageConflict, UnstorableValue } from './types.js';

/** Statements over one connection (inside a transaction when it is a writer's). */
export interface SqlSession {
  /** The rows a statement returns (SELECT, or a change with RETURNING). */
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Appended to a SELECT that locks its rows until commit ('' where one writer holds the database). */
  readonly forUpdate: string;
  /** A condition `column` is one of `values`, with its parameters (one placeholder or one per value). */
  anyOf(column: string, values: readonly string[]): { sql: string; params: unknown[] };
  /** True when `error` is a unique (or primary) key violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * `rows` as a table expression with the given columns (name and PostgreSQL type), for one
   * statement over many rows (PostgreSQL: one array parameter per column, one prepared statement
   * for any number of rows).
   */
  rowsOf(
    columns: ReadonlyArray<readonly [string, string]>,
    rows: ReadonlyArray<readonly unknown[]>,
  ): { sql: string; params: unknown[] };
}

/** Runs a change; a unique-key violation becomes `StorageConflict` (which re-runs the write). */
export async function runUnique(
  session: SqlSession,
  dialect: Dialect,
  what: string,
  sql: string,
  params: readonly unknown[],
): Promise<number> {
  try {
    return await session.run(sql, params);
  } catch (e) {
    if (dialect.isUniqueViolation(e)) throw new StorageConflict(`${what} already exists`, e);
    throw e;
  }
}

/** `?, ?, ?` */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * Refuses parameters no storage can hold: text with NUL. Both sessions call it on every
 * statement, so SQLite (which would store it) and PostgreSQL (which fails with 22021) agree.
 */
export function refuseUnstorable(params: readonly unknown[]): void {
  for (const p of params) {
    if (
      typeof p === 'string'
        ? p.includes('\u0000')
        : Array.isArray(p) && p.some((v) => typeof v === 'string' && v.includes('\u0000'))
    ) {
      throw new UnstorableValue('the request holds text with a NUL character, which cannot be stored');
    }
  }
}
