import { sql, type Kysely } from 'kysely';

/**
 * Where each projection stands, written in the same transaction as the view
 * rows of the batch it covers, and published with them: a position in the
 * log, and the id of the event the log held there (log-anchor.ts says why).
 */
export interface Checkpoint {
  readonly name: string;
  readonly version: number;
  readonly position: number;
  /** The event at `position`; null at 0, for a span that ended in a gap, and in views written before checkpoints kept it. */
  readonly eventId: string | null;
}

export const CHECKPOINT_TABLE = 'projection_checkpoint';

export async function createCheckpointTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(CHECKPOINT_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .execute();
  // Views published before checkpoints named their event get the column. Asked first: on PostgreSQL an ALTER,
  // even one with nothing to do, waits for every reader of the table and holds up the readers after it.
  const { rows } = await sql<{ n: number }>`select count(*) as n from information_schema.columns
    where table_schema = current_schema() and table_name = ${CHECKPOINT_TABLE} and column_name = 'event_id'`.execute(db);
  if (Number(rows[0]?.n ?? 0) === 0) await sql`alter table ${sql.table(CHECKPOINT_TABLE)} add column event_id text`.execute(db);
}

/** A missing table reads as "nothing yet": views before their first publication have no tables at all (SQLite, DuckDB, PostgreSQL's 42P01). */
export const isMissingTable = (err: unknown): boolean =>
  err instanceof Error && ((err as { code?: unknown }).code === '42P01' || /no such table|Table with name .* does not exist/i.test(err.message));

// selectAll: views written before the event_id column read as having none.
const checkpointOf = (r: Record<string, unknown>): Checkpoint => ({
  name: String(r['name']), version: Number(r['version']), position: Number(r['position']),
  eventId: r['event_id'] === null || r['event_id'] === undefined ? null : String(r['event_id']),
});

export async function readCheckpoint(db: Kysely<any>, name: string): Promise<Checkpoint | null> {
  try {
    const row = await db.selectFrom(CHECKPOINT_TABLE).selectAll().where('name', '=', name).executeTakeFirst();
    return row ? checkpointOf(row) : null;
  } catch (err) {
    if (isMissingTable(err)) return null;
    throw err;
  }
}

/** Several projections' checkpoints in one query (a batch reads them all). */
export async function readCheckpoints(db: Kysely<any>, names: readonly string[]): Promise<Map<string, Checkpoint>> {
  if (names.length === 0) return new Map();
  const rows = await db.selectFrom(CHECKPOINT_TABLE).selectAll().where('name', 'in', names).execute();
  return new Map(rows.map((r) => [String(r.name), checkpointOf(r)]));
}

export async function writeCheckpoint(db: Kysely<any>, cp: Checkpoint): Promise<void> {
  await db
    .insertInto(CHECKPOINT_TABLE)
    .values({ name: cp.name, version: cp.version, position: cp.position, event_id: cp.eventId })
    .onConflict((oc) => oc.column('name').doUpdateSet({ version: cp.version, position: cp.position, event_id: cp.eventId }))
    .execute();
}

/** Moves existing checkpoints to `position`, the event `eventId`, in one statement (an upsert per projection cost DuckDB milliseconds each). */
export async function advanceCheckpoints(db: Kysely<any>, names: readonly string[], position: number, eventId: string | null): Promise<void> {
  if (names.length === 0) return;
  await db.updateTable(CHECKPOINT_TABLE).set({ position, event_id: eventId }).where('name', 'in', names).execute();
}

export async function deleteCheckpoint(db: Kysely<any>, name: string): Promise<void> {
  await db.deleteFrom(CHECKPOINT_TABLE).where('name', '=', name).execute();
}

/** Every stored checkpoint, for status displays. */
export async function listCheckpoints(db: Kysely<any>): Promise<Checkpoint[]> {
  try {
    return (await db.selectFrom(CHECKPOINT_TABLE).selectAll().orderBy('name').execute()).map(checkpointOf);
  } catch (err) {
    if (isMissingTable(err)) return [];
    throw err;
  }
}
