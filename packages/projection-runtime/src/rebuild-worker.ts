/**
 * The worker thread of rebuild-thread.ts: reads the log, prepares every
 * batch for every projection, and posts what was prepared, a few batches
 * ahead of the writer that applies them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '@leerroutes/event-store';
import type { Projection } from './projection.js';
import { isRowBlock, transferablesOf } from './row-block.js';
import type { FromThread, RebuildThreadSetup, ToThread } from './rebuild-thread.js';

const port = parentPort!;
const { module, data, ahead, tsxApi } = workerData as { module: string; data: unknown; ahead: number; tsxApi?: string };

let credit = ahead;
let wake: (() => void) | null = null;

/** Buffers of the row blocks in a prepared value (the value, its properties, theirs), moved rather than copied. */
function transferables(value: unknown, depth = 0, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (isRowBlock(value)) out.push(...transferablesOf(value));
  else if (depth < 2 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const v of Object.values(value)) transferables(v, depth + 1, out);
  }
  return out;
}

async function run(m: Extract<ToThread, { kind: 'read' }>): Promise<void> {
  // Started from source, the setup module is TypeScript too (rebuild-thread.ts spawn()).
  const imported = tsxApi && module.endsWith('.ts')
    ? await ((await import(tsxApi)) as { tsImport: (m: string, parent: string) => Promise<unknown> }).tsImport(module, import.meta.url)
    : await import(module);
  const setup = imported as { openRebuildSource?: (data: unknown) => Promise<RebuildThreadSetup> };
  if (typeof setup.openRebuildSource !== 'function') throw new Error(`${module} exports no openRebuildSource(data)`);
  const { store, projections, close } = await setup.openRebuildSource(data);
  try {
    const byName = new Map(projections.map((p) => [p.name, p]));
    const targets = m.targets.map((t) => {
      const projection = byName.get(t.name);
      if (!projection?.prepare) throw new Error(`the rebuild thread has no projection '${t.name}' with a prepare`);
      return { projection, position: t.position };
    });
    await readAndPrepare(store, targets, m);
  } finally {
    await close?.();
  }
}

async function readAndPrepare(store: EventStore, targets: readonly { projection: Projection; position: number }[], m: Extract<ToThread, { kind: 'read' }>): Promise<void> {
  // Projections fold payloads, never metadata (Projection.prepare): the worker does not decode it.
  for await (const batch of store.readAll({ after: m.after, until: m.until, batchSize: m.batchSize, metadata: false })) {
    const last = batch[batch.length - 1];
    if (!last) continue;
    const prepared: [string, unknown][] = [];
    for (const { projection, position } of targets) {
      if (position >= last.position) continue;
      prepared.push([projection.name, await projection.prepare!(batch, { store, until: last.position })]);
    }
    while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
    credit--;
    const message: FromThread = { kind: 'batch', count: batch.length, first: batch[0]!.position, last: last.position, prepared };
    port.postMessage(message, prepared.flatMap(([, v]) => transferables(v)));
  }
}

port.on('message', (m: ToThread) => {
  if (m.kind === 'more') {
    credit++;
    const w = wake;
    wake = null;
    w?.();
    return;
  }
  run(m).then(
    () => port.postMessage({ kind: 'end' } satisfies FromThread),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ kind: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies FromThread);
    },
  );
});
