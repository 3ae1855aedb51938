import { parentPort } from 'node:worker_threads';
import { batchDeriver, type BatchDeriver, type DeriveCounts, type DeriveInput, type DeriveSetup } from './derive-batch.js';
import { packAppends, type PackedAppends } from './derived-transfer.js';
import type { DerivedAppend } from './ledger/port.js';

/**
 * A worker thread of an import (worker.ts): it derives batches of learners
 * once it has the delivery's setup (derive-thread.ts). A delivery starts its
 * threads before it reads the files, so that they have loaded when the
 * first batch is ready.
 */
export type ToWorker =
  | { readonly kind: 'setup'; readonly setup: DeriveSetup }
  | { readonly kind: 'derive'; readonly seq: number; readonly input: DeriveInput };

/** A derived batch: its counts and its appends, packed when they are encoded rows (derived-transfer.ts), as they are otherwise. */
export type FromDeriver = {
  readonly kind: 'derived'; readonly seq: number;
  readonly counts?: DeriveCounts; readonly packed?: PackedAppends; readonly appends?: DerivedAppend[];
  readonly error?: { message: string; stack?: string | undefined };
};

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
        const { appends, counts } = derive(m.input);
        const packed = packAppends(appends);
        if (packed === null) port.postMessage({ kind: 'derived', seq: m.seq, counts, appends } satisfies FromDeriver);
        else port.postMessage({ kind: 'derived', seq: m.seq, counts, packed: packed.packed } satisfies FromDeriver, packed.transfer);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ kind: 'derived', seq: m.seq, error: { message: e.message, stack: e.stack } } satisfies FromDeriver);
      }
  }
});
