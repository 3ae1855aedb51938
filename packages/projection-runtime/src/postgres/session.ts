/**
 * A writer session on PostgreSQL, on a connection of its own that holds the
 * writer lock for the session's life:
 *
 * - From the published views, it writes in place, in the published schema:
 *   each transaction commits on its own and readers see it as it commits,
 *   whole (the runtime writes each batch with its checkpoint in one
 *   transaction). publish() only ends the session.
 * - From nothing (a rebuild, or the first session of all), it fills a fresh
 *   generation schema, committing batch by batch where no reader looks;
 *   publish() switches the pointer to it and drops the one it replaces.
 *   A session killed before that leaves a schema that the next session sweeps.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { WriterSession, WriteSessionOptions } from '../views-store.js';
import { unnestBulkWriter, type ColumnTypeCache } from './bulk.js';
import { acquireWriterLock, releaseWriterLock, type InProcessLine } from './lock.js';
import { dropGeneration, nextGeneration, readPointer, sweepGenerations } from './meta.js';
import { numberTypes, quote, type Names } from './names.js';
import type { PublishedReader } from './reader.js';

/** How long dropping a superseded generation waits for readers still on it before leaving it to the next session's sweep. */
const DROP_LOCK_TIMEOUT_MS = 10_000;
/** The sweep at a session's start waits less: what it leaves, a later session sweeps. */
const SWEEP_LOCK_TIMEOUT_MS = 2_000;

export interface SessionContext {
  readonly connectionString: string;
  readonly names: Names;
  readonly location: string;
  readonly reader: PublishedReader;
  readonly line: InProcessLine;
}

/**
 * kysely's PostgresDialect over the session's one client. Checkouts take
 * turns, so a query on the session's db never slips into a transaction
 * that another checkout has open on the same connection.
 */
function singleClientPool(client: pg.Client) {
  let busy = false;
  const waiting: (() => void)[] = [];
  const release = () => {
    busy = false;
    waiting.shift()?.();
  };
  return {
    async connect() {
      while (busy) await new Promise<void>((resolve) => waiting.push(resolve));
      busy = true;
      return { query: client.query.bind(client), release };
    },
    // The session ends its client itself, after releasing the lock on it.
    async end() {},
  };
}

export async function openWriterSession(ctx: SessionContext, opts: WriteSessionOptions): Promise<WriterSession & { readonly generation: string }> {
  const { names } = ctx;
  const endTurn = await ctx.line.take(ctx.location, opts.purpose ?? 'catch-up', opts);
  const client = new pg.Client({ connectionString: ctx.connectionString, types: numberTypes });
  // A terminated backend emits 'error' on an idle client; unheard, it would end the process. The next query fails instead.
  client.on('error', () => undefined);
  let schema: string | null = null;
  let fresh = false;
  try {
    await client.connect();
    await acquireWriterLock(client, names, ctx.location, opts.purpose ?? 'catch-up', opts);
    await sweepGenerations(client, names, SWEEP_LOCK_TIMEOUT_MS);
    const published = await readPointer(client, names);
    if (opts.from === 'empty' || published === null) {
      schema = await nextGeneration(client, names);
      fresh = true;
      await client.query(`CREATE SCHEMA ${quote(schema)}`);
    } else {
      schema = published;
    }
    await client.query(`SET search_path TO ${quote(schema)}`);
  } catch (err) {
    // Ending the connection frees the lock; a fresh schema left behind is swept by the next session.
    await client.end().catch(() => undefined);
    endTurn();
    throw err;
  }
  const generation = schema;
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: singleClientPool(client) as unknown as pg.Pool }) });
  const types: ColumnTypeCache = new Map();
  let ended = false;
  let queue: Promise<unknown> = Promise.resolve();

  const end = async (): Promise<void> => {
    ended = true;
    try {
      await releaseWriterLock(client, names);
    } catch {
      // The connection is gone already, and the lock with it.
    } finally {
      await client.end().catch(() => undefined);
      endTurn();
    }
  };
  const check = (): void => {
    if (ended) throw new Error(`the writer session on ${generation} has ended`);
  };

  return {
    generation,
    db,
    transaction(fn) {
      try { check(); } catch (err) { return Promise.reject(err); }
      const run = queue.then(() => db.transaction().execute((trx) => fn({ db: trx, bulk: unnestBulkWriter(trx, types) })));
      queue = run.catch(() => {});
      return run;
    },
    async publish() {
      check();
      await queue;
      try {
        if (fresh) {
          // Statistics before the first reader plans a query: autovacuum would gather them only after its next nap,
          // and until then the planner takes the freshly filled tables for empty (nested loops over millions of rows).
          const { rows: tables } = await client.query<{ name: string }>(
            `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [generation]);
          for (const t of tables) await client.query(`ANALYZE ${quote(generation)}.${quote(t.name)}`);
          const previous = await readPointer(client, names);
          // On the connection that holds the lock: a session that lost it (its backend terminated) cannot publish.
          await client.query(`UPDATE ${quote(names.meta)}.current SET generation = $1 WHERE id = 1`, [generation]);
          ctx.reader.lookAgain();
          if (previous !== null && previous !== generation) await dropGeneration(client, previous, DROP_LOCK_TIMEOUT_MS).catch(() => false);
        }
      } finally {
        await end();
      }
      return { generation };
    },
    async abandon() {
      if (ended) return;
      await queue;
      // Nobody reads a fresh schema; in place, what committed is published already (each transaction with its checkpoint).
      if (fresh) await dropGeneration(client, generation, DROP_LOCK_TIMEOUT_MS).catch(() => false);
      await end();
    },
  };
}
