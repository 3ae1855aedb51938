import pg from 'pg';

/**
 * A pool for one of the project's PostgreSQL stores (the log, the views, the
 * API's access store), made ready by `prepare` (its schema migrated or
 * created) and ended again if that fails, so a store that could not open
 * leaves no connection behind.
 */
export async function openPool(config: pg.PoolConfig, prepare: (pool: pg.Pool) => Promise<void>): Promise<pg.Pool> {
  const pool = new pg.Pool(config);
  // An idle pooled connection that the server drops emits 'error' on the pool; unhandled, it would end the process.
  // The pool discards that connection itself and the next query opens a fresh one.
  pool.on('error', () => undefined);
  try {
    await prepare(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return pool;
}
