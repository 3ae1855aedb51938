/**
 * The worker thread of rebuild-thread.ts: reads the log, prepares every
 * batch for every projection, and posts what was prepared, a few batches
 * ahead of the writer that applies them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { preparesInSlices, slicedPrepare, type Projection } from './projection.js';
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

type Read = Extract<ToThread, { kind: 'read' }>;

async function run(m: Read): Promise<void> {
  // Started from source, the setup module was bundled with this one; if it could not be, it is TypeScript, loaded through tsx (@leerroutes/threads).
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

/**
 * This worker's spans of the log (every `stride`-th span of `batchSize`
 * positions, from its `offset`), each answered with exactly one message, an
 * empty span too, so that the writer can take the workers' spans in turn.
 */
async function readAndPrepare(store: EventStore, targets: readonly { projection: Projection; position: number }[], m: Read): Promise<void> {
  // Slices only where every projection can prepare a batch in slices (Projection.combine or prepareInSlices).
  const slice = targets.every((t) => preparesInSlices(t.projection)) ? Math.min(m.sliceSize ?? m.batchSize, m.batchSize) : m.batchSize;
  for (let start = m.after + m.offset * m.batchSize; start < m.until; start += m.stride * m.batchSize) {
    const end = Math.min(start + m.batchSize, m.until);
    // A batch's preparers; one that was given no slice has nothing for the writer.
    const preparers = targets.map(({ projection }) => ({ name: projection.name, preparer: slicedPrepare(projection), added: false }));
    let count = 0;
    let first: number | undefined;
    let last: RecordedEvent | undefined;
    for (let from = start; from < end; from += slice) {
      const events: RecordedEvent[] = [];
      // Projections fold payloads, never metadata (Projection.prepare): the worker does not decode it.
      for await (const part of store.readAll({ after: from, until: Math.min(from + slice, end), batchSize: slice, metadata: false })) for (const e of part) events.push(e);
      const sliceLast = events[events.length - 1];
      if (!sliceLast) continue;
      first ??= events[0]!.position;
      last = sliceLast;
      count += events.length;
      for (let k = 0; k < targets.length; k++) {
        if (targets[k]!.position >= sliceLast.position) continue;
        const p = preparers[k]!;
        await p.preparer.add(events, { store, until: sliceLast.position });
        p.added = true;
      }
    }
    const prepared: [string, unknown][] = preparers.filter((p) => p.added).map((p) => [p.name, p.preparer.finish()]);
    while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
    credit--;
    const message: FromThread = { kind: 'batch', count, first: first ?? start + 1, last: last?.position ?? end, prepared };
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
