import type { LineAt } from './csv.js';
import type { FactKind } from './fact-codec.js';
import type { FactRow } from './ledger/port.js';
import type { ReadItem } from './read-items.js';
import type { Row } from './rows.js';
import { packText, unpackText, type PackedText } from '@leerroutes/threads/text-transfer';

/**
 * How a chunk of a file's items, read in an import worker, crosses to the
 * thread that applies them to the ledger. Nearly all are fact rows; posted as
 * objects, each would be cloned with its field names and rebuilt as four
 * objects on the other side. As columns (numbers in typed arrays, the row's
 * strings as one block of bytes, @leerroutes/threads/text-transfer: all moved, not copied) the
 * clone is a few copies. A fact row's raw values stay behind: only a row the ledger finds
 * conflicting needs them, and `rawOf` reads that one line again. Everything
 * else (rejects with their raw values, reference rows, skipped records, bytes
 * read) is rare and crosses as it is.
 */
export interface PackedItems {
  /** Per item: FACT_ROW, or the index in `others` of an item that crosses as it is. */
  readonly order: Int32Array;
  /** Per fact row. */
  readonly lines: Float64Array;
  readonly offsets: Float64Array;
  /** Per fact row: how many key cells follow its learner id. */
  readonly keys: Uint8Array;
  /** Per fact row: its learner id, key cells and content, joined; `ends` says where each ends. */
  readonly text: PackedText;
  readonly ends: Uint32Array;
  readonly others: ReadItem[];
}

const FACT_ROW = -1;

/** Packs a chunk's items, with the buffers to move. Fact rows lose their raw values (see rawOf). */
export function packItems(items: readonly ReadItem[]): { packed: PackedItems; transfer: ArrayBuffer[] } {
  let facts = 0;
  let cells = 0;
  for (const item of items) {
    if (item.kind === 'row' && item.row.kind === 'fact' && item.offset !== undefined) {
      facts++;
      cells += item.row.key.length + 2;
    }
  }
  const order = new Int32Array(items.length);
  const lines = new Float64Array(facts);
  const offsets = new Float64Array(facts);
  const keys = new Uint8Array(facts);
  const ends = new Uint32Array(cells);
  const strings = new Array<string>(cells);
  const others: ReadItem[] = [];
  let f = 0;
  let c = 0;
  let end = 0;
  const cell = (s: string) => {
    strings[c] = s;
    end += s.length;
    ends[c++] = end;
  };
  items.forEach((item, i) => {
    if (item.kind === 'row' && item.row.kind === 'fact' && item.offset !== undefined) {
      const row = item.row;
      order[i] = FACT_ROW;
      lines[f] = row.line;
      offsets[f] = item.offset;
      keys[f] = row.key.length;
      cell(row.learnerId);
      for (const k of row.key) cell(k);
      cell(row.content);
      f++;
    } else {
      order[i] = others.push(item) - 1;
    }
  });
  const text = packText(strings);
  const packed = { order, lines, offsets, keys, text, ends, others };
  return { packed, transfer: [order.buffer, lines.buffer, offsets.buffer, keys.buffer, ends.buffer, text.bytes] as ArrayBuffer[] };
}

/**
 * The items packItems was given, made one at a time as they are iterated: a
 * chunk holds some 20,000 rows, and made all at once their objects waited,
 * surviving collections, until the batches before them were applied (the
 * writer spent about a quarter of its reading time collecting garbage). A
 * fact row's `raw` is rawOf, asked with the row's line and offset only if the
 * ledger finds the row conflicting. `lineShift` is added to every line (a
 * part of a file read behind its header counts its lines from 2).
 */
export function* unpackItems(p: PackedItems, fact: FactKind | null, rawOf: (at: LineAt) => Row, lineShift = 0): Generator<ReadItem> {
  let f = 0;
  let c = 0;
  let start = 0;
  const text = unpackText(p.text);
  const cell = () => {
    const end = p.ends[c++]!;
    const s = text.slice(start, end);
    start = end;
    return s;
  };
  for (let i = 0; i < p.order.length; i++) {
    const o = p.order[i]!;
    if (o !== FACT_ROW) {
      const item = p.others[o]!;
      yield lineShift !== 0 && item.kind === 'reject' ? { ...item, line: item.line + lineShift } : item;
      continue;
    }
    if (fact === null) throw new Error('fact rows read from a reference file');
    const learnerId = cell();
    const key = new Array<string>(p.keys[f]!);
    for (let k = 0; k < key.length; k++) key[k] = cell();
    const row: FactRow = { kind: 'fact', fact, learnerId, key, content: cell(), line: p.lines[f]! + lineShift };
    yield { kind: 'row', row, raw: rawOf, offset: p.offsets[f]! };
    f++;
  }
}
