import type { Pool } from 'pg';
import { inTransaction } from './tx.js';

export const SCHEMA_VERSION = 1;
export const DEFAULT_SCHEMA = 'event_store';

/**
 * First half of the two-int advisory lock key ('LR'); the second half is
 * hashtext(schema), so stores in different schemas of one database do not
 * wait for each other (a hash collision only makes them wait, never wrong).
 */
export const LOCK_CLASS = 0x4c52;

/** The one lock every writer of the log takes, transaction-scoped: see store.ts for why appends are serialised. */
export const lockStatement = (schema: string): string => `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('${schema}'))`;

/** The NOTIFY channel on which appends to this schema's log are announced. */
export const channelOf = (schema: string): string => `${schema}_appended`;

/**
 * Schema names are spliced into SQL (identifiers cannot be bound), so only
 * plain lower-case identifiers are accepted: no quoting, no injection.
 */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 48), not starting with a digit`);
  }
  return schema;
}

/**
 * Mirrors the SQLite layout: stream names live once in `streams`, events
 * refer to them by id; both unique indexes lead with stream_id; event_types
 * keeps per-type counts so stats() does not scan the log.
 *
 * - `name` is COLLATE "C" so that a category is the byte range
 *   ['<category>-', '<category>.'), whatever the database's collation (under
 *   most linguistic collations '-' and '.' are ignored at first level).
 * - Positions are not a sequence but come from `log_head`, advanced under the
 *   append lock: transactional (a rolled-back append hands its positions out
 *   again, which nobody ever saw) and never lowered, so erasing the newest
 *   events does not make their positions come back.
 * - Fixed-width columns first: no alignment padding between them.
 * - known_at is text like occurred_on: the caller's string comes back as given.
 * - Payloads are json, not jsonb: json keeps the text as written (key order,
 *   any string JSON can carry), so a payload comes back exactly as appended,
 *   as from the SQLite store; the log is written once and read in order, so
 *   jsonb's binary form would cost a conversion each way for operators the
 *   adapter never uses. Ad-hoc queries still have ->, ->> and casts to jsonb.
 */
const ddlV1 = (s: string): string => `
CREATE TABLE ${s}.streams (
  stream_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE,
  revision integer NOT NULL
);
CREATE TABLE ${s}.events (
  position bigint PRIMARY KEY,
  stream_id bigint NOT NULL,
  recorded_at timestamptz NOT NULL,
  revision integer NOT NULL,
  schema_version integer NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  occurred_on text,
  known_at text NOT NULL,
  data json NOT NULL,
  metadata json,
  UNIQUE (stream_id, revision),
  UNIQUE (stream_id, event_id)
);
CREATE TABLE ${s}.event_types (
  type text PRIMARY KEY,
  events bigint NOT NULL
);
CREATE TABLE ${s}.log_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last_position bigint NOT NULL
);
INSERT INTO ${s}.log_head (last_position) VALUES (0);
`;

export async function migrate(pool: Pool, schema: string): Promise<void> {
  // Under the append lock: two processes opening a fresh database must not both create the tables.
  await inTransaction(pool, `BEGIN; ${lockStatement(schema)}`, async (client) => {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; CREATE TABLE IF NOT EXISTS ${schema}.schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${schema}.schema_version`);
    const current = rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`event store schema version ${current} in ${schema} is newer than this code understands (${SCHEMA_VERSION})`);
    }
    if (current < 1) {
      await client.query(ddlV1(schema));
      await client.query(`INSERT INTO ${schema}.schema_version (version) VALUES (1)`);
    }
  });
}
