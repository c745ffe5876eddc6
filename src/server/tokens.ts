/** `strata server token create`: issue a token straight into a data dir's (or database's) storage. */
import { UsageError } from '../errors.js';
import { openStorage, parseDatabase } from '../storage/open.js';
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
  const storage = await openStorage(spec);
  try {
    const { token, record } = await issueToken(storage, { scopes: options.scopes, name: options.name });
    return { token, id: record.id, name: record.name, scopes: record.scopes };
  } finally {
    await storage.close();
  }
}
