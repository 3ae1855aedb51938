import duckdb from '@duckdb/node-bindings';
import { DuckDBEnumType, DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { LITTLE_ENDIAN } from './chunk-writer.js';

/**
 * A result column read straight from its vector's memory, the way
 * chunk-writer.ts writes one: Neo's per-item accessors tested each item's
 * validity with BigInt shifts and decoded every string with a TextDecoder
 * call, which for a report's count of 25,000-45,000 rows took 70-120 ms,
 * most of the query's time on the JS side. Here validity is a byte test,
 * integers come from a typed-array view, and text that repeats (categories,
 * school codes, dimension values) is found in a small cache by its bytes.
 * Types not listed, and any type on a big-endian machine, return null: the
 * caller goes value by value.
 */
export type ColumnRead = (vector: duckdb.Vector, count: number) => unknown[];

export function columnReader(type: DuckDBType): ColumnRead | null {
  if (!LITTLE_ENDIAN) return null;
  if (type.typeId === DuckDBTypeId.VARCHAR) return readText;
  // Text from a closed vocabulary (column-types.ts): its code, read as the integer it is stored as, names the member.
  if (type instanceof DuckDBEnumType) {
    const code = FIXED[type.internalTypeId];
    if (code === undefined) return null;
    const [width, at] = code;
    const values = type.values;
    return (vector, count) => readColumn(vector, count, width, (view, i) => values[at(view, i) as number]);
  }
  const fixed = FIXED[type.typeId];
  if (fixed === undefined) return null;
  const [width, at] = fixed;
  return (vector, count) => readColumn(vector, count, width, at);
}

/** Fixed-width types: bytes per item, and item i read from the vector's data (little-endian, as DuckDB lays it out here). */
const FIXED: Partial<Record<DuckDBTypeId, readonly [number, (view: DataView, i: number) => unknown]>> = {
  [DuckDBTypeId.BOOLEAN]: [1, (view, i) => view.getUint8(i) !== 0],
  [DuckDBTypeId.TINYINT]: [1, (view, i) => view.getInt8(i)],
  [DuckDBTypeId.UTINYINT]: [1, (view, i) => view.getUint8(i)],
  [DuckDBTypeId.SMALLINT]: [2, (view, i) => view.getInt16(i * 2, true)],
  [DuckDBTypeId.USMALLINT]: [2, (view, i) => view.getUint16(i * 2, true)],
  [DuckDBTypeId.INTEGER]: [4, (view, i) => view.getInt32(i * 4, true)],
  [DuckDBTypeId.UINTEGER]: [4, (view, i) => view.getUint32(i * 4, true)],
  [DuckDBTypeId.FLOAT]: [4, (view, i) => view.getFloat32(i * 4, true)],
  [DuckDBTypeId.DOUBLE]: [8, (view, i) => view.getFloat64(i * 8, true)],
  // A number where it is exact, else a bigint: as the value-by-value path gives it.
  [DuckDBTypeId.BIGINT]: [8, (view, i) => bigintAt(view, i)],
};

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
function bigintAt(view: DataView, i: number): number | bigint {
  const low = view.getUint32(i * 8, true);
  const high = view.getInt32(i * 8 + 4, true);
  // A high word strictly between -2^21 and 2^21 makes a safe integer of the two halves; the edges go through the bigint.
  if (high > -0x200000 && high < 0x200000) return high * 0x1_0000_0000 + low;
  const n = view.getBigInt64(i * 8, true);
  return n >= MIN_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** The vector's validity mask as bytes (bit i of the little-endian words is byte i >> 3, bit i & 7), or null when every item is valid. */
function validityOf(vector: duckdb.Vector, count: number): Uint8Array | null {
  return duckdb.vector_get_validity(vector, Math.ceil(count / 64) * 8) ?? null;
}
const valid = (mask: Uint8Array | null, i: number): boolean => mask === null || (mask[i >> 3]! & (1 << (i & 7))) !== 0;

/** A fixed-width column: `at` reads item i from the vector's data. */
function readColumn<T>(vector: duckdb.Vector, count: number, width: number, at: (view: DataView, i: number) => T): (T | null)[] {
  const bytes = duckdb.vector_get_data(vector, count * width);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mask = validityOf(vector, count);
  const out = new Array<T | null>(count);
  for (let i = 0; i < count; i++) out[i] = valid(mask, i) ? at(view, i) : null;
  return out;
}

const decoder = new TextDecoder();

/**
 * DuckDB's string slots: 16 bytes each, a 32-bit length, then up to 12
 * bytes inline, or (longer) a 4-byte prefix and a pointer to the bytes.
 */
function readText(vector: duckdb.Vector, count: number): (string | null)[] {
  const bytes = duckdb.vector_get_data(vector, count * 16);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mask = validityOf(vector, count);
  const out = new Array<string | null>(count);
  for (let i = 0; i < count; i++) {
    if (!valid(mask, i)) {
      out[i] = null;
      continue;
    }
    const slot = i * 16;
    const length = view.getUint32(slot, true);
    if (length <= 12) out[i] = textOf(bytes, slot + 4, length);
    else {
      const long = duckdb.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + slot + 8, length);
      out[i] = textOf(long, 0, length);
    }
  }
  return out;
}

/** Strings made so far, by a hash of their bytes: a result repeats a few thousand distinct texts over its rows. */
const CACHED = 4096;
const CACHEABLE = 64;
const cache = new Array<string | undefined>(CACHED);

/** The text of `length` UTF-8 bytes from `from`: ASCII of up to 64 bytes through the cache, anything else decoded. */
function textOf(bytes: Uint8Array, from: number, length: number): string {
  if (length > CACHEABLE) return decoder.decode(bytes.subarray(from, from + length));
  let h = length;
  for (let i = from; i < from + length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) return decoder.decode(bytes.subarray(from, from + length));
    h = Math.imul(h ^ b, 0x01000193);
  }
  const at = (h >>> 0) & (CACHED - 1);
  const held = cache[at];
  if (held !== undefined && held.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (held.charCodeAt(i) !== bytes[from + i]) {
        same = false;
        break;
      }
    }
    if (same) return held;
  }
  const made = length === 0 ? '' : String.fromCharCode.apply(null, bytes.subarray(from, from + length) as unknown as number[]);
  cache[at] = made;
  return made;
}
