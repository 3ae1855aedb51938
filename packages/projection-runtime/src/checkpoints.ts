import type { Kysely } from 'kysely';
import type { Slot } from './projection.js';

/**
 * Where each projection stands, written in the same transaction as the view
 * rows of the batch it covers. A projection has a `live` row (the tables
 * readers see) and, while a rebuild runs, a `next` row (the `__next` tables).
 */
export interface Checkpoint {
  readonly name: string;
  readonly slot: Slot;
  readonly version: number;
  readonly position: number;
}

export const CHECKPOINT_TABLE = 'projection_checkpoint';

export async function createCheckpointTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(CHECKPOINT_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('projection_checkpoint_pk', ['name', 'slot'])
    .execute();
}

export async function readCheckpoint(db: Kysely<any>, name: string, slot: Slot): Promise<Checkpoint | null> {
  const row = await db.selectFrom(CHECKPOINT_TABLE).selectAll().where('name', '=', name).where('slot', '=', slot).executeTakeFirst();
  return row ? { name: row.name, slot: row.slot, version: Number(row.version), position: Number(row.position) } : null;
}

export async function readCheckpoints(db: Kysely<any>, name: string): Promise<{ live: Checkpoint | null; next: Checkpoint | null }> {
  return { live: await readCheckpoint(db, name, 'live'), next: await readCheckpoint(db, name, 'next') };
}

export async function writeCheckpoint(db: Kysely<any>, cp: Checkpoint): Promise<void> {
  await db
    .insertInto(CHECKPOINT_TABLE)
    .values({ name: cp.name, slot: cp.slot, version: cp.version, position: cp.position })
    .onConflict((oc) => oc.columns(['name', 'slot']).doUpdateSet({ version: cp.version, position: cp.position }))
    .execute();
}

export async function deleteCheckpoint(db: Kysely<any>, name: string, slot: Slot): Promise<void> {
  await db.deleteFrom(CHECKPOINT_TABLE).where('name', '=', name).where('slot', '=', slot).execute();
}

/** Every stored checkpoint, for status displays. */
export async function listCheckpoints(db: Kysely<any>): Promise<Checkpoint[]> {
  const rows = await db.selectFrom(CHECKPOINT_TABLE).selectAll().orderBy('name').orderBy('slot').execute();
  return rows.map((r) => ({ name: r.name, slot: r.slot, version: Number(r.version), position: Number(r.position) }));
}
