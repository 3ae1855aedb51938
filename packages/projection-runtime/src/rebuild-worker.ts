/**
 * The worker thread of rebuild-thread.ts: opens the log and the projections,
 * then prepares each span of the log the writer gives it, in the order given,
 * and posts what was prepared.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '@leerroutes/event-store';
import { openSpanSource, prepareSpan, spansOf, type SpanTarget } from './prepare-span.js';
import { blockBuffersIn } from './row-block.js';
import type { FromThread, ReadRange, ToThread } from './rebuild-thread.js';

const port = parentPort!;
const { module, data, tsxApi } = workerData as { module: string; data: unknown; tsxApi?: string };

/** Spans given and not yet prepared, in order; `wake` is called when one is added. */
const given: number[] = [];
let wake: (() => void) | null = null;

async function run(m: ReadRange): Promise<void> {
  // Started from source, the setup module was bundled with this one; if it could not be, it is TypeScript, loaded through tsx (@leerroutes/threads).
  const imported = tsxApi && module.endsWith('.ts')
    ? await ((await import(tsxApi)) as { tsImport: (m: string, parent: string) => Promise<unknown> }).tsImport(module, import.meta.url)
    : await import(module);
  const source = await openSpanSource(imported, module, data, m);
  try {
    await prepareGiven(source.store, source.targets, m);
  } finally {
    await source.close();
  }
}

/** Each span given, answered with exactly one message (an empty span too), until the writer ends the thread. */
async function prepareGiven(store: EventStore, targets: readonly SpanTarget[], m: ReadRange): Promise<never> {
  for (;;) {
    while (given.length === 0) await new Promise<void>((resolve) => { wake = resolve; });
    const index = given.shift()!;
    const { start, end } = spansOf(m)[index]!;
    const span = await prepareSpan(store, targets, start, end, m.sliceSize ?? m.batchSize);
    const message: FromThread = { kind: 'batch', index, ...span };
    port.postMessage(message, span.prepared.flatMap(([, v]) => blockBuffersIn(v)));
  }
}

port.on('message', (m: ToThread) => {
  if (m.kind === 'span') {
    given.push(m.index);
    const w = wake;
    wake = null;
    w?.();
    return;
  }
  run(m).catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ kind: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) } satisfies FromThread);
  });
});
