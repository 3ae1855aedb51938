import { parentPort } from 'node:worker_threads';
import { batchDeriver, type BatchDeriver, type DeriveInput, type DeriveOutput, type DeriveSetup } from './derive-batch.js';

/**
 * A worker thread of an import (worker.ts): it derives batches of learners
 * once it has the delivery's setup (derive-thread.ts). A delivery starts its
 * threads before it reads the files, so that they have loaded when the
 * first batch is ready.
 */
export type ToWorker =
  | { readonly kind: 'setup'; readonly setup: DeriveSetup }
  | { readonly kind: 'derive'; readonly seq: number; readonly input: DeriveInput };

export type FromDeriver = { readonly kind: 'derived'; readonly seq: number; readonly output?: DeriveOutput; readonly error?: { message: string; stack?: string | undefined } };

const port = parentPort!;
let derive: BatchDeriver | null = null;

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'setup':
      derive = batchDeriver(m.setup);
      return;
    case 'derive':
      try {
        if (derive === null) throw new Error('derivation asked before its setup');
        const output = derive(m.input);
        const ids = packIds(output);
        port.postMessage({ kind: 'derived', seq: m.seq, output } satisfies FromDeriver, [ids]);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'derived', seq: m.seq, error: { message: e.message, stack: e.stack } } satisfies FromDeriver);
      }
  }
});

// --- deriving

/**
 * Each 16-byte id is a view on Node's shared 8 KiB buffer pool, which a
 * structured clone would copy whole, pool by pool. The ids of a batch are
 * copied into one buffer instead, which is moved to the writer, not copied.
 */
function packIds(output: DeriveOutput): ArrayBuffer {
  let n = 0;
  for (const a of output.appends) for (const e of a.events) if (typeof e.eventId !== 'string') n += e.eventId.byteLength;
  const packed = new Uint8Array(n);
  let at = 0;
  for (const a of output.appends) {
    for (const e of a.events as unknown as { eventId: Uint8Array | string }[]) {
      if (typeof e.eventId === 'string') continue;
      packed.set(e.eventId, at);
      e.eventId = packed.subarray(at, at + e.eventId.byteLength);
      at += e.eventId.byteLength;
    }
  }
  return packed.buffer;
}
