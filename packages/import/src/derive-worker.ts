import { parentPort, workerData } from 'node:worker_threads';
import { batchDeriver, type DeriveInput, type DeriveOutput, type DeriveSetup } from './derive-batch.js';

/** The worker thread of derive-thread.ts: one reply per batch, in the order asked. */
const derive = batchDeriver(workerData as DeriveSetup);
const port = parentPort!;

port.on('message', (m: { readonly seq: number; readonly input: DeriveInput }) => {
  try {
    const output = derive(m.input);
    const ids = packIds(output);
    port.postMessage({ seq: m.seq, output }, [ids]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ seq: m.seq, error: { message: e.message, stack: e.stack } });
  }
});

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
