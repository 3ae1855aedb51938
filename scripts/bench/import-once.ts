/**
 * One import in this process, for profiling (`node --cpu-prof --import tsx`):
 * `tsx scripts/bench/import-once.ts DIR DB [--inline] [--known-at DATE]`.
 * --inline derives in the calling thread instead of a worker.
 */
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory } from '@leerroutes/import';

const [dir, db] = process.argv.slice(2);
if (!dir || !db) throw new Error('usage: import-once.ts DIR DB [--inline] [--known-at DATE]');
const at = process.argv.indexOf('--known-at');
const store = openSqliteEventStore({ path: db });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const s = await importDirectory({ dir, store, knownAt: at > 0 ? process.argv[at + 1]! : '2023-11-01', deriveInThread: !process.argv.includes('--inline') });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await store.close();
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, events: s.eventsAppended, eventsPerSecond: s.eventsAppended / seconds, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
