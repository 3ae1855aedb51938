import type { EventStore } from '../src/port.js';
import { openPostgresEventStore } from '../src/postgres/index.js';
import { describeEventStoreConformance } from '../test-support/conformance.js';
import { describeWithPostgres, postgresForTests } from '../test-support/postgres.js';

const pg = await postgresForTests();

describeWithPostgres('PostgreSQL adapter', pg, (db) => {
  let n = 0;
  // A schema per test: as fresh as SQLite's file per test, without a database per test.
  describeEventStoreConformance('postgres', async () => {
    const schema = `conformance_${++n}`;
    const store = await openPostgresEventStore({ connectionString: db.url(), schema });
    const opened: EventStore[] = [];
    return {
      store,
      async open() {
        const other = await openPostgresEventStore({ connectionString: db.url(), schema });
        opened.push(other);
        return other;
      },
      async cleanup() {
        for (const s of [store, ...opened]) await s.close();
      },
    };
  });
});
