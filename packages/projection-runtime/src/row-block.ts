/**
 * Rows for the bulk path, stored by column: numbers and booleans in typed
 * arrays, strings as indexes into a dictionary of the distinct ones. A
 * rebuild prepares its batches in a worker thread (rebuild-thread.ts), and a
 * structured clone of the same rows as arrays of values cost the writer more
 * than appending them (1.9 s of 6 at 20,000 learners); a block crosses as a
 * few buffers that are moved, not copied, and a few thousand strings.
 */

export type PackedColumn =
  /** Numbers; `nulls[i] === 1` where the value is null. */
  | { readonly kind: 'number'; readonly values: Float64Array; readonly nulls: Uint8Array | null }
  /** 0 false, 1 true, 2 null. */
  | { readonly kind: 'boolean'; readonly values: Uint8Array }
  /** Index into `dictionary`, -1 for null. */
  | { readonly kind: 'string'; readonly dictionary: readonly string[]; readonly indexes: Int32Array }
  /** A column whose values are of several kinds (or bigints, dates...): kept as they are. */
  | { readonly kind: 'any'; readonly values: readonly unknown[] };

export interface RowBlock {
  readonly rowBlock: true;
  readonly length: number;
  readonly columns: readonly PackedColumn[];
}

export const isRowBlock = (value: unknown): value is RowBlock =>
  typeof value === 'object' && value !== null && (value as { rowBlock?: unknown }).rowBlock === true;

function packColumn(values: readonly unknown[]): PackedColumn {
  let numbers = 0;
  let booleans = 0;
  let strings = 0;
  let nulls = 0;
  for (const v of values) {
    if (v === null || v === undefined) nulls++;
    else if (typeof v === 'number') numbers++;
    else if (typeof v === 'string') strings++;
    else if (typeof v === 'boolean') booleans++;
    else return { kind: 'any', values };
  }
  const n = values.length;
  if (strings + nulls === n) {
    const dictionary: string[] = [];
    const seen = new Map<string, number>();
    const indexes = new Int32Array(n);
    // A learner's rows come together: the same learner id (or rule set) as the row before needs no lookup.
    let last: string | null = null;
    let lastAt = -1;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') { indexes[i] = -1; continue; }
      if (v === last) { indexes[i] = lastAt; continue; }
      let at = seen.get(v);
      if (at === undefined) { at = dictionary.length; dictionary.push(v); seen.set(v, at); }
      indexes[i] = at;
      last = v;
      lastAt = at;
    }
    return { kind: 'string', dictionary, indexes };
  }
  if (numbers + nulls === n) {
    const out = new Float64Array(n);
    const missing = nulls > 0 ? new Uint8Array(n) : null;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number') out[i] = v;
      else missing![i] = 1;
    }
    return { kind: 'number', values: out, nulls: missing };
  }
  if (booleans + nulls === n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) { const v = values[i]; out[i] = v === true ? 1 : v === false ? 0 : 2; }
    return { kind: 'boolean', values: out };
  }
  return { kind: 'any', values };
}

/** A block from its columns' values (each array as long as the block). */
export function packColumns(columns: readonly (readonly unknown[])[], length: number): RowBlock {
  for (const c of columns) if (c.length !== length) throw new Error(`a row block's columns must all hold ${length} values; one holds ${c.length}`);
  return { rowBlock: true, length, columns: columns.map(packColumn) };
}

/** A block from rows of `width` values each. */
export function packRows(rows: readonly (readonly unknown[])[], width: number): RowBlock {
  const columns = Array.from({ length: width }, () => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.length !== width) throw new Error(`a row has ${row.length} values for ${width} columns`);
    for (let c = 0; c < width; c++) columns[c]![r] = row[c];
  }
  return packColumns(columns, rows.length);
}

/** A column's value at a row, as it was packed (null for null or undefined). */
export function valueAt(column: PackedColumn, row: number): unknown {
  switch (column.kind) {
    case 'number': return column.nulls !== null && column.nulls[row] === 1 ? null : column.values[row]!;
    case 'boolean': { const v = column.values[row]; return v === 2 ? null : v === 1; }
    case 'string': { const i = column.indexes[row]!; return i < 0 ? null : column.dictionary[i]!; }
    case 'any': return column.values[row] ?? null;
  }
}

/** The block as rows again (for writers without a columnar path). */
export function unpackRows(block: RowBlock): unknown[][] {
  const rows = new Array<unknown[]>(block.length);
  for (let r = 0; r < block.length; r++) rows[r] = block.columns.map((c) => valueAt(c, r));
  return rows;
}

/** The buffers a block can hand to another thread without a copy. */
export function transferablesOf(block: RowBlock): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of block.columns) {
    if (c.kind === 'number') { out.push(c.values.buffer as ArrayBuffer); if (c.nulls) out.push(c.nulls.buffer as ArrayBuffer); }
    else if (c.kind === 'boolean') out.push(c.values.buffer as ArrayBuffer);
    else if (c.kind === 'string') out.push(c.indexes.buffer as ArrayBuffer);
  }
  return out;
}

/** The buffers of the row blocks in a prepared value (the value, its properties, theirs): what a thread moves rather than copies. */
export function blockBuffersIn(value: unknown, depth = 0, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (isRowBlock(value)) out.push(...transferablesOf(value));
  else if (depth < 2 && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const v of Object.values(value)) blockBuffersIn(v, depth + 1, out);
  }
  return out;
}

/** What a column of a block builder holds; its values must be of that kind or null. */
export type ColumnKind = 'string' | 'number' | 'boolean';

interface ColumnBuilder {
  push(value: unknown): void;
  /** The column as pushed since the last reset, in arrays of its own. */
  finish(length: number): PackedColumn;
  reset(): void;
}

const kindError = (kind: ColumnKind, value: unknown, name: string | undefined) =>
  new TypeError(`a ${kind} column${name ? ` '${name}'` : ''} was given ${typeof value} ${JSON.stringify(value)}`);

/** Text as indexes into the distinct values, in order of first sight. */
class StringColumn implements ColumnBuilder {
  private indexes = new Int32Array(INITIAL_CAPACITY);
  private n = 0;
  private dictionary: string[] = [];
  private readonly seen = new Map<string, number>();
  // A learner's rows come together: the same learner id (or rule set) as the row before needs no lookup.
  private last: string | null = null;
  private lastAt = -1;
  constructor(private readonly name?: string) {}

  push(value: unknown): void {
    if (this.n === this.indexes.length) this.indexes = grown(this.indexes);
    if (value === this.last) { this.indexes[this.n++] = this.lastAt; return; }
    if (value === null || value === undefined) { this.indexes[this.n++] = -1; return; }
    if (typeof value !== 'string') throw kindError('string', value, this.name);
    let at = this.seen.get(value);
    if (at === undefined) { at = this.dictionary.length; this.dictionary.push(value); this.seen.set(value, at); }
    this.indexes[this.n++] = at;
    this.last = value;
    this.lastAt = at;
  }

  finish(length: number): PackedColumn {
    return { kind: 'string', dictionary: this.dictionary, indexes: this.indexes.slice(0, length) };
  }

  reset(): void {
    this.n = 0;
    this.dictionary = [];
    this.seen.clear();
    this.last = null;
    this.lastAt = -1;
  }
}

class NumberColumn implements ColumnBuilder {
  private values = new Float64Array(INITIAL_CAPACITY);
  private nulls = new Uint8Array(INITIAL_CAPACITY);
  private anyNull = false;
  private n = 0;
  constructor(private readonly name?: string) {}

  push(value: unknown): void {
    if (this.n === this.values.length) {
      this.values = grown(this.values);
      this.nulls = grown(this.nulls);
    }
    if (typeof value === 'number') {
      this.nulls[this.n] = 0;
      this.values[this.n++] = value;
      return;
    }
    if (value !== null && value !== undefined) throw kindError('number', value, this.name);
    this.anyNull = true;
    this.values[this.n] = 0;
    this.nulls[this.n++] = 1;
  }

  finish(length: number): PackedColumn {
    return { kind: 'number', values: this.values.slice(0, length), nulls: this.anyNull ? this.nulls.slice(0, length) : null };
  }

  reset(): void {
    this.n = 0;
    this.anyNull = false;
  }
}

class BooleanColumn implements ColumnBuilder {
  private values = new Uint8Array(INITIAL_CAPACITY);
  private n = 0;
  constructor(private readonly name?: string) {}

  push(value: unknown): void {
    if (this.n === this.values.length) this.values = grown(this.values);
    if (value === true) this.values[this.n++] = 1;
    else if (value === false) this.values[this.n++] = 0;
    else if (value === null || value === undefined) this.values[this.n++] = 2;
    else throw kindError('boolean', value, this.name);
  }

  finish(length: number): PackedColumn {
    return { kind: 'boolean', values: this.values.slice(0, length) };
  }

  reset(): void {
    this.n = 0;
  }
}

const INITIAL_CAPACITY = 1024;

function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}

/**
 * A row block written row by row into typed columns of kinds known in
 * advance (a table's schema): no array of values per column first, and no
 * pass to find each column's kind. Its arrays are scratch, kept from one
 * block to the next: `finish` copies the block out at its exact size and
 * starts the next, so a builder kept for many blocks allocates what the
 * blocks hold and no more (a typed array of a fixed capacity per column and
 * block cost more than the packing it saved). Push a row's values one each,
 * in order, into `columns`, then call `rowDone`; or `push` the row whole. A
 * value of the wrong kind throws.
 */
export class RowBlockBuilder {
  private readonly builders: ColumnBuilder[];
  private n = 0;

  constructor(kinds: readonly ColumnKind[], names?: readonly string[]) {
    this.builders = kinds.map((kind, i) => {
      const name = names?.[i];
      return kind === 'string' ? new StringColumn(name) : kind === 'number' ? new NumberColumn(name) : new BooleanColumn(name);
    });
  }

  get columns(): readonly { push(value: unknown): void }[] {
    return this.builders;
  }

  rowDone(): void {
    this.n++;
  }

  push(values: readonly unknown[]): void {
    if (values.length !== this.builders.length) throw new Error(`a row has ${values.length} values for ${this.builders.length} columns`);
    for (let i = 0; i < values.length; i++) this.builders[i]!.push(values[i]);
    this.n++;
  }

  get length(): number {
    return this.n;
  }

  /** The rows pushed since the last finish, as a block of arrays of its own; the builder starts empty again. */
  finish(): RowBlock {
    const block: RowBlock = { rowBlock: true, length: this.n, columns: this.builders.map((b) => b.finish(this.n)) };
    for (const b of this.builders) b.reset();
    this.n = 0;
    return block;
  }
}
