/**
 * Run in a child process by the crash tests: `catch-up` or `rebuild` the
 * registered projections over a log, printing a line per committed batch so
 * the parent knows when to kill it.
 *   node --import tsx child.ts <log> <views> <catch-up|rebuild> <batchSize>
 */
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, openViewsDatabase, rebuild } from '@leerroutes/projection-runtime';
import { PROJECTIONS } from '../../src/index.js';

const [log, viewsPath, mode, batchSize] = process.argv.slice(2);
const store = openSqliteEventStore({ path: log! });
const views = await openViewsDatabase(viewsPath!);
const options = {
  store, views, projections: PROJECTIONS, batchSize: Number(batchSize),
  onProgress: (p: { phase: string; position: number }) => process.stdout.write(`${p.phase} ${p.position}\n`),
};
if (mode === 'rebuild') await rebuild(options);
else await catchUp(options);
process.stdout.write('done\n');
await views.close();
await store.close();
