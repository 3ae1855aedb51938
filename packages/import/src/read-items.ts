import * as E from 'fp-ts/lib/Either.js';
import { AREAS_STREAM, INSTITUTIONS_STREAM, SCHOOL_GROUPS_STREAM } from '@leerroutes/domain';
import { createReadStream, statSync } from 'node:fs';
import { readCsvBatches, type CsvRecord, type LineAt } from './csv.js';
import { FACT_CODECS } from './fact-codec.js';
import { areaRow, institutionRow, schoolGroupRow, type FactFile, type ReferenceFile } from './files.js';
import type { LedgerRow } from './ledger/port.js';
import type { RawRow } from './rejects.js';
import type { Row, RowReject } from './rows.js';

/**
 * What reading a registration file yields, in file order, before anything
 * touches the ledger.
 */
export type ReadItem =
  /**
   * A row that passed validation; `raw` is needed only if the ledger finds it conflicting, so it may be read again on
   * demand from where its line starts (`offset`, csv.ts recordAt): one reader function per file, not a closure per row.
   */
  | { readonly kind: 'row'; readonly row: LedgerRow; readonly raw: Row | ((at: LineAt) => Row); readonly offset?: number }
  | { readonly kind: 'reject'; readonly line: number; readonly reject: RowReject; readonly raw: RawRow }
  /** Records an earlier run of the delivery committed: counted, not read again. */
  | { readonly kind: 'skipped'; readonly records: number }
  /** How far the file has been read, where the reader reports it (every 5000 records and at the end). */
  | { readonly kind: 'bytes'; readonly bytes: number; readonly totalBytes: number };

/**
 * Bytes of a file read and parsed at a time. A chunk's rows and their parsed
 * objects live until the chunk is packed; at 1 MiB (some 20,000 rows) they
 * outgrew the young generation and were promoted, and whole 110k imports took
 * 27.6-30.4 s against 26.2-27.4 s at 128 KiB (64 KiB and 256 KiB in between).
 */
export const READ_CHUNK_BYTES = 1 << 17;

/**
 * A file's items, a chunk of the file at a time. Bytes are reported where the
 * reader reports them to a record-at-a-time consumer: after every 5000th
 * record, once it was handled, and at the end.
 */
export async function* readItemBatches(file: FactFile | ReferenceFile, path: string, skip: number, chunkBytes = READ_CHUNK_BYTES): AsyncGenerator<ReadItem[]> {
  for await (const chunk of readItemChunks(file, path, skip, chunkBytes)) yield chunk.items;
}

/**
 * A stretch of a file read on its own (read-stripes.ts): bytes [start, end),
 * beginning and ending at line starts. A stretch after the first is read
 * behind `header`, the file's header line: its records' lines are then
 * counted from 2 (the caller shifts them), its offsets and bytes are the
 * file's own.
 */
export interface FilePart {
  readonly start: number;
  readonly end: number;
  readonly header: Uint8Array | null;
}

/** A chunk of items; `lines` (with `last`) is how many lines the file, or the part, holds. */
export interface ItemChunk {
  readonly items: ReadItem[];
  readonly header: LineAt | null;
  readonly last: boolean;
  readonly lines: number;
}

/** readItemBatches with where the file's header line is, once read, and each row's offset. */
export async function* readItemChunks(file: FactFile | ReferenceFile, path: string, skip: number, chunkBytes = READ_CHUNK_BYTES, part?: FilePart): AsyncGenerator<ItemChunk> {
  const totalBytes = statSync(path).size;
  const input = part ? createReadStream(path, { highWaterMark: chunkBytes, start: part.start, end: part.end - 1 }) : createReadStream(path, { highWaterMark: chunkBytes });
  // Bytes the reader counted that are not the file's at that place: the header read before a later part.
  const behind = part?.header ? part.header.length : 0;
  const shift = part ? part.start - behind : 0;
  const end = part ? part.end : totalBytes;
  let records = 0;
  try {
    const chunks = part?.header ? withHeader(part.header, input) : input;
    for await (const batch of readCsvBatches(chunks, path, file.required)) {
      const items: ReadItem[] = [];
      let skipped = 0;
      for (let i = 0; i < batch.records.length; i++) {
        const record = batch.records[i]!;
        records++;
        if (records <= skip) skipped++;
        else {
          if (skipped > 0) items.push({ kind: 'skipped', records: skipped });
          skipped = 0;
          items.push(itemOf(file, record, batch.offsets[i]! + shift));
        }
        if (!batch.last && records % 5000 === 0) {
          if (skipped > 0) items.push({ kind: 'skipped', records: skipped });
          skipped = 0;
          items.push({ kind: 'bytes', bytes: Math.max(0, batch.bytesRead + shift), totalBytes });
        }
      }
      if (skipped > 0) items.push({ kind: 'skipped', records: skipped });
      if (batch.last) items.push({ kind: 'bytes', bytes: end, totalBytes });
      yield { items, header: behind > 0 ? null : batch.header, last: batch.last, lines: batch.lines - (behind > 0 ? 1 : 0) };
    }
  } finally {
    input.destroy();
  }
}

async function* withHeader(header: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield header;
  yield* rest;
}

function itemOf(file: FactFile | ReferenceFile, record: CsvRecord, offset: number): ReadItem {
  const { line, values } = record;
  // A record the reader could not read (encoding, quotes, cell count, size) is refused with the reader's reason.
  if (record.reject !== undefined) return { kind: 'reject', line, reject: record.reject, raw: record.raw };
  const source = { system: 'import', file: file.name, line };
  const parsed = file.kind === 'fact' ? file.parse(values, source) : parseReference(file, values);
  if (E.isLeft(parsed)) return { kind: 'reject', line, reject: parsed.left, raw: values };
  const row = file.kind === 'fact' ? factRow(file, parsed.right as Record<string, unknown>, line) : referenceRow(file, parsed.right as Record<string, unknown>, line);
  return { kind: 'row', row, raw: values, offset };
}

function parseReference(file: ReferenceFile, values: Readonly<Record<string, string>>): E.Either<{ code: 'missing-value' | 'invalid-value'; message: string }, unknown> {
  switch (file.name) {
    case 'areas.csv': return areaRow(values) as E.Either<{ code: 'missing-value'; message: string }, unknown>;
    case 'institutions.csv': return institutionRow(values) as E.Either<{ code: 'missing-value'; message: string }, unknown>;
    case 'school_groups.csv': return schoolGroupRow(values) as E.Either<{ code: 'missing-value'; message: string }, unknown>;
  }
}

function factRow(file: FactFile, row: Record<string, unknown>, line: number): LedgerRow {
  const { learnerId, fact } = row as { learnerId: string; fact: never };
  const codec = FACT_CODECS[file.fact];
  return { kind: 'fact', fact: file.fact, learnerId, key: codec.key(fact), content: codec.content(fact), line };
}

function referenceRow(file: ReferenceFile, row: Record<string, unknown>, line: number): LedgerRow {
  const source = { system: 'import', file: file.name, line };
  if (file.name === 'areas.csv') {
    const a = row as { area: string; name: string; parent: string | null };
    return { kind: 'reference', table: 'area', key: [a.area], values: [a.name, a.parent], event: { stream: AREAS_STREAM, type: 'AreaDefined', data: { ...a, source } } };
  }
  if (file.name === 'institutions.csv') {
    const i = row as { institution: string; name: string; board: string | null; municipality: string | null; kind: string | null };
    return { kind: 'reference', table: 'institution', key: [i.institution], values: [i.name, i.board, i.municipality, i.kind], event: { stream: INSTITUTIONS_STREAM, type: 'InstitutionDefined', data: { ...i, source } } };
  }
  const g = row as { institution: string; group: string; validFrom: string; validTo: string | null };
  return { kind: 'reference', table: 'school_group', key: [g.institution, g.group, g.validFrom], values: [g.validTo], event: { stream: SCHOOL_GROUPS_STREAM, type: 'SchoolGroupDefined', data: { ...g, source } } };
}
