import { parentPort, workerData } from 'node:worker_threads';
import { CsvHeaderError } from './csv.js';
import { REGISTRATION_FILES, type FactFile } from './files.js';
import { encodeChunk, type ReadPlan, type ToReader, type FromReader } from './read-thread.js';
import { readItemBatches, type ReadItem } from './read-items.js';

/**
 * The worker thread of read-thread.ts: reads and validates the planned files
 * in order and sends their items in chunks, at most CHUNKS_AHEAD of them
 * not yet taken by the writer (so a slow writer does not fill the memory).
 */
const CHUNKS_AHEAD = 4;

const port = parentPort!;
const plan = workerData as ReadPlan;
let credit = CHUNKS_AHEAD;
let wake: (() => void) | null = null;
port.on('message', (m: ToReader) => {
  if (m.kind === 'taken') {
    credit++;
    wake?.();
    wake = null;
  }
});
const send = async (m: FromReader) => {
  while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
  credit--;
  port.postMessage(m);
};

async function main(): Promise<void> {
  for (const { name, path, skip } of plan.files) {
    const file = REGISTRATION_FILES.find((f): f is FactFile => f.name === name && f.kind === 'fact');
    if (file === undefined) throw new Error(`not a fact file: ${name}`);
    let pending: ReadItem[] | null = null;
    // One chunk of the file (1 MiB) per message; the last one says so.
    for await (const items of readItemBatches(file, path, skip)) {
      if (pending !== null) await send({ kind: 'chunk', file: name, chunk: encodeChunk(pending), last: false });
      pending = items;
    }
    await send({ kind: 'chunk', file: name, chunk: encodeChunk(pending ?? []), last: true });
  }
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  port.postMessage({ kind: 'error', error: { message: e.message, stack: e.stack, header: err instanceof CsvHeaderError } } satisfies FromReader);
});
