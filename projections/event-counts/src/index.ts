import { sql } from 'kysely';
import type { RecordedEvent } from '@leerroutes/event-store';
import { insertChunked, type Projection, type ProjectionContext } from '@leerroutes/projection-runtime';

/**
 * How many events the log holds per event type and school year: a quick look
 * at what an import brought in, and the worked example of a projection in the
 * README. Events without a school year (reference data) count under ''.
 */
export const EVENT_COUNT = 'event_count';

const schoolYearOf = (e: RecordedEvent): string => {
  const year = (e.data as { schoolYear?: unknown } | null)?.schoolYear;
  return typeof year === 'string' ? year : '';
};

/** Per (type, school year): how many of `events`, negated when forgetting. */
function tally(events: readonly RecordedEvent[], sign: 1 | -1) {
  const counts = new Map<string, { event_type: string; school_year: string; events: number }>();
  for (const e of events) {
    const school_year = schoolYearOf(e);
    const key = `${e.type}\u0000${school_year}`;
    const row = counts.get(key);
    if (row) row.events += sign;
    else counts.set(key, { event_type: e.type, school_year, events: sign });
  }
  return [...counts.values()];
}

async function add(rows: ReturnType<typeof tally>, { db, t }: ProjectionContext): Promise<void> {
  const table = t(EVENT_COUNT);
  await insertChunked(db, table, rows, (q) =>
    q.onConflict((oc) => oc.columns(['event_type', 'school_year']).doUpdateSet({ events: sql`${sql.ref(`${table}.events`)} + excluded.events` })),
  );
}

export const eventCounts: Projection = {
  name: 'event-counts',
  version: 1,
  tables: [EVENT_COUNT],

  async createTables(db, t) {
    await db.schema
      .createTable(t(EVENT_COUNT))
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('school_year', 'text', (c) => c.notNull())
      .addColumn('events', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${t(EVENT_COUNT)}_pk`, ['event_type', 'school_year'])
      .execute();
  },

  async apply(batch, ctx) {
    await add(tally(batch, 1), ctx);
  },

  async forgetLearner(_learnerId, events, ctx) {
    await add(tally(events, -1), ctx);
    // A rebuild without the learner has no row for a count that fell to zero.
    await ctx.db.deleteFrom(ctx.t(EVENT_COUNT)).where('events', '<=', 0).execute();
  },
};
