import { sql, type Kysely, type RawBuilder } from 'kysely';

/** A dialect's adapter that stores text from a closed vocabulary as an ENUM (DuckDB's). */
export interface ClosedTextAdapter {
  readonly closedTextAsEnum: true;
}

/**
 * The column type for text from a closed vocabulary: a DuckDB ENUM of its
 * values in code-point order (so ORDER BY, min and max on it go as on the
 * text), plain text on other engines. DuckDB stores an ENUM as one small
 * integer a row, where it hashes, compresses and keeps statistics of every
 * string of a text column. An ENUM cannot hold a value outside it: the bulk
 * writer makes such a column text before it appends one (appender.ts), so a
 * vocabulary that misses a value costs speed, never the value.
 *
 * Here, not in the DuckDB dialect, so a projection's DDL can name it without
 * loading DuckDB (see kit.ts).
 */
export function closedTextType(db: Kysely<any>, values: readonly string[]): 'text' | RawBuilder<unknown> {
  if ((db.getExecutor().adapter as Partial<ClosedTextAdapter>).closedTextAsEnum !== true) return 'text';
  const sorted = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sql.raw(`ENUM(${sorted.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
}
