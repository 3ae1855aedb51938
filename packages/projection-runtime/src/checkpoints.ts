import type { Kysely } from 'kysely';

/**
 * Where each projection stands, written in the same transaction as the view
 * rows of the batch it covers, and published with them.
 */
export interface Checkpoint {
  readonly name: string;
  readonly version: number;
  readonly position: number;
}

export const CHECKPOINT_TABLE = 'projection_checkpoint';

export async function createCheckpointTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(CHECKPOINT_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .execute();
}

/** A missing table reads as "nothing yet": views before their first publication have no tables at all (SQLite, DuckDB, PostgreSQL's 42P01). */
export const isMissingTable = (err: unknown): boolean =>
  err instanceof Error && ((err as { code?: unknown }).code === '42P01' || /no such table|Table with name .* does not exist/i.test(err.message));

const checkpointOf = (r: Record<string, unknown>): Checkpoint => ({ name: String(r['name']), version: Number(r['version']), position: Number(r['position']) });

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
    .values({ name: cp.name, version: cp.version, position: cp.position })
    .onConflict((oc) => oc.column('name').doUpdateSet({ version: cp.version, position: cp.position }))
    .execute();
}

/** Moves existing checkpoints to `position` in one statement (an upsert per projection cost DuckDB milliseconds each). */
export async function advanceCheckpoints(db: Kysely<any>, names: readonly string[], position: number): Promise<void> {
  if (names.length === 0) return;
  await db.updateTable(CHECKPOINT_TABLE).set({ position }).where('name', 'in', names).execute();
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
