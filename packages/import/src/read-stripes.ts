import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { lineAt, MAX_RECORD_BYTES } from './csv.js';
import type { FactFile } from './files.js';
import { READ_CHUNK_BYTES, type FilePart, type ReadItem } from './read-items.js';
import { startThreadRead, type ThreadRead } from './read-thread.js';

/**
 * A large fact file read by every import worker at once, a stripe each in
 * turn, and applied in file order.
 *
 * Read by one worker, the enrolment file (nine of every ten rows) kept that
 * worker at its limit while the thread applying the rows to the ledger idled
 * a third of the time. One line is one record (csv.ts), so a file can be cut
 * after any LF: each stripe after the first is read behind a copy of the
 * header line, and its line numbers, counted from 2 there, are shifted by
 * the lines of the stripes before it, known by the time it is applied.
 *
 * Two stripes are read at a time, each whole (its worker does not wait for
 * its chunks to be taken): while one stripe is applied, the other worker
 * reads the next. Stripes are small, so that what waits to be applied stays
 * young: with 4 MiB stripes the applying thread spent ten times as long
 * collecting garbage and taking chunks apart.
 */

/** Bytes a stripe holds, about (it ends at the first LF after). */
export const STRIPE_BYTES = 512 << 10;

/** Stripes being read: the one being applied and the next. */
const STRIPES_AT_ONCE = 2;

/**
 * The stripes of a file and its header line (with a line break), or null when
 * the file is better read whole: under two stripes long, or a first line that
 * is blank or longer than a record can be (the reader then finds the header
 * further on, or refuses it).
 */
export function stripesOf(path: string, stripeBytes = STRIPE_BYTES): { header: Buffer; parts: FilePart[] } | null {
  const size = statSync(path).size;
  if (size < 2 * stripeBytes) return null;
  const fd = openSync(path, 'r');
  try {
    const first = lineAt(fd, { line: 1, offset: 0 }).bytes;
    if (first === null || first.toString('utf8').replace(/^\uFEFF/, '').trim() === '') return null;
    const headerEnd = first.length;
    const header = Buffer.concat([first, Buffer.from('\n')]);
    const window = Buffer.allocUnsafe(MAX_RECORD_BYTES + 2);
    // Each cut is just after a LF at or past its nominal place: a LF always ends a line, CR LF included.
    const cuts: number[] = [0];
    for (let nominal = stripeBytes; nominal < size; nominal += stripeBytes) {
      if (nominal <= cuts[cuts.length - 1]!) continue;
      const n = readSync(fd, window, 0, window.length, nominal);
      const at = window.subarray(0, n).indexOf(0x0a);
      if (at === -1) continue;
      const cut = nominal + at + 1;
      if (cut < size && cut > headerEnd) cuts.push(cut);
    }
    if (cuts.length < 2) return null;
    return { header, parts: cuts.map((from, i): FilePart => ({ start: from, end: cuts[i + 1] ?? size, header: i === 0 ? null : header })) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A fact file read in stripes by `pool` (at least two workers), as one
 * ThreadRead from the file's start; null when it is better read whole.
 */
export function startStripedRead(pool: readonly Worker[], file: FactFile, path: string, chunkBytes = READ_CHUNK_BYTES, stripeBytes = STRIPE_BYTES): ThreadRead | null {
  if (pool.length < 2) return null;
  const layout = stripesOf(path, stripeBytes);
  if (layout === null) return null;
  const { parts } = layout;
  // The file's first line is its header (stripesOf made sure): a record is read again behind line 1.
  const fileHeader = { line: 1, offset: 0 };
  // Every chunk of a stripe may be read before any is taken: its bytes, a longest line past its end, the header's chunk.
  const ahead = Math.ceil(stripeBytes / chunkBytes) + Math.ceil(MAX_RECORD_BYTES / chunkBytes) + 2;
  const reads: ThreadRead[] = [];
  const begin = (k: number) => {
    if (k < parts.length && reads[k] === undefined) reads[k] = startThreadRead(pool[k % pool.length]!, file, path, 0, chunkBytes, { part: parts[k]!, fileHeader, ahead });
  };
  let lines: number | null = null;
  const stop = () => { for (const r of reads) r?.stop(); };
  async function* items(lineShift = 0): AsyncGenerator<Iterable<ReadItem>> {
    try {
      // Lines of the file before the stripe being applied.
      let before = 0;
      for (let k = 0; k < parts.length; k++) {
        for (let j = k; j < k + STRIPES_AT_ONCE; j++) begin(j);
        const read = reads[k]!;
        // The first stripe is read from the file's start; a later one numbers its first line 2, which is line `before + 1`.
        yield* read.items(lineShift + (k === 0 ? 0 : before - 1));
        const n = read.lines();
        if (n === null) throw new Error(`${file.name}: a stripe ended without its last chunk`);
        before += n;
      }
      lines = before;
    } finally {
      stop();
    }
  }
  for (let k = 0; k < STRIPES_AT_ONCE; k++) begin(k);
  return { skip: 0, items, stop, lines: () => lines };
}
