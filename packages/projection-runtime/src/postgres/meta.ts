/**
 * The meta schema: one row naming the published generation (and the last
 * generation number handed out, so a number is never used twice even after
 * its schema is dropped), and one row naming the writer lock's holder.
 */
import type pg from 'pg';
import { quote, SETUP_LOCK_CLASS, type Names } from './names.js';

type Queryable = Pick<pg.Pool | pg.Client, 'query'>;

/** Idempotent, and safe when several processes open the views at once (CREATE ... IF NOT EXISTS alone races). */
export async function ensureMeta(pool: pg.Pool, names: Names): Promise<void> {
  const m = quote(names.meta);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SETUP_LOCK_CLASS, names.prefix]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${m}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${m}.current (id integer PRIMARY KEY CHECK (id = 1), generation text, last_number integer NOT NULL)`);
    await client.query(`INSERT INTO ${m}.current (id, generation, last_number) VALUES (1, NULL, 0) ON CONFLICT (id) DO NOTHING`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${m}.writer (id integer PRIMARY KEY CHECK (id = 1), backend_pid integer NOT NULL, pid integer NOT NULL, host text NOT NULL, since text NOT NULL, purpose text NOT NULL)`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function readPointer(db: Queryable, names: Names): Promise<string | null> {
  const { rows } = await db.query<{ generation: string | null }>(`SELECT generation FROM ${quote(names.meta)}.current WHERE id = 1`);
  return rows[0]?.generation ?? null;
}

/** Every generation schema of this prefix, published or not, in number order. */
export async function listGenerationSchemas(db: Queryable, names: Names): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname ~ $1 ORDER BY substring(nspname FROM '[0-9]+$')::integer`,
    [names.generationRegex],
  );
  return rows.map((r) => r.name);
}

/**
 * The next generation's schema name. Committed at once: a session that dies
 * after this leaves a gap in the numbers, never a number that a reader with
 * an old pointer could confuse with a newer schema.
 */
export async function nextGeneration(db: Queryable, names: Names): Promise<string> {
  const { rows } = await db.query<{ n: number }>(
    `UPDATE ${quote(names.meta)}.current SET last_number = greatest(last_number,
       coalesce((SELECT max(substring(nspname FROM '[0-9]+$')::integer) FROM pg_namespace WHERE nspname ~ $1), 0)) + 1
     WHERE id = 1 RETURNING last_number AS n`,
    [names.generationRegex],
  );
  return names.generation(rows[0]!.n);
}

/**
 * Drops a generation schema. A reader still querying it holds locks the drop
 * must wait for; past lockTimeoutMs the drop gives up and the schema stays
 * until the next writer session sweeps it.
 */
export async function dropGeneration(client: pg.Client, schema: string, lockTimeoutMs: number): Promise<boolean> {
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    await client.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((err as { code?: string }).code === '55P03') return false;
    throw err;
  }
}

/**
 * Drops every generation schema but the published one: left by a session
 * that was killed or abandoned, or superseded while a reader held it. Only
 * a writer holding the lock calls this, so none of them is being written.
 */
export async function sweepGenerations(client: pg.Client, names: Names, lockTimeoutMs: number): Promise<void> {
  const published = await readPointer(client, names);
  for (const schema of await listGenerationSchemas(client, names)) {
    if (schema !== published) await dropGeneration(client, schema, lockTimeoutMs);
  }
}
