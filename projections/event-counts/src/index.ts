import { sql, type Kysely } from 'kysely';
import { learnerStream } from '@leerroutes/domain';
import type { RecordedEvent } from '@leerroutes/event-store';
import { packColumns, type Projection, type RowBlock } from '@leerroutes/projection-runtime/kit';

/**
 * What the log holds, by event type and school year: a quick look at what an
 * import brought in, and the worked example of a projection in the README.
 * The table keeps one narrow row per event and readers count with GROUP BY:
 * every batch only appends fresh rows (the bulk path), and forgetting a
 * learner deletes the learner's rows. Events without a school year
 * (reference data) count under ''.
 */
export const COUNTED_EVENT = 'counted_event';

const schoolYearOf = (e: RecordedEvent): string => {
  const year = (e.data as { schoolYear?: unknown } | null)?.schoolYear;
  return typeof year === 'string' ? year : '';
};

const COLUMNS = ['position', 'stream', 'event_type', 'school_year'];

function rowsOf(batch: readonly RecordedEvent[]): RowBlock {
  const positions = new Array<number>(batch.length);
  const streams = new Array<string>(batch.length);
  const types = new Array<string>(batch.length);
  const years = new Array<string>(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i]!;
    positions[i] = e.position;
    streams[i] = e.stream;
    types[i] = e.type;
    years[i] = schoolYearOf(e);
  }
  return packColumns([positions, streams, types, years], batch.length);
}

export const eventCounts: Projection = {
  name: 'event-counts',
  version: 2,
  tables: [COUNTED_EVENT],

  async createTables(db, t) {
    await db.schema
      .createTable(t(COUNTED_EVENT))
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('school_year', 'text', (c) => c.notNull())
      .execute();
  },

  // The rows need the events' payloads (the school year): a rebuild in a worker thread makes them there.
  prepare: async (batch) => rowsOf(batch),

  async apply(batch, { bulk, t, prepared }) {
    await bulk.insert(t(COUNTED_EVENT), COLUMNS, (prepared as RowBlock | undefined) ?? rowsOf(batch));
  },

  async forgetLearner(learnerId, _events, { db, t }) {
    await db.deleteFrom(t(COUNTED_EVENT)).where('stream', '=', learnerStream(learnerId)).execute();
  },
};

/** Events per type and school year, as the published views count them. */
export async function readEventCounts(db: Kysely<any>): Promise<{ event_type: string; school_year: string; events: number }[]> {
  const { rows } = await sql<{ event_type: string; school_year: string; events: number }>`
    select event_type, school_year, count(*) as events from ${sql.table(COUNTED_EVENT)} group by event_type, school_year order by event_type, school_year`.execute(db);
  return rows;
}
