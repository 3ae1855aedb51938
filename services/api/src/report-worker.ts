/**
 * A worker thread that computes reports on its own connection to the engine,
 * so the server's event loop keeps answering (cached reports, health) while
 * a report is computed, and reports use more than one core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openEngine } from '@leerroutes/engine';
import { explainCell, runReport } from '@leerroutes/indicators';
import type { PoolTask, PoolReply } from './worker-pool.js';

const { db, views } = workerData as { db: string; views: string };
const engine = await openEngine({ db, views });
// The engine's source remembers cohorts per checkpoint; runReport remembers reports.
const deps = { pathways: engine.pathways, store: engine.store };

parentPort!.on('message', (message: { id: number; task: PoolTask } | 'close') => {
  if (message === 'close') {
    void engine.close().finally(() => process.exit(0));
    return;
  }
  const { id, task } = message;
  const work = task.kind === 'report' ? runReport(task.request, deps) : explainCell(task.request, task.cell, deps);
  work.then(
    (result) => parentPort!.postMessage({ id, ok: true, result } satisfies PoolReply),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      parentPort!.postMessage({ id, ok: false, error: { message: e.message, code: typeof code === 'string' ? code : null, stack: e.stack ?? null } } satisfies PoolReply);
    },
  );
});
parentPort!.postMessage('ready');
