import type { Kysely } from 'kysely';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { readCheckpoint, readCheckpoints } from './checkpoints.js';
import { checkAnchors } from './log-anchor.js';
import { settleAll, tableNames, type Projection } from './projection.js';
import { listViewTables } from './view-tables.js';
import type { LockOptions, ViewsStore } from './views-store.js';

/**
 * How far each projection has forgotten a stream, by the position of the
 * stream's first event: an erasure killed after the views forgot the learner
 * but before the log dropped the stream is run again whole, and a projection
 * that subtracts (event-counts) must not subtract twice. The position names
 * no learner; once the log has dropped the stream it points at a gap the log
 * shows anyway. Not a projection's table: a rebuild starts without it, from
 * a log that no longer holds the stream or holds it whole.
 */
export const FORGOTTEN_TABLE = 'projection_forgotten';

async function createForgottenTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(FORGOTTEN_TABLE)
    .ifNotExists()
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('stream_start', 'bigint', (c) => c.notNull())
    .addColumn('through', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${FORGOTTEN_TABLE}_pk`, ['projection', 'stream_start'])
    .execute();
}

/**
 * Erasure (SPEC section 9) on the views side: in one writer session, every
 * projection forgets the learner, and the result is published. The caller
 * reads the learner's stream, calls this with the events it read, then
 * erases the stream from the log: once the stream is gone no later catch-up
 * can bring the learner back. Each projection gets only the events its
 * checkpoint covers and has not forgotten before, so counts drop by exactly
 * what was counted, however often the erasure is run.
 */
export async function forgetLearner(options: LockOptions & {
  readonly views: ViewsStore;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly learnerId: string;
  /** The learner's events as read before the erasure. */
  readonly events: readonly RecordedEvent[];
}): Promise<{ readonly published: string | null }> {
  const { views, store, learnerId, events } = options;
  // Nothing published yet: nothing to forget, and the first catch-up reads the log as it will be.
  if ((await views.reader.published()) === null) return { published: null };
  const streamStart = events[0]?.position;
  const session = await views.writeSession({ purpose: 'erase', ...(options.ifLocked ? { ifLocked: options.ifLocked } : {}), ...(options.onWait ? { onWait: options.onWait } : {}) });
  // The projections that forgot the learner here (current ones): what they summarize changed.
  const forgot: Projection[] = [];
  try {
    await session.transaction(async ({ db, bulk }) => {
      // The checkpoints say which of the learner's events each projection counted: only true of views made from this log.
      await checkAnchors(store, (await readCheckpoints(db, options.projections.map((p) => p.name))).values(), views.location);
      if (streamStart !== undefined) await createForgottenTable(db);
      for (const projection of options.projections) {
        if (!projection.forgetLearner) continue;
        const cp = await readCheckpoint(db, projection.name);
        if (!cp || cp.version !== projection.version) continue;
        const before = streamStart === undefined ? 0 : await forgottenThrough(db, projection.name, streamStart);
        const applied = events.filter((e) => e.position > before && e.position <= cp.position);
        await projection.forgetLearner(learnerId, applied, { db, t: tableNames(projection), bulk, store, until: cp.position });
        forgot.push(projection);
        if (streamStart !== undefined) {
          const through = Math.max(before, cp.position);
          await db.insertInto(FORGOTTEN_TABLE)
            .values({ projection: projection.name, stream_start: streamStart, through })
            .onConflict((oc) => oc.columns(['projection', 'stream_start']).doUpdateSet({ through }))
            .execute();
        }
      }
    });
    await settleAll(session, forgot);
    return { published: (await session.publish()).generation };
  } catch (err) {
    await session.abandon();
    throw err;
  }
}

/**
 * How many learners' streams `projection` has forgotten in these views. A
 * forgetting publishes views at the same checkpoint (and on PostgreSQL in the
 * same generation), so this is what tells readers the views changed.
 */
export async function forgottenCount(db: Kysely<any>, projection: string): Promise<number> {
  if (!(await listViewTables(db)).has(FORGOTTEN_TABLE)) return 0;
  const row = await db.selectFrom(FORGOTTEN_TABLE).select((eb) => eb.fn.countAll().as('n')).where('projection', '=', projection).executeTakeFirst();
  return Number(row?.['n'] ?? 0);
}

/** The position up to which `projection` has forgotten the stream that began at `streamStart` (0: not at all). */
async function forgottenThrough(db: Kysely<any>, projection: string, streamStart: number): Promise<number> {
  const row = await db.selectFrom(FORGOTTEN_TABLE).select('through').where('projection', '=', projection).where('stream_start', '=', streamStart).executeTakeFirst();
  return row ? Number(row['through']) : 0;
}
