import { parentPort } from 'node:worker_threads';
import { CsvHeaderError } from './csv.js';
import { batchDeriver, type BatchDeriver, type DeriveInput, type DeriveOutput, type DeriveSetup } from './derive-batch.js';
import { REGISTRATION_FILES, type FactFile } from './files.js';
import { encodeChunk, type FromReader, type ReadPlan } from './read-thread.js';
import { readItemBatches, type ReadItem } from './read-items.js';

/**
 * A worker thread of an import (workers.ts): it reads and validates the
 * fact files when asked (read-thread.ts), and derives batches of learners
 * once it has the delivery's setup (derive-thread.ts). One thread does both
 * in turn, so a delivery starts its threads once, while the reference files
 * are read.
 */
export type ToWorker =
  | { readonly kind: 'read'; readonly plan: ReadPlan }
  /** The writer took a chunk: one more may be sent. */
  | { readonly kind: 'taken' }
  | { readonly kind: 'setup'; readonly setup: DeriveSetup }
  | { readonly kind: 'derive'; readonly seq: number; readonly input: DeriveInput };

export type FromDeriver = { readonly kind: 'derived'; readonly seq: number; readonly output?: DeriveOutput; readonly error?: { message: string; stack?: string | undefined } };

const port = parentPort!;
let derive: BatchDeriver | null = null;

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'read':
      read(m.plan).catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'error', error: { message: e.message, stack: e.stack, header: err instanceof CsvHeaderError } } satisfies FromReader);
      });
      return;
    case 'taken':
      credit++;
      wake?.();
      wake = null;
      return;
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

// --- reading

/** Chunks sent and not yet taken by the writer, at most: a slow writer must not fill the memory. */
const CHUNKS_AHEAD = 4;
let credit = CHUNKS_AHEAD;
let wake: (() => void) | null = null;

const send = async (m: FromReader) => {
  while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
  credit--;
  port.postMessage(m);
};

async function read(plan: ReadPlan): Promise<void> {
  for (const { name, path, skip } of plan.files) {
    const file = REGISTRATION_FILES.find((f): f is FactFile => f.name === name && f.kind === 'fact');
    if (file === undefined) throw new Error(`not a fact file: ${name}`);
    let pending: ReadItem[] | null = null;
    // One chunk of the file per message; the last one says so.
    for await (const items of readItemBatches(file, path, skip, plan.chunkBytes)) {
      if (pending !== null) await send({ kind: 'chunk', file: name, chunk: encodeChunk(pending), last: false });
      pending = items;
    }
    await send({ kind: 'chunk', file: name, chunk: encodeChunk(pending ?? []), last: true });
  }
}

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
