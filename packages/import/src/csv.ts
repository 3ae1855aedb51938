import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';

export interface CsvRecord {
  /** 1-based line number of the record in the file (the header is line 1). */
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

export class CsvHeaderError extends Error {}

/**
 * Stream a CSV file record by record with bounded memory. The header must
 * hold every required column; extra columns are ignored.
 */
export async function* readCsv(path: string, required: readonly string[], onBytes?: (bytesRead: number, totalBytes: number) => void): AsyncGenerator<CsvRecord> {
  const totalBytes = statSync(path).size;
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const parser = input.pipe(
    parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: true }),
  );
  let checked = false;
  let n = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    if (!checked) {
      const missing = required.filter((c) => !(c in record));
      if (missing.length > 0) {
        input.destroy();
        throw new CsvHeaderError(`${path}: missing column(s) ${missing.join(', ')}`);
      }
      checked = true;
    }
    yield { line: info.lines, values: record };
    if (onBytes && ++n % 5000 === 0) onBytes(input.bytesRead, totalBytes);
  }
  onBytes?.(totalBytes, totalBytes);
}
