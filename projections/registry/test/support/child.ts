/**
 * Run in a child process by the crash tests: `catch-up` or `rebuild` the
 * registered projections over a log, printing a line per committed batch so
 * the parent knows when to kill it.
 *   node --import tsx child.ts <log> <views dir> <catch-up|rebuild|rebuild-thread> <batchSize>
 * (`rebuild-thread` reads and prepares the log in a worker thread, as the engine's rebuild does).
 */
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { catchUp, openDuckDbViews, rebuild } from '@leerroutes/projection-runtime';
import { PROJECTIONS, REBUILD_SOURCE } from '../../src/index.js';

const [log, viewsDir, mode, batchSize] = process.argv.slice(2);
const store = openSqliteEventStore({ path: log! });
const views = await openDuckDbViews(viewsDir!);
const options = {
  store, views, projections: PROJECTIONS, batchSize: Number(batchSize),
  onProgress: (p: { phase: string; position: number }) => process.stdout.write(`${p.phase} ${p.position}\n`),
};
if (mode === 'rebuild') await rebuild(options);
else if (mode === 'rebuild-thread') await rebuild({ ...options, rebuildThread: { module: REBUILD_SOURCE, data: { log } } });
else await catchUp(options);
process.stdout.write('done\n');
await views.close();
await store.close();
