import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { insertChunked, type Projection, type ProjectionContext } from '../../src/index.js';

/**
 * A test projection: events per stream. Hooks let a test fail, slow down or
 * look around in the middle of a batch's transaction.
 */
export interface TallyOptions {
  readonly name?: string;
  readonly version?: number;
  /** Only count events of these types (a "code change" for version tests). */
  readonly types?: readonly string[];
  /** Called inside apply after the rows are written, before the checkpoint. */
  readonly afterWrite?: (batch: readonly RecordedEvent[], ctx: ProjectionContext) => Promise<void> | void;
}

export function tally(options: TallyOptions = {}): Projection & { applied: number } {
  const name = options.name ?? 'tally';
  const p = {
    name,
    version: options.version ?? 1,
    tables: [name],
    applied: 0,
    async createTables(db, t) {
      await db.schema.createTable(t(name)).addColumn('stream', 'text', (c) => c.primaryKey()).addColumn('events', 'integer', (c) => c.notNull()).execute();
      await db.schema.createIndex(`${t(name)}_by_events`).on(t(name)).column('events').execute();
    },
    async apply(batch, ctx) {
      p.applied++;
      const counts = new Map<string, number>();
      for (const e of batch) if (!options.types || options.types.includes(e.type)) counts.set(e.stream, (counts.get(e.stream) ?? 0) + 1);
      const table = ctx.t(name);
      await insertChunked(ctx.db, table, [...counts].map(([stream, events]) => ({ stream, events })), (q) =>
        q.onConflict((oc) => oc.column('stream').doUpdateSet({ events: sql`${sql.ref(`${table}.events`)} + excluded.events` })),
      );
      await options.afterWrite?.(batch, ctx);
    },
  } satisfies Projection & { applied: number };
  return p;
}

/** What the tally should hold, computed from the log without the runtime (up to position `until`, or all of it). */
export async function expectedTally(store: EventStore, types?: readonly string[], until?: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const batch of store.readAll({ batchSize: 1000, ...(until === undefined ? {} : { until }) })) {
    for (const e of batch) if (!types || types.includes(e.type)) out[e.stream] = (out[e.stream] ?? 0) + 1;
  }
  return out;
}

export async function readTally(db: Kysely<any>, table = 'tally'): Promise<Record<string, number>> {
  const rows = await db.selectFrom(table).selectAll().orderBy('stream').execute();
  return Object.fromEntries(rows.map((r) => [r.stream, Number(r.events)]));
}

export function tempPath(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'projection-runtime-')), name);
}

/** n events over a few streams, appended one by one. */
export async function appendEvents(store: EventStore, n: number, streams = 7, offset = 0): Promise<void> {
  for (let i = offset; i < offset + n; i++) {
    const stream = `s-${i % streams}`;
    const r = await store.appendToStream(stream, [{ eventId: `ev-${i}`, type: i % 3 === 0 ? 'A' : 'B', schemaVersion: 1, data: { i }, occurredOn: null }]);
    if (r._tag === 'Left') throw new Error(JSON.stringify(r.left));
  }
}
