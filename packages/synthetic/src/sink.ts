import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

/**
 * A CSV file written in large chunks. Each line is encoded straight into a
 * preallocated buffer, so line strings die young instead of piling up until a
 * flush (which made the garbage collector the biggest cost). A full buffer is
 * handed to the stream only when the previous one drained, so memory stays
 * bounded however many learners are generated. Line numbers count the header
 * as line 1, as an importer reporting "file, line" would.
 */
const PENDING = 8192;

export class CsvSink {
  private buf: Buffer;
  private pos = 0;
  private ready: Buffer[] = [];
  private pending = '';
  private readonly stream: WriteStream;
  /** Data rows written so far (the header not counted). */
  rows = 0;

  constructor(readonly path: string, header: readonly string[], private readonly chunkSize = 1 << 20) {
    this.stream = createWriteStream(path);
    this.buf = Buffer.allocUnsafe(chunkSize);
    this.write(header.join(',') + '\n');
  }

  /**
   * Rows are ASCII by construction (codes, dates, numbers; names only appear in
   * areas.csv and institutions.csv, which are written whole as UTF-8), so
   * latin1 encodes them byte for byte and is the cheapest encoder.
   */
  private write(text: string): void {
    if (this.pos + text.length > this.buf.length) {
      if (this.pos > 0) this.ready.push(this.buf.subarray(0, this.pos));
      this.buf = Buffer.allocUnsafe(Math.max(this.chunkSize, text.length));
      this.pos = 0;
    }
    this.pos += this.buf.write(text, this.pos, 'latin1');
  }

  /**
   * Appends one line (ending in a newline) and returns its line number. Lines
   * gather in a short string first: one encoder call per few kilobytes is much
   * cheaper than one per line, and the string is still young when written.
   */
  push(text: string): number {
    this.pending += text;
    if (this.pending.length >= PENDING) {
      this.write(this.pending);
      this.pending = '';
    }
    this.rows++;
    return this.rows + 1;
  }

  /** A chunk is waiting for the stream. */
  get full(): boolean {
    return this.ready.length > 0;
  }

  async flush(): Promise<void> {
    const chunks = this.ready;
    this.ready = [];
    for (const c of chunks) if (!this.stream.write(c)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.write(this.pending);
    this.pending = '';
    if (this.pos > 0) this.ready.push(this.buf.subarray(0, this.pos));
    this.pos = 0;
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}
