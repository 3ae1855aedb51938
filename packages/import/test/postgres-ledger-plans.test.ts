/**
 * The PostgreSQL ledger's lookups by a batch's keys must go through the
 * primary keys, whatever the planner thinks of the list (the event store's
 * postgres.plans.test.ts says why): as a join or `= ANY`, loading a derive
 * batch's facts read every fact table whole, and marking a batch derived
 * read every pending row of the delivery, batch after batch. The plans are
 * read with EXPLAIN, before and after the tables were analysed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinColumn, openPostgresEventStore, type PostgresEventStore } from '@leerroutes/event-store/postgres';
import { describeWithPostgres, postgresForTests, queryOnce, scansOf, wholeTableScans } from '@leerroutes/event-store/test-support/postgres';
import { FACT_TABLES } from '../src/ledger/fact-rows.js';
import { ledgerStatements, postgresImportLedger } from '../src/ledger/postgres.js';
import { ledgerSchemaOf } from '../src/ledger/postgres-schema.js';
import type { FactKind } from '../src/fact-codec.js';

const pgForTests = await postgresForTests();

const LEARNERS = 6000;
/** Rows per learner in each fact table: a learner's enrolments outnumber the rest, as in a delivery. */
const PER_LEARNER: Readonly<Record<FactKind, number>> = { enrolment: 10, advice: 2, diploma: 2, learner: 1 };
const KINDS = Object.keys(FACT_TABLES) as FactKind[];

describeWithPostgres('PostgreSQL ledger lookups by a batch of keys', pgForTests, (db) => {
  const schema = 'plans';
  const L = ledgerSchemaOf(schema);
  let store: PostgresEventStore;
  const learner = (i: number) => `L${String(i).padStart(5, '0')}`;
  // A third of the learners: a share at which a scan of the whole table looks cheaper to the planner than probing.
  const batch = Array.from({ length: LEARNERS / 3 }, (_, i) => learner(i * 3));

  beforeAll(async () => {
    store = await openPostgresEventStore({ connectionString: db.url(), schema });
    await postgresImportLedger(store);
    for (const kind of KINDS) {
      const { table, keys } = FACT_TABLES[kind];
      // Key cells from the row's number within its learner; every key is distinct.
      await queryOnce(db.url(),
        `INSERT INTO ${L}.${table} (learner_id, ${keys.join(', ')}, content, line, delivery)
         SELECT 'L' || lpad(l::text, 5, '0'), ${keys.map((k) => `'${k}-' || n`).join(', ')}, 'content', l * 100 + n, 1
         FROM generate_series(0, $1 - 1) l, generate_series(1, $2) n`,
        [LEARNERS, PER_LEARNER[kind]]);
    }
    await queryOnce(db.url(), `INSERT INTO ${L}.ledger_pending (delivery, learner_id) SELECT 1, 'L' || lpad(l::text, 5, '0') FROM generate_series(0, $1 - 1) l`, [LEARNERS]);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  const sql = ledgerStatements(L);
  /** Each lookup in both forms (arrays, joined columns), with the parameters a derive batch gives. */
  const lookups = (): [string, string, unknown[]][] => [
    ...[false, true].flatMap((joined) => {
      const k = joined ? 1 : 0;
      const col = (values: readonly string[]) => (joined ? joinColumn(values) : values);
      return KINDS.flatMap((kind): [string, string, unknown[]][] => {
        // The stored rows under a batch's keys: every key of the batch's learners.
        const keyCells = [batch, ...FACT_TABLES[kind].keys.map((key) => batch.map(() => `${key}-1`))];
        return [
          [`factsOf ${kind} (${k})`, sql.factsOf(kind)[k], [col(batch)]],
          [`stored ${kind} (${k})`, sql.stored(kind)[k], keyCells.map(col)],
        ];
      });
    }),
    ['batchDone', sql.batchDone, [1, batch]],
  ];

  const noWholeTableScans = async () => {
    const found: Record<string, string[]> = {};
    for (const [name, text, values] of lookups()) found[name] = await scansOf(db.url(), text, values);
    expect(Object.keys(found)).toHaveLength(4 * KINDS.length + 1);
    for (const [name, list] of Object.entries(found)) {
      expect(list.length, name).toBeGreaterThan(0);
      expect(wholeTableScans(list), `${name}: ${list.join(', ')}`).toEqual([]);
    }
  };

  it('finds a batch\'s facts and pending rows key by key before the tables were analysed', async () => {
    await noWholeTableScans();
  });

  it('finds them key by key once the tables are analysed', async () => {
    await queryOnce(db.url(), `ANALYZE ${KINDS.map((k) => `${L}.${FACT_TABLES[k].table}`).join(', ')}, ${L}.ledger_pending`);
    await noWholeTableScans();
  });
});
