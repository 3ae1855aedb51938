import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` between `begin` (which may carry more statements, such as
 * taking the append lock) and COMMIT on one pooled connection; any throw
 * rolls back and is rethrown.
 */
export async function inTransaction<T>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    // A connection that cannot even roll back is broken: destroy it instead of handing it to the next caller.
    const healthy = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!healthy);
    throw err;
  }
}
