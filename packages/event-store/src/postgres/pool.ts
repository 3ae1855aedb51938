import pg from 'pg';
import { redactUrl } from '../location.js';
import { PostgresUnreachableError } from './errors.js';

/**
 * A pool for one of the project's PostgreSQL stores (the log, the views, the
 * API's access store), made ready by `prepare` (its schema migrated or
 * created) and ended again if that fails, so a store that could not open
 * leaves no connection behind. A failure of the first connection (the
 * server, the user, the database) is told apart from one of `prepare`, as a
 * PostgresUnreachableError that says what to check.
 */
export async function openPool(config: pg.PoolConfig, prepare: (pool: pg.Pool) => Promise<void>): Promise<pg.Pool> {
  const pool = new pg.Pool(config);
  // An idle pooled connection that the server drops emits 'error' on the pool; unhandled, it would end the process.
  // The pool discards that connection itself and the next query opens a fresh one.
  pool.on('error', () => undefined);
  try {
    let first: pg.PoolClient;
    try {
      first = await pool.connect();
    } catch (err) {
      throw err instanceof Error ? new PostgresUnreachableError(placeOf(config.connectionString), err) : err;
    }
    first.release();
    await prepare(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}

/** The database a connection string names, for a message: no password, no parameters (the log adds its own). */
function placeOf(connectionString: string | undefined): string {
  if (connectionString === undefined) return 'the place the PG* environment variables name';
  const redacted = redactUrl(connectionString);
  try {
    const url = new URL(redacted);
    url.search = '';
    return url.toString();
  } catch {
    return redacted;
  }
}
