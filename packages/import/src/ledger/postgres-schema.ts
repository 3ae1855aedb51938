import type { PostgresEventStore } from '@leerroutes/event-store/postgres';
import { FACT_TABLES } from './fact-rows.js';

export const PG_LEDGER_SCHEMA_VERSION = 1;

/**
 * The ledger's own schema in the log's database. A database may hold several
 * logs, one per schema, so each gets its ledger: `import_ledger` beside the
 * default `event_store`, `<schema>_import_ledger` beside any other.
 */
export function ledgerSchemaOf(storeSchema: string): string {
  return storeSchema === 'event_store' ? 'import_ledger' : `${storeSchema}_import_ledger`;
}

/**
 * The SQLite ledger's tables, column for column and in the same order, so
 * that both dump the same text. Keys are COLLATE "C": pending learners are
 * derived in byte order, as SQLite orders them, and dumps list rows alike.
 * Counts and JSON stay integer and text as in SQLite, for the same reason.
 */
const ddl = (s: string): string => {
  const C = 'text COLLATE "C" NOT NULL';
  const facts = Object.values(FACT_TABLES).map((t) =>
    `CREATE TABLE ${s}.${t.table} (learner_id ${C}, ${t.keys.map((k) => `${k} ${C}`).join(', ')}, content text NOT NULL, line integer NOT NULL, delivery integer NOT NULL, PRIMARY KEY (learner_id, ${t.keys.join(', ')}));`);
  return `
${facts.join('\n')}
CREATE INDEX ON ${s}.ledger_enrolment (reference_date, delivery);
CREATE TABLE ${s}.ledger_covered (reference_date ${C} PRIMARY KEY, delivery integer NOT NULL);
CREATE TABLE ${s}.ledger_area (area ${C} PRIMARY KEY, name text NOT NULL, parent text);
CREATE TABLE ${s}.ledger_institution (institution ${C} PRIMARY KEY, name text NOT NULL, board text, municipality text, kind text);
CREATE TABLE ${s}.ledger_school_group (institution ${C}, grp ${C}, valid_from ${C}, valid_to text, PRIMARY KEY (institution, grp, valid_from));
CREATE TABLE ${s}.ledger_delivery (
  id integer PRIMARY KEY, dir text NOT NULL, started_at text NOT NULL, finished_at text, known_at text, summary text,
  fingerprint text NOT NULL DEFAULT '', state text NOT NULL DEFAULT 'finished',
  learners_total integer NOT NULL DEFAULT 0, learners_done integer NOT NULL DEFAULT 0, events_appended bigint NOT NULL DEFAULT 0,
  events_retracted bigint NOT NULL DEFAULT 0, events_by_type text NOT NULL DEFAULT '{}', dropped integer NOT NULL DEFAULT 0,
  newly_covered text NOT NULL DEFAULT '[]');
CREATE TABLE ${s}.ledger_delivery_file (
  delivery integer NOT NULL, file ${C}, rows integer NOT NULL, accepted integer NOT NULL, rejected integer NOT NULL,
  inserted integer NOT NULL, changed integer NOT NULL, unchanged integer NOT NULL, repeated integer NOT NULL,
  records_done integer NOT NULL, rejects_bytes bigint NOT NULL, rejects_by_code text NOT NULL, done integer NOT NULL,
  -- SQLite lists a delivery's files in rowid order, the order they were first read; this is that order here.
  first_read bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (delivery, file));
CREATE TABLE ${s}.ledger_pending (delivery integer NOT NULL, learner_id ${C}, PRIMARY KEY (delivery, learner_id));
CREATE TABLE ${s}.ledger_delivered_date (delivery integer NOT NULL, reference_date ${C}, PRIMARY KEY (delivery, reference_date));
CREATE TABLE ${s}.ledger_pending_reference (delivery integer NOT NULL, seq integer NOT NULL, stream text NOT NULL, type text NOT NULL, data text NOT NULL, PRIMARY KEY (delivery, seq));
`;
};

export async function migrateLedger(store: PostgresEventStore, schema: string): Promise<void> {
  // Under the log's append lock: two processes opening a fresh database must not both create the tables.
  const r = await store.writeTransaction(async (tx) => {
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; CREATE TABLE IF NOT EXISTS ${schema}.schema_version (version integer NOT NULL)`);
    const { rows } = await tx.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${schema}.schema_version`);
    const current = rows[0]?.v ?? 0;
    if (current > PG_LEDGER_SCHEMA_VERSION) throw new Error(`import ledger version ${current} in ${schema} is newer than this code understands (${PG_LEDGER_SCHEMA_VERSION})`);
    if (current < 1) {
      await tx.query(ddl(schema));
      await tx.query(`INSERT INTO ${schema}.schema_version (version) VALUES (1)`);
    }
  });
  if (r._tag === 'Left') throw new Error(`could not create the import ledger in ${schema}: ${JSON.stringify(r.left)}`);
}
