import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { readerVerdict, type Row, type RowReject } from './rows.js';

/**
 * Raw values longer than this many characters are cut in the rejects file: one
 * 50 MB field once made a 100 MB rejects file (the value twice, in the message
 * and in the row).
 */
export const RAW_LIMIT = 200;
/** Messages quote the offending value, so they are bounded too, more generously. */
export const MESSAGE_LIMIT = 500;

const HEADER = 'file,line,reason,message,row\n';
/** Rejects are buffered up to this many characters between writes; flush() writes the rest. */
const BUFFER_CHARS = 64 * 1024;

/**
 * `text` at most `limit` characters long: a longer one (or one that is itself
 * only the start of a longer value of `fullLength` units) keeps its start and
 * ends in `… [cut: N characters]`, N being the full length. A cut text is
 * never cut again, so the reader can cut what it cannot hold and the writer
 * leaves it alone.
 */
export function cut(text: string, limit = RAW_LIMIT, fullLength = text.length, unit: 'characters' | 'bytes' = 'characters'): string {
  if (text.length <= limit && fullLength === text.length) return text;
  const marker = `… [cut: ${fullLength} ${unit}]`;
  let keep = Math.max(0, limit - marker.length);
  // Do not leave half a surrogate pair behind.
  const last = text.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  return text.slice(0, keep) + marker;
}

/**
 * What a reject carries of its row: the cells by column for a row a validator
 * refused, or the line's text for a record the CSV reader refused (it has no
 * trustworthy cells).
 */
export type RawRow = Row | string;

/**
 * Refused rows, one line each (file, line, reason code, message, raw row as
 * JSON), so that nothing delivered is lost: a user can fix and re-deliver.
 *
 * Writes are synchronous so that flush() can say exactly how many bytes are
 * on disk: an import that commits a batch records that offset, and after a
 * crash resume() cuts the file back to it before appending again.
 */
export class RejectsWriter {
  private fd: number | null = null;
  private closed = false;
  /** Bytes of the file on disk (including the header once written). */
  private bytes = 0;
  private buffer: string[] = [];
  private bufferedChars = 0;
  readonly byCode: Record<string, number> = {};
  /** Rejects per registration file, so that a resumed import can restore its per-file counts. */
  readonly byFile: Record<string, number> = {};
  count = 0;

  constructor(readonly path: string) {}

  /**
   * Continue a rejects file whose first `offset` bytes an earlier run made
   * durable (an offset returned by flush()). Whatever follows the offset was
   * written for a batch that never committed and is cut off; `count` and
   * `byCode` are recounted from what is kept. Offset 0 removes the file: no
   * reject of the delivery had been committed yet.
   */
  static resume(path: string, offset: number): RejectsWriter {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`rejects offset must be a byte count, got ${offset}`);
    const w = new RejectsWriter(path);
    if (offset === 0) {
      rmSync(path, { force: true });
      return w;
    }
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size < offset) throw new Error(`${path} holds ${size} bytes, fewer than the ${offset} bytes an earlier run made durable: cannot resume it`);
      w.recount(fd, offset);
      ftruncateSync(fd, offset);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    w.fd = fd;
    w.bytes = offset;
    return w;
  }

  write(file: string, line: number, reject: RowReject, raw: RawRow): void {
    if (this.closed) throw new Error(`rejects file ${this.path} is closed`);
    this.tally(file, reject.code);
    const text = [oneLine(file), String(line), reject.code, oneLine(cut(reject.message, MESSAGE_LIMIT)), rowJson(raw)].map(csvCell).join(',') + '\n';
    this.buffer.push(text);
    this.bufferedChars += text.length;
    if (this.bufferedChars >= BUFFER_CHARS) this.writeOut();
  }

  /**
   * Write every reject so far, fsync, and return the file's length in bytes
   * (0 while there has been no reject: the file is only created for one).
   */
  flush(): number {
    this.writeOut();
    if (this.fd !== null) fsyncSync(this.fd);
    return this.bytes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.closed = true;
  }

  private tally(file: string, code: string): void {
    this.count++;
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    this.byFile[file] = (this.byFile[file] ?? 0) + 1;
  }

  private writeOut(): void {
    if (this.buffer.length === 0) return;
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w');
      this.writeAll(Buffer.from(HEADER));
    }
    const data = Buffer.from(this.buffer.join(''));
    this.buffer = [];
    this.bufferedChars = 0;
    this.writeAll(data);
  }

  private writeAll(data: Buffer): void {
    let done = 0;
    // Explicit positions: after resume() the descriptor's own position is still 0.
    while (done < data.length) done += writeSync(this.fd!, data, done, data.length - done, this.bytes + done);
    this.bytes += data.length;
  }

  /** Count the rejects in the first `offset` bytes; the offset must end a line this writer wrote. */
  private recount(fd: number, offset: number): void {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    let first = true;
    for (let pos = 0; pos < offset;) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, offset - pos), pos);
      if (n === 0) break;
      pos += n;
      const data = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      // Cutting after the last '\n' never splits a character: it is a byte of its own in UTF-8.
      const end = data.lastIndexOf(0x0a);
      carry = Buffer.from(data.subarray(end + 1));
      if (end === -1) continue;
      const lines = data.toString('utf8', 0, end).split('\n');
      for (const l of lines) {
        if (first) {
          if (l + '\n' !== HEADER) throw new Error(`${this.path} does not start with a rejects header: cannot resume it`);
          first = false;
          continue;
        }
        const [file, code] = fileAndReasonOf(l);
        this.tally(file, code);
      }
    }
    if (carry.length !== 0 || first) throw new Error(`${this.path}: offset ${offset} does not end a line of rejects (not an offset flush() returned): cannot resume it`);
  }
}

/** The file and reason columns of a rejects line; the file may be quoted, line and reason never are. */
function fileAndReasonOf(line: string): [string, string] {
  let file: string;
  let i: number;
  if (line.startsWith('"')) {
    let k = 1;
    for (;;) {
      const q = line.indexOf('"', k);
      if (q === -1) return ['unreadable', 'unreadable'];
      if (line[q + 1] === '"') { k = q + 2; continue; }
      file = line.slice(1, q).replace(/""/g, '"');
      i = q + 1;
      break;
    }
  } else {
    i = line.indexOf(',');
    file = line.slice(0, i);
  }
  const afterLine = line.indexOf(',', i + 1);
  const afterReason = line.indexOf(',', afterLine + 1);
  return afterLine === -1 || afterReason === -1 ? [file, 'unreadable'] : [file, line.slice(afterLine + 1, afterReason)];
}

function rowJson(raw: RawRow): string {
  if (typeof raw === 'string') return JSON.stringify(cut(raw));
  const verdict = readerVerdict(raw);
  if (verdict) return JSON.stringify(cut(verdict.raw));
  let long = false;
  for (const k in raw) if (k.length > RAW_LIMIT || raw[k]!.length > RAW_LIMIT) long = true;
  if (!long) return JSON.stringify(raw);
  const out: Record<string, string> = {};
  for (const k in raw) out[cut(k)] = cut(raw[k]!);
  return JSON.stringify(out);
}

/** One reject per physical line, whatever a message quotes. */
const oneLine = (v: string): string =>
  /[\x00-\x08\x0a-\x1f\x7f]/.test(v) ? v.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : v;

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
