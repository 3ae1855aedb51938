/**
 * Another process on the same views directory, for the tests in
 * views-store.test.ts. Reads commands from stdin, one per line, and answers
 * on stdout, one JSON line per answer.
 *
 *   node --import tsx views-child.ts <dir> read     each 'read' line: the count and sum of table t, as readers see them
 *   node --import tsx views-child.ts <dir> write    takes a writer session at once, appends a row, says 'holding';
 *                                                   a 'publish' line publishes it
 *   node --import tsx views-child.ts <dir> rebuild  the same from empty: table t afresh, holding 1000
 *
 * <dir> may instead be `postgres:<prefix>:<connection string>`, for the
 * PostgreSQL store.
 */
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { openDuckDbViews } from '../../src/index.js';
import { openPostgresViews } from '../../src/postgres/index.js';

const [dir, mode] = process.argv.slice(2);
const postgres = /^postgres:([a-z0-9_]+):(.*)$/.exec(dir!);
const views = postgres ? await openPostgresViews({ schema: postgres[1]!, connectionString: postgres[2]!, recheckMs: 0 }) : await openDuckDbViews(dir!, { recheckMs: 0 });
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

if (mode === 'read') {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'read') break;
    try {
      const { rows } = await sql<{ n: number; total: number }>`select count(*) as n, coalesce(sum(x), 0) as total from t`.execute(views.reader.db);
      say({ ...rows[0], generation: await views.reader.published() });
    } catch (err) {
      say({ error: (err as Error).message });
    }
  }
} else if (mode === 'write' || mode === 'rebuild') {
  const session = await views.writeSession({ purpose: 'the test child', ifLocked: 'fail', from: mode === 'rebuild' ? 'empty' : 'published' });
  await session.transaction(async ({ db, bulk }) => {
    if (mode === 'rebuild') await db.schema.createTable('t').addColumn('x', 'integer', (c) => c.notNull()).execute();
    await bulk.insert('t', ['x'], [[1000]]);
  });
  say({ holding: true, pid: process.pid });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'publish') {
      say({ published: (await session.publish()).generation });
      break;
    }
  }
}
await views.close();
process.exit(0);
