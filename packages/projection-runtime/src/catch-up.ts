import { sql, type Kysely } from 'kysely';
import type { EventStore } from '@leerroutes/event-store';
import { deleteCheckpoint, readCheckpoints, writeCheckpoint } from './checkpoints.js';
import { NEXT_SUFFIX, tableNames, type Projection } from './projection.js';
import { advance, type ProgressListener, type Target } from './runner.js';
import type { ViewsDatabase } from './views-database.js';

export interface RunOptions {
  readonly store: EventStore;
  readonly views: ViewsDatabase;
  readonly batchSize?: number;
  readonly onProgress?: ProgressListener;
}

export interface RebuildOptions extends RunOptions {
  /** Rebuild these together, reading the log once. */
  readonly projections: readonly Projection[];
  /**
   * Continue an interrupted rebuild of the same version from its `__next`
   * checkpoint instead of starting over (catchUp does this after a crash).
   */
  readonly resume?: boolean;
}

export interface RunSummary {
  /** Events read from the log (one read serves every projection). */
  readonly events: number;
  readonly rebuilt: readonly string[];
  readonly head: number;
}

async function dropTables(db: Kysely<any>, names: readonly string[]): Promise<void> {
  for (const name of names) await db.schema.dropTable(name).ifExists().execute();
}

/**
 * Replay projections from position 0 into fresh `__next` tables, then swap
 * them in. The live tables keep serving reads until the swap's commit.
 */
export async function rebuild(options: RebuildOptions): Promise<RunSummary> {
  const { store, views, projections } = options;
  if (projections.length === 0) return { events: 0, rebuilt: [], head: await store.headPosition() };
  const head = await store.headPosition();
  const targets = await views.transaction(async (db) => {
    const out: Target[] = [];
    for (const projection of projections) {
      const { next } = await readCheckpoints(db, projection.name);
      if (options.resume && next && next.version === projection.version) {
        out.push({ projection, slot: 'next', position: next.position });
        continue;
      }
      const t = tableNames(projection, 'next');
      await dropTables(db, projection.tables.map(t));
      await projection.createTables(db, t);
      await writeCheckpoint(db, { name: projection.name, slot: 'next', version: projection.version, position: 0 });
      out.push({ projection, slot: 'next', position: 0 });
    }
    return out;
  });
  const events = await advance({ store, views, targets, head, phase: 'rebuild', batchSize: options.batchSize, onProgress: options.onProgress });
  options.onProgress?.({ phase: 'swap', projections: projections.map((p) => p.name), position: head, head, events });
  await views.transaction(async (db) => {
    for (const projection of projections) await swapIn(db, projection);
  });
  return { events, rebuilt: projections.map((p) => p.name), head };
}

/**
 * Drop the live tables and rename the `__next` ones in their place, in the
 * caller's transaction. SQLite keeps index names on a rename, so indexes
 * named after `__next` tables are recreated under their final names.
 */
async function swapIn(db: Kysely<any>, projection: Projection): Promise<void> {
  const next = tableNames(projection, 'next');
  for (const table of projection.tables) {
    await db.schema.dropTable(table).ifExists().execute();
    await db.schema.alterTable(next(table)).renameTo(table).execute();
    const { rows } = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db);
    for (const index of rows) {
      if (!index.name.includes(NEXT_SUFFIX)) continue;
      await db.schema.dropIndex(index.name).execute();
      await sql.raw(index.sql.replace(index.name, index.name.replace(NEXT_SUFFIX, ''))).execute(db);
    }
  }
  await deleteCheckpoint(db, projection.name, 'live');
  await sql`update projection_checkpoint set slot = 'live' where name = ${projection.name} and slot = 'next'`.execute(db);
}

/**
 * Bring every projection to the head of the log. A projection without a
 * view, with a view of another version, or with an interrupted rebuild is
 * rebuilt (resuming where the rebuild stopped); the others catch up
 * incrementally, all from one read of the log.
 */
export async function catchUp(options: RunOptions & { readonly projections: readonly Projection[] }): Promise<RunSummary> {
  const { store, views, projections } = options;
  const current: Target[] = [];
  const stale: Projection[] = [];
  for (const projection of projections) {
    const { live, next } = await readCheckpoints(views.db, projection.name);
    if (live?.version === projection.version && next && next.version !== projection.version) {
      // An abandoned rebuild by other code: the live view is what this code writes, so just clear it away.
      await views.transaction(async (db) => {
        await dropTables(db, projection.tables.map(tableNames(projection, 'next')));
        await deleteCheckpoint(db, projection.name, 'next');
      });
      current.push({ projection, slot: 'live', position: live.position });
    } else if (!live || live.version !== projection.version || next) stale.push(projection);
    else current.push({ projection, slot: 'live', position: live.position });
  }
  let events = await advance({ ...options, targets: current, head: await store.headPosition(), phase: 'catch-up' });
  if (stale.length > 0) events += (await rebuild({ ...options, projections: stale, resume: true })).events;
  // The log may have grown while we worked; one more pass covers everything up to now.
  const head = await store.headPosition();
  events += await advance({ ...options, targets: await liveTargets(views, projections), head, phase: 'catch-up' });
  return { events, rebuilt: stale.map((p) => p.name), head };
}

export async function liveTargets(views: ViewsDatabase, projections: readonly Projection[]): Promise<Target[]> {
  const out: Target[] = [];
  for (const projection of projections) {
    const { live } = await readCheckpoints(views.db, projection.name);
    if (!live || live.version !== projection.version) throw new Error(`projection ${projection.name} has no live view of version ${projection.version}; run catchUp first`);
    out.push({ projection, slot: 'live', position: live.position });
  }
  return out;
}
