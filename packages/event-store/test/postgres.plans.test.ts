/**
 * Lookups by a list of keys must go through the indexes, whatever the
 * planner thinks of the list: a batch of keys read by a scan of the whole
 * table costs the same for a thousand keys as for all of them, so reading
 * every stream (a rebuild, a re-delivery) grew with the square of the log.
 * The plans are read with EXPLAIN, with and without the table's statistics.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresEventStore, type PostgresEventStore } from '../src/postgres/index.js';
import { statements } from '../src/postgres/store.js';
import { joinColumn } from '../src/postgres/text-columns.js';
import { expectRight, newEvent } from '../test-support/conformance/helpers.js';
import { describeWithPostgres, postgresForTests, scansOf, wholeTableScans } from '../test-support/postgres.js';

const pgForTests = await postgresForTests();

const STREAMS = 6000;
const EVENTS = 5;

describeWithPostgres('PostgreSQL lookups by lists of keys', pgForTests, (db) => {
  const schema = 'plans';
  let store: PostgresEventStore;
  let client: pg.Client;
  let ids: number[];
  let names: string[];
  let eventIds: string[];

  beforeAll(async () => {
    store = await openPostgresEventStore({ connectionString: db.url(), schema });
    const appends = Array.from({ length: STREAMS }, (_, i) => ({
      stream: `learner-${String(i).padStart(4, '0')}`, expectedRevision: 'no_stream' as const, events: Array.from({ length: EVENTS }, () => newEvent()),
    }));
    for (let i = 0; i < appends.length; i += 1000) expectRight(await store.appendToStreams(appends.slice(i, i + 1000)));
    client = new pg.Client({ connectionString: db.url() });
    await client.connect();
    // A third of the streams: a share at which a scan of the whole table looks cheaper to the planner than probing.
    const page = (await client.query<{ stream_id: number; name: string }>(`SELECT stream_id, name FROM ${schema}.streams ORDER BY name LIMIT ${STREAMS / 3}`)).rows;
    ids = page.map((r) => Number(r.stream_id));
    names = page.map((r) => r.name);
    eventIds = (await client.query<{ event_id: string }>(`SELECT event_id FROM ${schema}.events WHERE stream_id = ANY($1::bigint[])`, [ids])).rows.map((r) => r.event_id);
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await store?.close();
  });

  const sql = statements(schema);
  /** Each lookup in both forms, with parameters a batch of the import or a rebuild's page would give. */
  const lookups = (): [string, string, unknown[]][] => [false, true].flatMap((joined) => {
    const k = joined ? 1 : 0;
    const col = (values: readonly (string | number)[]) => (joined ? joinColumn(values) : values);
    const pairs = eventIds.slice(0, 2000);
    return [
      [`streams (${k})`, sql.streams[k], [col(names)]],
      [`revisions (${k})`, sql.revisions[k], [col(names)]],
      [`storedIds (${k})`, sql.storedIds[k], [col(pairs.map((_, i) => ids[i % ids.length]!)), col(pairs)]],
      [`streamsNamed (${k})`, sql.streamsNamed[k], [col(names)]],
      [`streamsEvents (${k})`, sql.streamsEvents[k], [col(ids), col(names), Number.MAX_SAFE_INTEGER]],
    ] as [string, string, unknown[]][];
  });

  const plans = async () => {
    const out: Record<string, string[]> = {};
    for (const [name, text, values] of lookups()) out[name] = await scansOf(db.url(), text, values);
    return out;
  };

  const noWholeTableScans = (found: Record<string, string[]>) => {
    expect(Object.keys(found)).toHaveLength(10);
    for (const [name, list] of Object.entries(found)) {
      expect(list.length, name).toBeGreaterThan(0);
      expect(wholeTableScans(list), `${name}: ${list.join(', ')}`).toEqual([]);
    }
  };

  it('reads streams and events key by key before the tables were analysed', async () => {
    noWholeTableScans(await plans());
  });

  it('reads streams and events key by key once the tables are analysed', async () => {
    await client.query(`ANALYZE ${schema}.events; ANALYZE ${schema}.streams`);
    noWholeTableScans(await plans());
  });
});
