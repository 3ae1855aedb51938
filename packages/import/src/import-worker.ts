import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sqliteFactRowsLoader } from './ledger/sqlite-ledger.js';
import { batchDeriver, type BatchDeriver, type DeriveCounts, type DeriveInput, type DeriveSetup } from './derive-batch.js';
import { transferOf } from '@leerroutes/event-store/sqlite';
import { isPacked, type DerivedAppends } from './ledger/port.js';
import { REGISTRATION_FILES } from './files.js';
import { readItemChunks, type FilePart } from './read-items.js';
import { packItems, type PackedItems } from './read-transfer.js';
import type { LineAt } from './csv.js';

/**
 * A worker thread of an import (worker.ts). While a delivery's files are read
 * it reads, validates and packs a file's items a chunk at a time, a few
 * chunks ahead of the thread applying them to the ledger (read-thread.ts);
 * then it derives batches of learners once it has the delivery's setup
 * (derive-thread.ts). A delivery starts its threads before it reads the
 * files, so that they have loaded when the first chunk is asked for.
 */
export type ToWorker =
  | { readonly kind: 'setup'; readonly setup: DeriveSetup }
  | { readonly kind: 'derive'; readonly seq: number; readonly input: DeriveInput }
  /** Read a registration file from its start (or a part of it), its first `skip` records only counted; at most `ahead` chunks not yet taken. */
  | {
    readonly kind: 'read'; readonly seq: number; readonly file: string; readonly path: string; readonly skip: number; readonly chunkBytes: number | undefined;
    readonly ahead: number; readonly part?: FilePart;
  }
  /** One more chunk of the read was taken. */
  | { readonly kind: 'read-more'; readonly seq: number }
  /** The read is no longer wanted. */
  | { readonly kind: 'read-stop'; readonly seq: number };

/** A chunk of a read (`last` ends it, with the lines read), or why it failed. */
export type FromReader =
  | { readonly kind: 'items'; readonly seq: number; readonly packed: PackedItems; readonly header: LineAt | null; readonly last: boolean; readonly lines: number }
  | { readonly kind: 'read-failed'; readonly seq: number; readonly error: { message: string; stack?: string | undefined } };

/** A derived batch: its counts and its appends, packed and moved for the SQLite log (PackedAppends), as they are otherwise. */
export type FromDeriver = {
  readonly kind: 'derived'; readonly seq: number;
  readonly counts?: DeriveCounts; readonly appends?: DerivedAppends;
  readonly error?: { message: string; stack?: string | undefined };
};

const port = parentPort!;
let derive: BatchDeriver | null = null;
/** A read-only connection to the ledger's file, when the delivery's batches come without their facts. */
let factsDb: Database.Database | null = null;
/** The reads going on: chunks they may still post before one is taken, and how to wake one waiting for that. */
const reads = new Map<number, { credit: number; stopped: boolean; wake: () => void }>();

async function read(m: Extract<ToWorker, { kind: 'read' }>): Promise<void> {
  const state = { credit: m.ahead, stopped: false, wake: () => undefined as void };
  reads.set(m.seq, state);
  try {
    const file = REGISTRATION_FILES.find((f) => f.name === m.file);
    if (file === undefined) throw new Error(`${m.file} is not a registration file`);
    for await (const chunk of readItemChunks(file, m.path, m.skip, m.chunkBytes, m.part)) {
      if (state.stopped) break;
      const { packed, transfer } = packItems(chunk.items);
      port.postMessage({ kind: 'items', seq: m.seq, packed, header: chunk.header, last: chunk.last, lines: chunk.lines } satisfies FromReader, transfer);
      state.credit--;
      while (state.credit <= 0 && !state.stopped) await new Promise<void>((resolve) => { state.wake = resolve; });
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ kind: 'read-failed', seq: m.seq, error: { message: e.message, stack: e.stack } } satisfies FromReader);
  } finally {
    reads.delete(m.seq);
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.kind) {
    case 'read':
      void read(m);
      return;
    case 'read-more':
    case 'read-stop': {
      const state = reads.get(m.seq);
      if (state === undefined) return;
      if (m.kind === 'read-stop') state.stopped = true;
      else state.credit++;
      state.wake();
      return;
    }
    case 'setup': {
      factsDb?.close();
      factsDb = m.setup.factsFile === undefined ? null : new Database(m.setup.factsFile, { readonly: true, fileMustExist: true });
      derive = batchDeriver(m.setup, factsDb === null ? undefined : sqliteFactRowsLoader(factsDb));
      return;
    }
    case 'derive':
      try {
        if (derive === null) throw new Error('derivation asked before its setup');
        const { appends, counts } = derive(m.input);
        port.postMessage({ kind: 'derived', seq: m.seq, counts, appends } satisfies FromDeriver, isPacked(appends) ? transferOf(appends) : []);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'derived', seq: m.seq, error: { message: e.message, stack: e.stack } } satisfies FromDeriver);
      }
  }
});
