import type { Worker } from 'node:worker_threads';
import { CsvHeaderError } from './csv.js';
import { FACT_TABLES } from './ledger/fact-rows.js';
import type { FactRow } from './ledger/port.js';
import type { ReadItem } from './read-items.js';
import type { Row } from './rows.js';
import type { ToWorker } from './import-worker.js';
import { workerFailure } from './worker.js';

/**
 * Reading and validating the fact files in a worker thread, while the
 * writer upserts into the ledger what was read before: the writer's thread
 * then spends the read phase on the ledger alone.
 *
 * A chunk's accepted fact rows travel as one string (one structured-clone
 * object instead of a dozen per row): each row's line, learner id, key
 * cells, content and then its cells as delivered, separated by GS, rows by
 * RS. The reader refuses control characters in every cell, so neither can
 * occur in an accepted row; a row that holds one anyway, and every other
 * item, travels as itself beside the string.
 */
const GS = '\u001d';
const RS = '\u001e';
const SEPARATORS = /[\u001d\u001e]/;

export interface ReadPlan {
  readonly files: readonly { readonly name: string; readonly path: string; readonly skip: number }[];
  /** Bytes of a file per chunk (default 1 MiB). */
  readonly chunkBytes?: number;
}

export interface Chunk {
  readonly text: string;
  /** The column names of the rows' delivered cells. */
  readonly names: readonly string[];
  /** Other items, each after `at` rows of the text. */
  readonly others: readonly (readonly [at: number, item: ReadItem])[];
}

export type FromReader =
  | { readonly kind: 'chunk'; readonly file: string; readonly chunk: Chunk; readonly last: boolean }
  | { readonly kind: 'error'; readonly error: { readonly message: string; readonly stack?: string | undefined; readonly header: boolean } };

export function encodeChunk(items: readonly ReadItem[]): Chunk {
  const rows: string[] = [];
  const others: [number, ReadItem][] = [];
  let names: string[] | null = null;
  for (const item of items) {
    if (item.kind === 'row' && item.row.kind === 'fact' && typeof item.raw !== 'function') {
      const r = item.row;
      names ??= Object.keys(item.raw);
      let clean = !SEPARATORS.test(r.learnerId) && !SEPARATORS.test(r.content);
      let text = `${r.line}${GS}${r.learnerId}${GS}`;
      for (const k of r.key) {
        clean &&= !SEPARATORS.test(k);
        text += k + GS;
      }
      text += r.content;
      let cells = 0;
      for (const name in item.raw) {
        const v = item.raw[name]!;
        clean &&= name === names[cells++] && !SEPARATORS.test(v);
        text += GS + v;
      }
      if (clean && cells === names.length) {
        rows.push(text);
        continue;
      }
    }
    others.push([rows.length, item]);
  }
  return { text: rows.join(RS), names: names ?? [], others };
}

/** The items of a chunk of `fact` rows, in the order they were read. */
export function decodeChunk(fact: FactRow['fact'], chunk: Chunk): ReadItem[] {
  const out: ReadItem[] = [];
  const n = FACT_TABLES[fact].keys.length;
  const { text, names, others } = chunk;
  let o = 0;
  let at = 0;
  let pos = 0;
  while (pos < text.length || (o < others.length)) {
    while (o < others.length && others[o]![0] === at) out.push(others[o++]![1]);
    if (pos >= text.length) break;
    let end = text.indexOf(RS, pos);
    if (end === -1) end = text.length;
    const fields: string[] = [];
    let p = pos;
    for (let i = 0; i < 3 + n; i++) {
      const g = text.indexOf(GS, p);
      fields.push(text.slice(p, g));
      p = g + 1;
    }
    const cellsAt = p;
    const rowText = text.slice(cellsAt, end);
    const row: FactRow = { kind: 'fact', fact, line: Number(fields[0]), learnerId: fields[1]!, key: fields.slice(2, 2 + n), content: fields[2 + n]! };
    out.push({ kind: 'row', row, raw: () => rawRow(names, rowText) });
    pos = end + 1;
    at++;
  }
  return out;
}

function rawRow(names: readonly string[], cells: string): Row {
  const values = cells.split(GS);
  const row: Record<string, string> = {};
  names.forEach((name, i) => { row[name] = values[i]!; });
  return row;
}

/** The planned files' items, one file after the other, read in a worker. */
export interface ThreadReader {
  /** The file's items, a chunk at a time. */
  items(file: string, fact: FactRow['fact']): AsyncGenerator<ReadItem[]>;
  close(): Promise<void>;
}

/** Read on `worker` (startImportWorker), which the caller stops. */
export function threadReader(plan: ReadPlan, worker: Worker): ThreadReader {
  const queue: FromReader[] = [];
  let waiting: { resolve: (m: FromReader) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    waiting?.reject(failure);
    waiting = null;
  };
  const onMessage = (m: FromReader | { kind: 'derived' }) => {
    if (m.kind === 'derived') return;
    if (waiting !== null) {
      waiting.resolve(m);
      waiting = null;
    } else queue.push(m);
  };
  const onExit = (code: number) => fail(new Error(`the CSV reading worker stopped (exit code ${code})`));
  worker.on('message', onMessage);
  worker.on('error', fail);
  worker.on('exit', onExit);
  worker.postMessage({ kind: 'read', plan } satisfies ToWorker);
  const failed = workerFailure(worker);
  if (failed) fail(failed);
  const next = (): Promise<FromReader> => {
    const m = queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => { waiting = { resolve, reject }; });
  };
  return {
    async *items(file, fact) {
      for (;;) {
        const m = await next();
        if (m.kind === 'error') {
          const err = m.error.header ? new CsvHeaderError(m.error.message) : new Error(m.error.message);
          if (m.error.stack) err.stack = m.error.stack;
          throw err;
        }
        if (m.file !== file) throw new Error(`the CSV reading worker sent ${m.file} where ${file} was expected`);
        yield decodeChunk(fact, m.chunk);
        worker.postMessage({ kind: 'taken' } satisfies ToWorker);
        if (m.last) return;
      }
    },
    async close() {
      fail(new Error('the CSV reading worker was closed'));
      worker.off('message', onMessage);
      worker.off('error', fail);
      worker.off('exit', onExit);
    },
  };
}
