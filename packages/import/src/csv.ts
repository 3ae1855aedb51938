import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { cut, RAW_LIMIT } from './rejects.js';
import { rejectedRow, type Row, type RowReject } from './rows.js';

/**
 * The registration reader (docs/file-formats.md, "Reading a file, and what
 * is rejected"). One line is one record: no column admits a line break, so a
 * quoted line break could only ever produce a reject, while honouring it
 * would let one unbalanced quote swallow every good row after it. Each line
 * stands or falls alone.
 *
 * Records come out in file order (their lines strictly increasing), one per
 * non-blank line after the header:
 *
 * - a row:      `{ line, values }`, values by lower-cased column name,
 *               trimmed of surrounding spaces and tabs;
 * - a rejected record: `{ line, values, reject, raw }` with reject.code one of
 *   `invalid-encoding`, `malformed-record`, `wrong-column-count`,
 *   `record-too-large` or `invalid-value` (a control character), and `raw` the
 *   line's text (cut, and saying so, when the line was too large to hold).
 *   Its `values` is a row every validator in rows.ts refuses with the same
 *   reject, so a consumer that ignores `reject` still cannot land it; write it
 *   with `rejects.write(file, line, reject, raw)`.
 *
 * Header problems throw CsvHeaderError: nothing of such a file can be read.
 */
export type CsvRecord = CsvRow | CsvRejectedRecord;

export interface CsvRow {
  /** 1-based line number in the file (the header is line 1 unless blank lines precede it). */
  readonly line: number;
  readonly values: Row;
  readonly reject?: undefined;
  readonly raw?: undefined;
}

export interface CsvRejectedRecord {
  readonly line: number;
  readonly values: Row;
  readonly reject: RowReject;
  readonly raw: string;
}

export class CsvHeaderError extends Error {}

/** Longest line read as a record, in bytes without its line break. Longer ones are rejected unread. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** What is kept of a line too long to read: enough to show its start in the rejects file. */
const PREFIX_BYTES = 4 * RAW_LIMIT;
const LF = 0x0a;
const CR = 0x0d;
// A C0 control character other than tab (line breaks never reach a cell).
const CONTROL = /[\x00-\x08\x0a-\x1f]/;

/**
 * Stream a CSV file record by record with bounded memory (the file's chunks
 * plus at most MAX_RECORD_BYTES of one line). The header must hold every
 * required column; extra columns are ignored. Every record of a chunk is read
 * before the first is given: a caller that wants only the first few asks for
 * small chunks.
 */
export async function* readCsv(
  path: string, required: readonly string[], onBytes?: (bytesRead: number, totalBytes: number) => void, chunkBytes = 1 << 20,
): AsyncGenerator<CsvRecord> {
  const totalBytes = statSync(path).size;
  const input = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    yield* readCsvChunks(input, path, required, onBytes && ((bytes) => onBytes(bytes, totalBytes)));
  } finally {
    input.destroy();
  }
  onBytes?.(totalBytes, totalBytes);
}

/** readCsv over any sequence of byte chunks; `name` names the file in header errors. */
export async function* readCsvChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, name: string, required: readonly string[], onBytes?: (bytesRead: number) => void,
): AsyncGenerator<CsvRecord> {
  let records = 0;
  for await (const batch of readCsvBatches(chunks, name, required)) {
    for (const record of batch.records) {
      yield record;
      if (onBytes && !batch.last && ++records % 5000 === 0) onBytes(batch.bytesRead);
    }
  }
}

/** The records of a chunk of bytes, and how many bytes were read once it was; `last` for what the file's end completed. */
export interface CsvBatch {
  readonly records: readonly CsvRecord[];
  /** Where each record's line starts in the file, so that one record can be read again alone (recordAt). */
  readonly offsets: readonly number[];
  /** Where the header's line starts, once it was read. */
  readonly header: LineAt | null;
  readonly bytesRead: number;
  readonly last: boolean;
  /** Lines ended so far, blank ones included; with `last`, every line of the input. */
  readonly lines: number;
}

/** A line of a file: its number and the byte offset where it starts. */
export interface LineAt {
  readonly line: number;
  readonly offset: number;
}

/**
 * readCsvChunks a chunk's records at a time: a consumer that handles them
 * in a loop pays one await per chunk instead of one per record.
 */
export async function* readCsvBatches(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, name: string, required: readonly string[]): AsyncGenerator<CsvBatch> {
  const splitter = new LineSplitter();
  const reader = new RecordReader(name, required);
  const lines: Line[] = [];
  let bytesRead = 0;
  let header: LineAt | null = null;
  const batchOf = (last: boolean): CsvBatch => {
    const records: CsvRecord[] = [];
    const offsets: number[] = [];
    for (const l of lines) {
      const record = reader.read(l);
      if (record !== null) {
        records.push(record);
        offsets.push(l.offset);
      } else if (header === null && reader.sawHeader) header = { line: l.line, offset: l.offset };
    }
    lines.length = 0;
    return { records, offsets, header, bytesRead, last, lines: splitter.ended };
  };
  for await (const chunk of chunks) {
    bytesRead += chunk.length;
    splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), lines);
    yield batchOf(false);
  }
  splitter.end(lines);
  const rest = batchOf(true);
  if (!reader.sawHeader) throw new CsvHeaderError(`${name}: no header row (${bytesRead === 0 ? 'the file is empty' : 'the file holds only blank lines'})`);
  yield rest;
}

/**
 * The record of one line of a file, read again alone exactly as readCsvBatches
 * read it: its header line and its own line, each found by the offset
 * readCsvBatches gave. For the rare record needed again long after its chunk
 * was read, without keeping every record's values until then.
 */
export function recordAt(path: string, required: readonly string[], header: LineAt, at: LineAt): CsvRecord {
  const fd = openSync(path, 'r');
  try {
    const reader = new RecordReader(path, required);
    reader.read(lineAt(fd, header));
    const record = reader.read(lineAt(fd, at));
    if (record === null) throw new Error(`${path}: line ${at.line} (at byte ${at.offset}) holds no record; did the file change while it was imported?`);
    return record;
  } finally {
    closeSync(fd);
  }
}

/** The line starting at `offset`, without its line break; `bytes` null when it is longer than a record can be. */
export function lineAt(fd: number, { line, offset }: LineAt): Line {
  // Most lines are short: a small read first, the longest line a record can be only when that does not reach the line's end.
  for (const size of [4096, MAX_RECORD_BYTES + 1]) {
    const buffer = Buffer.allocUnsafe(size);
    const bytes = buffer.subarray(0, readSync(fd, buffer, 0, size, offset));
    const lf = bytes.indexOf(LF);
    const cr = bytes.indexOf(CR);
    const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    if (end !== -1) return { line, offset, bytes: bytes.subarray(0, end), length: end, prefix: null };
    if (bytes.length < size) return { line, offset, bytes, length: bytes.length, prefix: null };
  }
  return { line, offset, bytes: null, length: MAX_RECORD_BYTES + 1, prefix: Buffer.alloc(0) };
}

/** One physical line. `bytes` is null when the line was longer than MAX_RECORD_BYTES; `prefix` then holds its start. */
export interface Line {
  readonly line: number;
  /** Where the line starts in the file. */
  readonly offset: number;
  readonly bytes: Buffer | null;
  readonly length: number;
  readonly prefix: Buffer | null;
}

/**
 * Cuts a byte stream into lines at LF, CRLF or a lone CR, in any mix and
 * wherever chunks happen to end. Empty lines are counted, not emitted.
 */
class LineSplitter {
  private line = 1;
  private parts: Buffer[] = [];
  private length = 0;
  private prefix: Buffer | null = null;
  /** The last chunk ended in CR: a LF starting the next one belongs to it. */
  private pendingCR = false;
  /** Bytes of the chunks before the current one. */
  private base = 0;
  /** Where the current line starts. */
  private start = 0;

  push(chunk: Buffer, out: Line[]): void {
    const n = chunk.length;
    const base = this.base;
    this.base += n;
    let pos = 0;
    if (this.pendingCR && n > 0) {
      this.pendingCR = false;
      if (chunk[0] === LF) {
        pos = 1;
        this.start = base + 1;
      }
    }
    // Next LF and CR at or after pos; each is searched again only once passed,
    // so a file without CRs is not rescanned for one at every line.
    let lf = chunk.indexOf(LF, pos);
    let cr = chunk.indexOf(CR, pos);
    while (pos < n) {
      if (lf !== -1 && lf < pos) lf = chunk.indexOf(LF, pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(CR, pos);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        this.append(chunk, pos, n);
        return;
      }
      this.append(chunk, pos, end);
      this.finish(out);
      if (end === cr) {
        if (end + 1 === n) {
          this.pendingCR = true;
          this.start = base + n;
          return;
        }
        pos = chunk[end + 1] === LF ? end + 2 : end + 1;
      } else {
        pos = end + 1;
      }
      this.start = base + pos;
    }
  }

  /** Lines ended so far (blank ones too). */
  get ended(): number {
    return this.line - 1;
  }

  /** The last line, if the file does not end in a line break. */
  end(out: Line[]): void {
    if (this.length > 0) this.finish(out);
  }

  private append(chunk: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.prefix === null) {
      if (this.length + (end - start) <= MAX_RECORD_BYTES) {
        this.parts.push(chunk.subarray(start, end));
      } else {
        // From here on the line is only counted: a 50 MB field costs no more than a short one.
        this.parts.push(chunk.subarray(start, Math.min(end, start + PREFIX_BYTES)));
        this.prefix = Buffer.from(Buffer.concat(this.parts).subarray(0, PREFIX_BYTES));
        this.parts.length = 0;
      }
    }
    this.length += end - start;
  }

  private finish(out: Line[]): void {
    if (this.length > 0) {
      if (this.prefix !== null) out.push({ line: this.line, offset: this.start, bytes: null, length: this.length, prefix: this.prefix });
      else out.push({ line: this.line, offset: this.start, bytes: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length), length: this.length, prefix: null });
    }
    this.line++;
    this.parts.length = 0;
    this.length = 0;
    this.prefix = null;
  }
}

interface Header {
  /** Column name per cell; '' for a cell that is not read (an unnamed column). */
  readonly names: readonly string[];
}

/** Turns lines into records: the first non-blank line is the header. */
class RecordReader {
  private header: Header | null = null;

  constructor(private readonly name: string, private readonly required: readonly string[]) {}

  get sawHeader(): boolean {
    return this.header !== null;
  }

  /** The record of a line, or null for a blank line or the header. */
  read(l: Line): CsvRecord | null {
    const { line } = l;
    if (l.bytes === null) {
      if (this.header === null) throw this.headerError(line, `is ${l.length} bytes long; the limit is ${MAX_RECORD_BYTES}`);
      return refuse(line, 'record-too-large', `line is ${l.length} bytes long; the limit is ${MAX_RECORD_BYTES} bytes`, cut(l.prefix!.toString('utf8'), RAW_LIMIT, l.length, 'bytes'));
    }
    let bytes = l.bytes;
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (isBlank(bytes)) return null;
    if (!isUtf8(bytes)) {
      const at = firstInvalidUtf8(bytes);
      const why = at === -1 ? 'is not valid UTF-8'
        : `is not valid UTF-8 at byte ${at + 1} of the line (${[...bytes.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
      if (this.header === null) throw this.headerError(line, why + (bytes[0] === 0xff || bytes[0] === 0xfe ? ' (is the file UTF-16?)' : ''));
      return refuse(line, 'invalid-encoding', `line ${why}`, bytes.toString('utf8'));
    }
    const text = bytes.toString('utf8');
    const cells = splitLine(text);
    if (typeof cells === 'string') {
      if (this.header === null) throw this.headerError(line, `is malformed: ${cells}`);
      return refuse(line, 'malformed-record', cells, text);
    }
    const header = this.header;
    if (header === null) {
      this.header = this.readHeader(line, cells);
      return null;
    }
    if (cells.length !== header.names.length) return refuse(line, 'wrong-column-count', `row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}, header has ${header.names.length}`, text);
    if (CONTROL.test(text)) {
      for (let i = 0; i < cells.length; i++) {
        const m = CONTROL.exec(cells[i]!);
        if (m) {
          const column = header.names[i] ? `column '${header.names[i]}'` : `cell ${i + 1} (an unnamed column)`;
          return refuse(line, 'invalid-value', `${column} contains a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`, text);
        }
      }
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < cells.length; i++) {
      const key = header.names[i]!;
      if (key !== '') values[key] = cells[i]!;
    }
    return { line, values };
  }

  private readHeader(line: number, cells: readonly string[]): Header {
    // '__proto__' cannot be a key of a plain object; no registration column is called that.
    const names = cells.map((c) => c.trim().toLowerCase()).map((c) => (c === '__proto__' ? '' : c));
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const n of names) {
      if (n === '') continue;
      if (seen.has(n)) duplicates.add(n);
      seen.add(n);
    }
    if (duplicates.size > 0) {
      throw new CsvHeaderError(`${this.name}: duplicate column name(s) ${[...duplicates].map((d) => `'${d}'`).join(', ')} in the header row (line ${line}); which one holds the values?`);
    }
    const missing = this.required.filter((c) => !seen.has(c));
    if (missing.length > 0) {
      throw new CsvHeaderError(`${this.name}: missing column(s) ${missing.join(', ')} (the header row, line ${line}, has ${names.filter((n) => n !== '').join(', ') || 'no named columns'})`);
    }
    return { names };
  }

  private headerError(line: number, why: string): CsvHeaderError {
    return new CsvHeaderError(`${this.name}: the header row (line ${line}) ${why}`);
  }
}

function refuse(line: number, code: RowReject['code'], message: string, raw: string): CsvRejectedRecord {
  const reject = { code, message };
  return { line, values: rejectedRow(reject, raw), reject, raw };
}

function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09) return false;
  }
  return true;
}

/**
 * The cells of one line (RFC 4180 within a line), each trimmed of
 * surrounding spaces and tabs, or what is wrong with it. A quoted cell may
 * hold commas and doubled quotes; spaces around its quotes are allowed.
 */
export function splitLine(text: string): string[] | string {
  if (text.indexOf('"') === -1) {
    const cells = text.split(',');
    for (let i = 0; i < cells.length; i++) cells[i] = trim(cells[i]!);
    return cells;
  }
  const cells: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09)) j++;
    if (text.charCodeAt(j) === 0x22) {
      let value = '';
      let from = j + 1;
      let k = from;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q === -1) return `unbalanced quote: the quote opening cell ${cells.length + 1} is not closed on this line`;
        if (text.charCodeAt(q + 1) === 0x22) {
          value += text.slice(from, q + 1);
          k = from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        k = q + 1;
        break;
      }
      while (k < n && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
      cells.push(trim(value));
      if (k === n) return cells;
      if (text.charCodeAt(k) !== 0x2c) return `unexpected ${JSON.stringify(text[k])} after the closing quote of cell ${cells.length}; a quote inside a quoted cell is written twice`;
      i = k + 1;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const cell = text.slice(i, end);
      if (cell.indexOf('"') !== -1) return `quote inside unquoted cell ${cells.length + 1} (${JSON.stringify(cut(cell, 60))}); quote the whole cell and write the quote twice`;
      cells.push(trim(cell));
      if (comma === -1) return cells;
      i = comma + 1;
    }
  }
}

function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index of the first byte that is not part of a well-formed UTF-8 sequence (-1 if none). */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const c1 = b[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k];
      if (ck === undefined || ck < 0x80 || ck > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
