import { parentPort } from 'node:worker_threads';
import type { Indicator, ReportRequest } from './contract.js';
import { publishGiven } from './publisher.js';
import { packRows, transferables, unpackTable, type PackedRows, type PackedTable } from './publish-transfer.js';

/** A publishing worker thread (publish-thread.ts): one request at a time, tables and rows packed (publish-transfer.ts). */
export interface ToPublisher {
  readonly seq: number;
  readonly request: ReportRequest;
  readonly table: PackedTable;
  readonly related: ReadonlyArray<readonly [Indicator, PackedTable]>;
}

export type FromPublisher =
  | { readonly seq: number; readonly rows: PackedRows; readonly unprotected: number }
  | { readonly seq: number; readonly error: { readonly message: string; readonly stack?: string | undefined } };

const port = parentPort!;
port.on('message', (m: ToPublisher) => {
  Promise.resolve()
    .then(() => publishGiven(m.request, unpackTable(m.table), new Map(m.related.map(([indicator, t]) => [indicator, unpackTable(t)]))))
    .then(
      ({ rows, unprotected }) => {
        const packed = packRows(rows);
        port.postMessage({ seq: m.seq, rows: packed, unprotected } satisfies FromPublisher, transferables(packed));
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ seq: m.seq, error: { message: e.message, stack: e.stack } } satisfies FromPublisher);
      },
    );
});
