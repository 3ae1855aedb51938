import { sql, type Kysely } from 'kysely';
import type { RecordedEvent } from '@leerroutes/event-store';
import { insertChunked, type Projection } from '@leerroutes/projection-runtime/kit';

/**
 * What the log holds, by event type and school year: a quick look at what an
 * import brought in, and the worked example of a projection in the README.
 * The table holds one row per event type and school year with its count,
 * kept by adding each batch's counts to the rows (an upsert of a few dozen
 * rows a batch) and, when a learner is forgotten, taking the learner's
 * events off again; a count that reaches zero takes its row with it, so the
 * table is what a rebuild without the learner gives. (Version 2 kept a row
 * per event: at 110,000 learners that was 1.9 million rows, a third of
 * everything a rebuild wrote, for a table that is only ever summed.) Events
 * without a school year (reference data) count under ''.
 */
export const EVENT_COUNT = 'event_count';

const schoolYearOf = (e: RecordedEvent): string => {
  const year = (e.data as { schoolYear?: unknown } | null)?.schoolYear;
  return typeof year === 'string' ? year : '';
};

interface Count {
  readonly event_type: string;
  readonly school_year: string;
  readonly events: number;
}

/** The events of a batch (or of a forgotten learner), counted by type and school year, in key order. */
function countsOf(events: readonly RecordedEvent[], sign = 1): Count[] {
  const counts = new Map<string, Map<string, number>>();
  for (const e of events) {
    const byYear = counts.get(e.type) ?? counts.set(e.type, new Map()).get(e.type)!;
    const year = schoolYearOf(e);
    byYear.set(year, (byYear.get(year) ?? 0) + sign);
  }
  const out: Count[] = [];
  for (const [event_type, byYear] of counts) for (const [school_year, events] of byYear) out.push({ event_type, school_year, events });
  return inKeyOrder(out);
}

/** Counts of the same key added up (one upsert may not touch a row twice), in key order. */
function summed(counts: readonly Count[]): Count[] {
  const byKey = new Map<string, Count>();
  for (const c of counts) {
    const key = `${c.event_type}\u0000${c.school_year}`;
    const prior = byKey.get(key);
    byKey.set(key, prior ? { ...c, events: prior.events + c.events } : c);
  }
  return inKeyOrder([...byKey.values()]);
}

function inKeyOrder(out: Count[]): Count[] {
  return out.sort((a, b) => (a.event_type < b.event_type ? -1 : a.event_type > b.event_type ? 1 : a.school_year < b.school_year ? -1 : a.school_year > b.school_year ? 1 : 0));
}

async function add(db: Kysely<any>, table: string, counts: readonly Count[]): Promise<void> {
  await insertChunked(db, table, counts, (q) =>
    q.onConflict((oc) => oc.columns(['event_type', 'school_year']).doUpdateSet({ events: sql`${sql.ref(`${table}.events`)} + excluded.events` })),
  );
}

export const eventCounts: Projection = {
  name: 'event-counts',
  version: 3,
  tables: [EVENT_COUNT],
  retiredTables: ['counted_event'],

  async createTables(db, t) {
    await db.schema
      .createTable(t(EVENT_COUNT))
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('school_year', 'text', (c) => c.notNull())
      .addColumn('events', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${t(EVENT_COUNT)}_pk`, ['event_type', 'school_year'])
      .execute();
  },

  // Counting needs the events' payloads (the school year): a rebuild in a worker thread counts there.
  prepare: async (batch) => countsOf(batch),
  combine: (parts) => summed((parts as readonly Count[][]).flat()),

  async apply(batch, { db, t, prepared }) {
    await add(db, t(EVENT_COUNT), (prepared as Count[] | undefined) ?? countsOf(batch));
  },

  async forgetLearner(_learnerId, events, { db, t }) {
    await add(db, t(EVENT_COUNT), countsOf(events, -1));
    await db.deleteFrom(t(EVENT_COUNT)).where('events', '=', 0).execute();
  },
};

/** Events per type and school year, as the published views count them. */
export async function readEventCounts(db: Kysely<any>): Promise<{ event_type: string; school_year: string; events: number }[]> {
  const { rows } = await sql<{ event_type: string; school_year: string; events: number }>`
    select event_type, school_year, cast(events as integer) as events from ${sql.table(EVENT_COUNT)} order by event_type, school_year`.execute(db);
  return rows;
}
