/** `strata server token create`: issue a token straight into a data dir's (or database's) storage. */
import { StrataError, UsageError } from '../errors.js';
import { describeDatabase, openStorage, parseDatabase } from '../storage/open.js';
import { issueToken, type Scope } from './auth.js';

export interface CreatedToken {
  token: string;
  id: string;
  name: string;
  scopes: string[];
}

export async function createToken(options: {
  scopes: Scope[];
  name: string;
  dataDir: string;
  database?: string | undefined;
}): Promise<CreatedToken> {
  const spec = parseDatabase(options.database, options.dataDir);
  if (!spec)
    throw new UsageError(`--database ${options.database ?? ''} is neither sqlite:PATH nor a postgres:// URL`);
  let storage;
  try {
    storage = await openStorage(spec);
  } catch (e) {
    throw new StrataError(
      'E_STORAGE',
      `cannot open the storage ${describeDatabase(spec)}: ${(e as Error).message}`,
      spec.kind === 'postgres' ? 'check that PostgreSQL is running and the URL is right' : 'check --data-dir',
    );
  }
  try {
    const { token, record } = await issueToken(storage, { scopes: options.scopes, name: options.name });
    return { token, id: record.id, name: record.name, scopes: record.scopes };
  } finally {
    await storage.close();
  }
}
