import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RowReject } from './rows.js';

/**
 * Refused rows, one CSV line each (file, line, reason code, message, raw
 * values), so that nothing delivered is lost: a user can fix and re-deliver.
 * Written synchronously so that `flush()` can tell the exact length that goes
 * with a committed batch, and an interrupted import resumes from there.
 */
export class RejectsWriter {
  private fd: number | null = null;
  private bytes = 0;
  readonly byCode: Record<string, number> = {};
  count = 0;

  private constructor(readonly path: string) {}

  static create(path: string): RejectsWriter {
    return new RejectsWriter(path);
  }

  /** Continue a rejects file from a committed length, dropping what an interrupted run wrote after it. */
  static resume(path: string, offset: number, counts: { count: number; byCode: Readonly<Record<string, number>> }): RejectsWriter {
    const w = new RejectsWriter(path);
    if (offset > 0 && existsSync(path)) {
      w.fd = openSync(path, 'r+');
      ftruncateSync(w.fd, offset);
      w.bytes = offset;
    }
    w.count = counts.count;
    Object.assign(w.byCode, counts.byCode);
    return w;
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'w');
      this.append('file,line,reason,message,row\n');
    }
    return this.fd;
  }

  private append(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    writeSync(this.fd!, buf, 0, buf.length, this.bytes);
    this.bytes += buf.length;
  }

  write(file: string, line: number, reject: RowReject, raw: Readonly<Record<string, string>>): void {
    this.open();
    this.count++;
    this.byCode[reject.code] = (this.byCode[reject.code] ?? 0) + 1;
    this.append([file, String(line), reject.code, reject.message, JSON.stringify(raw)].map(csvCell).join(',') + '\n');
  }

  /** Everything written so far is on disk; returns the file's length (0 while nothing was refused). */
  flush(): number {
    if (this.fd !== null) fsyncSync(this.fd);
    return this.bytes;
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
