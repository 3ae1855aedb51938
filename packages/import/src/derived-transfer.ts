import type { EncodedEvent, EncodedStreamAppend } from '@leerroutes/event-store/sqlite';
import type { DerivedAppend } from './ledger/port.js';
import { packText, unpackText, type PackedText } from './text-transfer.js';

/**
 * How a derive worker's encoded appends cross to the writer. A batch is some
 * 17,000 events; posted as objects, each would be cloned with its eight field
 * names on one side and rebuilt on the other, and the rebuilt objects would
 * wait, surviving collections, until the writer takes the batch. As columns
 * (typed arrays and the bodies as one block of bytes, text-transfer.ts, all
 * moved, not copied; repeated strings once) the clone is a few copies, and
 * the writer builds the objects only when it appends them (`unpackAppends`).
 */
export interface PackedAppends {
  readonly streams: string[];
  readonly expected: EncodedStreamAppend['expectedRevision'][];
  /** Events per append. */
  readonly sizes: Uint32Array;
  /** Types, shapes, knownAt values and what is rarely not a number or a UUID, each once. */
  readonly strings: string[];
  /** 16 bytes per event; zeros where the id is text. */
  readonly ids: Uint8Array;
  /** The strings index of a text id; -1 for a UUID in `ids`. */
  readonly idText: Int32Array;
  readonly type: Uint32Array;
  readonly schemaVersion: Float64Array;
  readonly occurredOn: Float64Array;
  /** OCC_NUMBER, OCC_NULL, or the strings index of an occurredOn stored as text. */
  readonly occurredText: Int32Array;
  /** The strings index of knownAt; -1 when undefined. */
  readonly knownAt: Int32Array;
  readonly shape: Uint32Array;
  /** REFERS_NONE, REFERS_OWN (the append's stream), or the strings index of another stream (which the appender refuses). */
  readonly refers: Int32Array;
  readonly bodies: PackedText;
  readonly bodyEnds: Uint32Array;
}

const OCC_NUMBER = -1;
const OCC_NULL = -2;
const REFERS_NONE = -1;
const REFERS_OWN = -2;

/** Packs encoded appends, with the buffers to move; null when they are plain events (for PostgreSQL), which cross as they are. */
export function packAppends(appends: readonly DerivedAppend[]): { packed: PackedAppends; transfer: ArrayBuffer[] } | null {
  let n = 0;
  for (const a of appends) {
    for (const e of a.events) if (!('body' in e)) return null;
    n += a.events.length;
  }
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const p = {
    streams: [] as string[], expected: [] as EncodedStreamAppend['expectedRevision'][], sizes: new Uint32Array(appends.length), strings,
    ids: new Uint8Array(n * 16), idText: new Int32Array(n), type: new Uint32Array(n), schemaVersion: new Float64Array(n),
    occurredOn: new Float64Array(n), occurredText: new Int32Array(n), knownAt: new Int32Array(n), shape: new Uint32Array(n),
    refers: new Int32Array(n), bodyEnds: new Uint32Array(n),
  };
  const bodies: string[] = new Array<string>(n);
  let at = 0;
  let end = 0;
  appends.forEach((a, ai) => {
    p.streams.push(a.stream);
    p.expected.push(a.expectedRevision);
    p.sizes[ai] = a.events.length;
    for (const e of a.events as readonly EncodedEvent[]) {
      if (typeof e.eventId === 'string') p.idText[at] = intern(e.eventId);
      else {
        p.ids.set(e.eventId, at * 16);
        p.idText[at] = -1;
      }
      p.type[at] = intern(e.type);
      p.schemaVersion[at] = e.schemaVersion;
      if (typeof e.occurredOn === 'number') {
        p.occurredOn[at] = e.occurredOn;
        p.occurredText[at] = OCC_NUMBER;
      } else p.occurredText[at] = e.occurredOn === null ? OCC_NULL : intern(e.occurredOn);
      p.knownAt[at] = e.knownAt === undefined ? -1 : intern(e.knownAt);
      p.shape[at] = intern(e.shape);
      p.refers[at] = e.refersTo === null ? REFERS_NONE : e.refersTo === a.stream ? REFERS_OWN : intern(e.refersTo);
      bodies[at] = e.body;
      end += e.body.length;
      p.bodyEnds[at] = end;
      at += 1;
    }
  });
  const packed: PackedAppends = { ...p, bodies: packText(bodies) };
  const transfer = [p.sizes, p.ids, p.idText, p.type, p.schemaVersion, p.occurredOn, p.occurredText, p.knownAt, p.shape, p.refers, p.bodyEnds]
    .map((a) => a.buffer as ArrayBuffer);
  return { packed, transfer: [...transfer, packed.bodies.bytes] };
}

/** The appends packAppends was given, field for field (a UUID id as a view on the packed ids). */
export function unpackAppends(p: PackedAppends): EncodedStreamAppend[] {
  const out: EncodedStreamAppend[] = [];
  const bodies = unpackText(p.bodies);
  let at = 0;
  let start = 0;
  for (let ai = 0; ai < p.streams.length; ai++) {
    const stream = p.streams[ai]!;
    const events: EncodedEvent[] = new Array<EncodedEvent>(p.sizes[ai]!);
    for (let k = 0; k < events.length; k++, at++) {
      const occ = p.occurredText[at]!;
      const refers = p.refers[at]!;
      const end = p.bodyEnds[at]!;
      events[k] = {
        eventId: p.idText[at]! >= 0 ? p.strings[p.idText[at]!]! : p.ids.subarray(at * 16, at * 16 + 16),
        type: p.strings[p.type[at]!]!,
        schemaVersion: p.schemaVersion[at]!,
        occurredOn: occ === OCC_NUMBER ? p.occurredOn[at]! : occ === OCC_NULL ? null : p.strings[occ]!,
        knownAt: p.knownAt[at]! < 0 ? undefined : p.strings[p.knownAt[at]!]!,
        shape: p.strings[p.shape[at]!]!,
        body: bodies.slice(start, end),
        refersTo: refers === REFERS_NONE ? null : refers === REFERS_OWN ? stream : p.strings[refers]!,
      };
      start = end;
    }
    out.push({ stream, expectedRevision: p.expected[ai]!, events });
  }
  return out;
}
