import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { RowReject } from './rows.js';

/**
 * Refused rows, one CSV line each (file, line, reason code, message, raw
 * values), so that nothing delivered is lost: a user can fix and re-deliver.
 */
export class RejectsWriter {
  private out: WriteStream | null = null;
  readonly byCode: Record<string, number> = {};
  count = 0;

  constructor(readonly path: string) {}

  write(file: string, line: number, reject: RowReject, raw: Readonly<Record<string, string>>): void {
    if (!this.out) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.out = createWriteStream(this.path);
      this.out.write('file,line,reason,message,row\n');
    }
    this.count++;
    this.byCode[reject.code] = (this.byCode[reject.code] ?? 0) + 1;
    this.out.write([file, String(line), reject.code, reject.message, JSON.stringify(raw)].map(csvCell).join(',') + '\n');
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
