/**
 * A batch's columns sent to PostgreSQL as one text parameter each, which the
 * server splits (`string_to_array`), rather than as array parameters.
 *
 * Why: node-postgres writes an array parameter as an array literal in
 * JavaScript, quoting and escaping every element (`escapeElement`: a few new
 * strings per value, and the garbage they make). For an import's appends that
 * was most of the writer thread's time: on 20,000 learners (346,318 events)
 * the whole import took 30.6-35.2 s with 31-39 s of CPU, about 11 s of it in
 * the young generation's collections alone, and 17.9 s with 18.1 s of CPU
 * once the events' columns went as joined text. Joining is one native call
 * per column, and the server's split costs what parsing the array literal
 * did.
 *
 * Values are joined with the record separator (U+001E); a null is the group
 * separator (U+001D) alone. A value that holds either character cannot be
 * told apart, and neither can a column of one empty string (split, `''` is no
 * element at all): `joinable` says so, and the caller then sends arrays as
 * before. JSON text never holds them (JSON.stringify escapes every control
 * character), nor do ids, dates or numbers, nor the cells of a delivered file
 * (the import refuses control characters); the unit separator (U+001F) is
 * left free because the ledger's fact content is joined with it.
 */

const UNIT = '\x1e';
const NULL_MARK = '\x1d';

export type ColumnValue = string | number | null;

/** Whether every value can go joined (see above); numbers always can. */
export function joinable(values: readonly ColumnValue[]): boolean {
  if (values.length === 1 && values[0] === '') return false;
  for (const v of values) {
    if (typeof v === 'string' && (v.includes(UNIT) || v.includes(NULL_MARK))) return false;
  }
  return true;
}

/** Whether every column of a batch can go joined. */
export const allJoinable = (columns: readonly (readonly ColumnValue[])[]): boolean => columns.every(joinable);

/** The column as one text parameter (only when joinable). */
export function joinColumn(values: readonly ColumnValue[]): string {
  let nulls = false;
  for (const v of values) if (v === null) { nulls = true; break; }
  return (nulls ? values.map((v) => (v === null ? NULL_MARK : v)) : values).join(UNIT);
}

/**
 * SQL for parameter `$n` as an array of `type` (`text`, `int`, `bigint`):
 * split when the batch goes joined, the array parameter itself otherwise.
 */
export function columnSql(n: number, type: string, joined: boolean): string {
  return joined ? `string_to_array($${n}, ${SPLIT_ARGS})::${type}[]` : `$${n}::${type}[]`;
}

/** The separator and null arguments of `string_to_array` that undo joinColumn, as SQL. */
export const SPLIT_ARGS = "E'\\x1e', E'\\x1d'";

/**
 * A query whose parameters are all columns, as `[text, values]` for
 * `query(...)`: `texts` holds its SQL with arrays and with joined columns
 * (columnSql), and the one that fits the values is taken.
 */
export function columnQuery(texts: readonly [string, string], columns: readonly (readonly ColumnValue[])[]): [string, unknown[]] {
  return allJoinable(columns) ? [texts[1], columns.map(joinColumn)] : [texts[0], columns as unknown[]];
}

/** A joined column back as its values (numbers come back as their text). */
export function splitColumn(text: string): (string | null)[] {
  if (text === '') return [];
  return text.split(UNIT).map((v) => (v === NULL_MARK ? null : v));
}

/**
 * Values of any kind as a column that can go joined, or null when one of
 * them cannot (an object, a bigint, a string holding a separator): booleans
 * become `t` and `f`, which every PostgreSQL boolean cast reads.
 */
export function asJoinableColumn(values: readonly unknown[]): ColumnValue[] | null {
  const out = new Array<ColumnValue>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v === 'string' || typeof v === 'number') out[i] = v;
    else if (typeof v === 'boolean') out[i] = v ? 't' : 'f';
    else return null;
  }
  return joinable(out) ? out : null;
}
