import { endianness } from 'node:os';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBEnumType, DuckDBTypeId, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import type { PackedColumn, RowBlock } from '../row-block.js';

/**
 * A row block appended a vector at a time: its columns are written straight
 * into the memory of a DuckDB data chunk and the chunk goes to the appender
 * whole. Appending value by value costs a native call per value and one per
 * row, which made the appends, not the fold, the limit of a rebuild (at 110,000
 * learners about 18 s of the writer's 40 s). Integers and booleans are copied
 * into the vector; a string of at most 12 bytes is written inline in its
 * 16-byte slot, as DuckDB's C API lays out `duckdb_string_t`; only longer
 * strings are handed over one call each.
 *
 * Only what it writes exactly is taken: INTEGER columns of int32 numbers,
 * BOOLEAN columns of booleans, VARCHAR columns of strings, ENUM columns of
 * their members (as their codes). Anything else (returns false) goes value
 * by value as before.
 */
export function appendBlockByChunks(appender: DuckDBAppender, block: RowBlock, columns: readonly PackedColumn[], types: readonly DuckDBType[]): boolean {
  // The slots and words below are written in the machine's byte order, which DuckDB's layout matches only on little-endian ones.
  if (!LITTLE_ENDIAN) return false;
  const writers: ColumnWriter[] = [];
  for (let i = 0; i < columns.length; i++) {
    const w = writerFor(columns[i]!, types[i]!);
    if (w === null) return false;
    writers.push(w);
  }
  const chunk = DuckDBDataChunk.create(types);
  const raw = chunk.chunk;
  for (let from = 0; from < block.length; from += VECTOR_SIZE) {
    const n = Math.min(VECTOR_SIZE, block.length - from);
    duckdb.data_chunk_reset(raw);
    for (let i = 0; i < writers.length; i++) writers[i]!(duckdb.data_chunk_get_vector(raw, i), from, n);
    duckdb.data_chunk_set_size(raw, n);
    appender.appendDataChunk(chunk);
  }
  return true;
}

/** DuckDB's vectors are in the machine's byte order; the writer and the reader lay them out as little-endian. */
export const LITTLE_ENDIAN = endianness() === 'LE';

/** DuckDB's STANDARD_VECTOR_SIZE: the rows a data chunk holds. */
const VECTOR_SIZE = 2048;

type ColumnWriter = (vector: duckdb.Vector, from: number, n: number) => void;

// Vectors are written by copying into them (the bindings read a vector's memory out as a copy): what goes in is built here first.
const ints = new Int32Array(VECTOR_SIZE);
const words = new Uint32Array(VECTOR_SIZE * 2);
const bytes = new Uint8Array(VECTOR_SIZE);
const shorts = new Uint16Array(VECTOR_SIZE);
const slots = new Uint32Array(VECTOR_SIZE * 4);
const validity = new Uint8Array(VECTOR_SIZE / 8);

/** Bytes per value of the types written here. */
const WIDTH: Partial<Record<DuckDBTypeId, number>> = { [DuckDBTypeId.INTEGER]: 4, [DuckDBTypeId.BIGINT]: 8, [DuckDBTypeId.BOOLEAN]: 1, [DuckDBTypeId.VARCHAR]: 16 };
const zeros = new Uint8Array(VECTOR_SIZE * 16);

/** An ENUM's codes are stored as the smallest unsigned integer that holds them all. */
const ENUM_WIDTH: Partial<Record<DuckDBTypeId, number>> = { [DuckDBTypeId.UTINYINT]: 1, [DuckDBTypeId.USMALLINT]: 2, [DuckDBTypeId.UINTEGER]: 4 };

function writerFor(c: PackedColumn, type: DuckDBType): ColumnWriter | null {
  const typeId = type.typeId;
  if (type instanceof DuckDBEnumType) return enumWriter(c, type);
  const width = WIDTH[typeId];
  if (width === undefined) return null;
  // A column of nulls only (packed as text without a dictionary) fits any of these types.
  if (c.kind === 'string' && c.dictionary.length === 0) {
    return (vector, _from, n) => {
      duckdb.copy_data_to_vector(vector, 0, zeros.buffer, 0, n * width);
      writeValidity(vector, n, () => true);
    };
  }
  if (c.kind === 'number' && (typeId === DuckDBTypeId.INTEGER || typeId === DuckDBTypeId.BIGINT)) {
    const wide = typeId === DuckDBTypeId.BIGINT;
    for (let r = 0; r < c.values.length; r++) {
      if (c.nulls !== null && c.nulls[r] === 1) continue;
      if (!fits(c.values[r]!, wide)) return null;
    }
    const isNull = c.nulls === null ? null : (from: number) => (r: number) => c.nulls![from + r] === 1;
    return wide
      ? (vector, from, n) => writeBigInts(vector, n, (r) => c.values[from + r]!, isNull?.(from) ?? null)
      : (vector, from, n) => writeInts(vector, n, (r) => c.values[from + r]!, isNull?.(from) ?? null);
  }
  // Text of integers into an integer column, as the value-by-value path casts it (Number(text)): each dictionary entry once.
  if (c.kind === 'string' && (typeId === DuckDBTypeId.INTEGER || typeId === DuckDBTypeId.BIGINT)) {
    const wide = typeId === DuckDBTypeId.BIGINT;
    const numbers = c.dictionary.map(Number);
    // BigInt(text), which the other path uses for a BIGINT, refuses what Number reads ('1e3', '0x10'): only plain digits here.
    if (!numbers.every((v, i) => fits(v, wide) && (!wide || /^-?\d+$/.test(c.dictionary[i]!)))) return null;
    const value = (from: number) => (r: number) => { const at = c.indexes[from + r]!; return at < 0 ? 0 : numbers[at]!; };
    const isNull = (from: number) => (r: number) => c.indexes[from + r]! < 0;
    return wide
      ? (vector, from, n) => writeBigInts(vector, n, value(from), isNull(from))
      : (vector, from, n) => writeInts(vector, n, value(from), isNull(from));
  }
  if (c.kind === 'boolean' && typeId === DuckDBTypeId.BOOLEAN) {
    return (vector, from, n) => {
      let nulls = false;
      for (let r = 0; r < n; r++) {
        const v = c.values[from + r]!;
        bytes[r] = v === 1 ? 1 : 0;
        if (v === 2) nulls = true;
      }
      duckdb.copy_data_to_vector(vector, 0, bytes.buffer, 0, n);
      writeValidity(vector, n, nulls ? (r) => c.values[from + r] === 2 : null);
    };
  }
  if (c.kind === 'string' && typeId === DuckDBTypeId.VARCHAR) {
    const { inline, long: longBytes } = stringSlots(c.dictionary);
    return (vector, from, n) => {
      let nulls = false;
      let long = false;
      for (let r = 0; r < n; r++) {
        const at = c.indexes[from + r]!;
        const w = r * 4;
        if (at < 0) {
          nulls = true;
          slots[w] = 0; slots[w + 1] = 0; slots[w + 2] = 0; slots[w + 3] = 0;
          continue;
        }
        // A longer string's slot is left zero here: it is assigned below.
        if (longBytes[at] !== null) long = true;
        const e = at * 4;
        slots[w] = inline[e]!; slots[w + 1] = inline[e + 1]!; slots[w + 2] = inline[e + 2]!; slots[w + 3] = inline[e + 3]!;
      }
      duckdb.copy_data_to_vector(vector, 0, slots.buffer, 0, n * 16);
      // After the copy, which would overwrite them: DuckDB keeps a longer string in the vector's own heap.
      if (long) {
        for (let r = 0; r < n; r++) {
          const at = c.indexes[from + r]!;
          if (at >= 0 && longBytes[at] !== null) duckdb.vector_assign_string_element_len(vector, r, longBytes[at]!);
        }
      }
      writeValidity(vector, n, nulls ? (r) => c.indexes[from + r]! < 0 : null);
    };
  }
  return null;
}

/** A value's code in an ENUM, or undefined for anything that is not one of its members (its index is a plain object). */
export const memberCode = (type: DuckDBEnumType, value: unknown): number | undefined =>
  typeof value === 'string' && Object.hasOwn(type.valueIndexes, value) ? type.valueIndexes[value] : undefined;

/**
 * Text into an ENUM column: each dictionary entry's code looked up once. An
 * entry that is not a member returns null (value by value, where DuckDB's
 * appender refuses it); the bulk writer has made such a column text before.
 */
function enumWriter(c: PackedColumn, type: DuckDBEnumType): ColumnWriter | null {
  const width = ENUM_WIDTH[type.internalTypeId];
  if (c.kind !== 'string' || width === undefined) return null;
  const codes = new Int32Array(c.dictionary.length);
  for (let i = 0; i < c.dictionary.length; i++) {
    const code = memberCode(type, c.dictionary[i]);
    if (code === undefined) return null;
    codes[i] = code;
  }
  const out = width === 1 ? bytes : width === 2 ? shorts : ints;
  return (vector, from, n) => {
    let nulls = false;
    for (let r = 0; r < n; r++) {
      const at = c.indexes[from + r]!;
      if (at < 0) { nulls = true; out[r] = 0; } else out[r] = codes[at]!;
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, n * width);
    writeValidity(vector, n, nulls ? (r) => c.indexes[from + r]! < 0 : null);
  };
}

/** Whether the column's type holds the number exactly; anything else goes value by value. */
const fits = (v: number, wide: boolean): boolean =>
  wide ? Number.isSafeInteger(v) : Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

function writeInts(vector: duckdb.Vector, n: number, value: (r: number) => number, isNull: ((r: number) => boolean) | null): void {
  for (let r = 0; r < n; r++) ints[r] = value(r);
  duckdb.copy_data_to_vector(vector, 0, ints.buffer, 0, n * 4);
  writeValidity(vector, n, isNull);
}

/** Safe integers as little-endian 64-bit two's complement, a pair of 32-bit words each. */
function writeBigInts(vector: duckdb.Vector, n: number, value: (r: number) => number, isNull: ((r: number) => boolean) | null): void {
  for (let r = 0; r < n; r++) {
    const v = value(r);
    const hi = Math.floor(v / 0x1_0000_0000);
    words[2 * r] = v - hi * 0x1_0000_0000;
    words[2 * r + 1] = hi;
  }
  duckdb.copy_data_to_vector(vector, 0, words.buffer, 0, n * 8);
  writeValidity(vector, n, isNull);
}

/**
 * A dictionary's strings as 16-byte slots, four words each: the length, then
 * up to 12 bytes, zeros after. A longer string's slot stays zero and its
 * UTF-8 bytes are in `long`. ASCII text (nearly every value: ids, codes) is
 * laid in straight from its characters; at 110,000 learners a buffer and
 * views per entry took about 1 s of the writer's thread.
 */
function stringSlots(dictionary: readonly string[]): { inline: Uint32Array; long: (Uint8Array | null)[] } {
  const inline = new Uint32Array(dictionary.length * 4);
  const bytes = new Uint8Array(inline.buffer);
  const long: (Uint8Array | null)[] = new Array(dictionary.length).fill(null);
  for (let i = 0; i < dictionary.length; i++) {
    const s = dictionary[i]!;
    const at = i * 16;
    // The length is written as a word, in the machine's byte order: appendBlockByChunks runs only where that is little-endian.
    if (s.length <= 12 && isAscii(s)) {
      inline[i * 4] = s.length;
      for (let k = 0; k < s.length; k++) bytes[at + 4 + k] = s.charCodeAt(k);
      continue;
    }
    const utf8 = Buffer.from(s, 'utf8');
    if (utf8.length > 12) { long[i] = utf8; continue; }
    inline[i * 4] = utf8.length;
    bytes.set(utf8, at + 4);
  }
  return { inline, long };
}

function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0x7f) return false;
  return true;
}

/** Rows for which `isNull` holds are marked null; without it, every row is valid (a reset chunk may hold an old mask). */
function writeValidity(vector: duckdb.Vector, n: number, isNull: ((r: number) => boolean) | null): void {
  const byteCount = Math.ceil(n / 64) * 8;
  validity.fill(0xff, 0, byteCount);
  if (isNull !== null) for (let r = 0; r < n; r++) if (isNull(r)) validity[r >> 3]! &= ~(1 << (r & 7));
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, byteCount);
}
