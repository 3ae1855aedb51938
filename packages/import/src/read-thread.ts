import type { Worker } from 'node:worker_threads';
import { recordAt, type LineAt } from './csv.js';
import { ImportError } from './errors.js';
import type { FactFile, ReferenceFile } from './files.js';
import type { FromReader, ToWorker } from './import-worker.js';
import type { FilePart, ReadItem } from './read-items.js';
import { unpackItems } from './read-transfer.js';
import { workerFailure } from './worker.js';

/**
 * Chunks a reading worker may have parsed beyond the one being applied: enough
 * that the writer never waits on a chunk while the worker is busy, few enough
 * that a chunk's items do not wait long (surviving collections) to be applied.
 */
const READ_AHEAD = 3;

let reads = 0;

/** A file being read in an import worker (startThreadRead). */
export interface ThreadRead {
  /** The records an earlier run committed, which the worker only counts. */
  readonly skip: number;
  /** The file's items, chunk by chunk, `lineShift` added to their lines; asked for once. */
  items(lineShift?: number): AsyncGenerator<Iterable<ReadItem>>;
  /** The lines the file (or part) holds, once its last chunk has come; null before. */
  lines(): number | null;
  /** Tell the worker the rest is not wanted (nothing if it was all taken). */
  stop(): void;
}

/**
 * readItemBatches (read-items.ts) done in an import worker: the file is read,
 * split into records, validated and turned into ledger rows there, while the
 * caller applies the chunks it already has. The same items in the same order;
 * a fact row's raw values, wanted only when the ledger finds it conflicting,
 * are read again from its line in the file then. The worker starts at once,
 * so that the next file's first chunks are ready when the current one ends.
 */
export function startThreadRead(
  worker: Worker, file: FactFile | ReferenceFile, path: string, skip: number, chunkBytes?: number,
  /** A part of the file (read-stripes.ts), where the file's header line is, and how many chunks the worker may read ahead. */
  part?: { readonly part: FilePart; readonly fileHeader: LineAt; readonly ahead: number },
): ThreadRead {
  const seq = reads++;
  const received: FromReader[] = [];
  let failure: Error | null = null;
  let wake = () => {};
  const onMessage = (m: FromReader) => {
    if ((m.kind !== 'items' && m.kind !== 'read-failed') || m.seq !== seq) return;
    received.push(m);
    wake();
  };
  const died = (why: string) => {
    failure ??= new ImportError(`the import worker reading ${file.name} failed (${why}); run the import again: it goes on where it stopped`);
    wake();
  };
  const onError = (err: Error) => died(err.message);
  const onExit = (code: number) => died(`it stopped with exit code ${code}`);
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  const before = workerFailure(worker);
  if (before) died(before.message);
  else worker.postMessage({ kind: 'read', seq, file: file.name, path, skip, chunkBytes, ahead: part?.ahead ?? READ_AHEAD, ...(part ? { part: part.part } : {}) } satisfies ToWorker);
  let finished = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    if (!finished && failure === null) worker.postMessage({ kind: 'read-stop', seq } satisfies ToWorker);
  };
  // A later part is read behind the header, so the worker cannot say where the file's header is: the caller does.
  let header: LineAt | null = part?.fileHeader ?? null;
  let lines: number | null = null;
  const rawOf = (at: LineAt) => {
    if (header === null) throw new Error(`${file.name}: a row before the header`);
    return recordAt(path, file.required, header, at).values;
  };
  async function* items(lineShift = 0): AsyncGenerator<Iterable<ReadItem>> {
    try {
      for (;;) {
        // What arrived before the worker died is still good: it is applied first, and then the failure surfaces.
        while (received.length === 0 && failure === null) await new Promise<void>((resolve) => { wake = resolve; });
        const m = received.shift();
        if (m === undefined) throw failure!;
        if (m.kind === 'read-failed') {
          finished = true;
          const err = new ImportError(`${file.name} could not be read: ${m.error.message}`);
          if (m.error.stack) err.stack = m.error.stack;
          throw err;
        }
        header ??= m.header;
        if (m.last) {
          finished = true;
          lines = m.lines;
        } else worker.postMessage({ kind: 'read-more', seq } satisfies ToWorker);
        yield unpackItems(m.packed, file.kind === 'fact' ? file.fact : null, rawOf, lineShift);
        if (finished) return;
      }
    } finally {
      stop();
    }
  }
  return { skip, items, stop, lines: () => lines };
}
