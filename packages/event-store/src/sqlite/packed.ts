import { packText, type PackedText } from '@leerroutes/threads/text-transfer';
import type { ExpectedRevision } from '../port.js';
import type { EncodedEvent } from './codec.js';

/** A StreamAppend whose events were encoded beforehand (codec.ts encodeEvent), e.g. in another thread. */
export interface EncodedStreamAppend {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly EncodedEvent[];
}

/**
 * Encoded appends as columns, one row per event: the form every append takes
 * on its way into the log (LogTransaction.appendPacked reads the columns in
 * place). An import's derive worker packs the appends it makes and moves the
 * columns to the writer's thread (typed arrays and the bodies as one block of
 * bytes, all moved, not copied; repeated strings once). Posted as objects,
 * each event would be cloned with its eight field names on one side and
 * rebuilt on the other, and the rebuilt objects waited, surviving the
 * writer's collections, until the batch was appended: some 1.3 s of a 110k
 * import's writer and most of its 1.7 s of scavenges.
 */
export interface PackedAppends {
  readonly streams: string[];
  readonly expected: ExpectedRevision[];
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
  /** Where each event's body ends in the bodies' text. */
  readonly bodyEnds: Uint32Array;
}

export const OCC_NUMBER = -1;
export const OCC_NULL = -2;
export const REFERS_NONE = -1;
export const REFERS_OWN = -2;

/**
 * Packs encoded appends one at a time, as a derive worker makes them: each
 * learner's encoded events are copied into the columns at once and can be
 * collected young. Held until the batch was derived (some 17,000 events),
 * they survived the worker's scavenges and were copied by each. Deriving and
 * packing a 110k delivery in one thread, in alternating runs: 25.7 and 23.0 s
 * of CPU packed this way, 26.8 and 24.9 s packed after the batch.
 */
export class AppendPacker {
  private readonly streams: string[] = [];
  private readonly expected: ExpectedRevision[] = [];
  private readonly sizes: number[] = [];
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly bodies: string[] = [];
  private n = 0;
  private end = 0;
  private capacity = 0;
  private ids = new Uint8Array(0);
  private idText = new Int32Array(0);
  private type = new Uint32Array(0);
  private schemaVersion = new Float64Array(0);
  private occurredOn = new Float64Array(0);
  private occurredText = new Int32Array(0);
  private knownAt = new Int32Array(0);
  private shape = new Uint32Array(0);
  private refers = new Int32Array(0);
  private bodyEnds = new Uint32Array(0);

  private intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) this.index.set(s, (i = this.strings.push(s) - 1));
    return i;
  }

  /** Room for `more` events: each column doubles as needed. */
  private reserve(more: number): void {
    if (this.n + more <= this.capacity) return;
    const capacity = Math.max(1024, this.capacity * 2, this.n + more);
    const grown = <T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(a: T, make: (size: number) => T, width = 1): T => {
      const b = make(capacity * width);
      b.set(a.subarray(0, this.n * width) as never);
      return b;
    };
    this.ids = grown(this.ids, (k) => new Uint8Array(k), 16);
    this.idText = grown(this.idText, (k) => new Int32Array(k));
    this.type = grown(this.type, (k) => new Uint32Array(k));
    this.schemaVersion = grown(this.schemaVersion, (k) => new Float64Array(k));
    this.occurredOn = grown(this.occurredOn, (k) => new Float64Array(k));
    this.occurredText = grown(this.occurredText, (k) => new Int32Array(k));
    this.knownAt = grown(this.knownAt, (k) => new Int32Array(k));
    this.shape = grown(this.shape, (k) => new Uint32Array(k));
    this.refers = grown(this.refers, (k) => new Int32Array(k));
    this.bodyEnds = grown(this.bodyEnds, (k) => new Uint32Array(k));
    this.capacity = capacity;
  }

  add(a: EncodedStreamAppend): void {
    this.streams.push(a.stream);
    this.expected.push(a.expectedRevision);
    this.sizes.push(a.events.length);
    this.reserve(a.events.length);
    for (const e of a.events) {
      const at = this.n++;
      if (typeof e.eventId === 'string') this.idText[at] = this.intern(e.eventId);
      else {
        this.ids.set(e.eventId, at * 16);
        this.idText[at] = -1;
      }
      this.type[at] = this.intern(e.type);
      this.schemaVersion[at] = e.schemaVersion;
      if (typeof e.occurredOn === 'number') {
        this.occurredOn[at] = e.occurredOn;
        this.occurredText[at] = OCC_NUMBER;
      } else this.occurredText[at] = e.occurredOn === null ? OCC_NULL : this.intern(e.occurredOn);
      this.knownAt[at] = e.knownAt === undefined ? -1 : this.intern(e.knownAt);
      this.shape[at] = this.intern(e.shape);
      this.refers[at] = e.refersTo === null ? REFERS_NONE : e.refersTo === a.stream ? REFERS_OWN : this.intern(e.refersTo);
      this.bodies.push(e.body);
      this.end += e.body.length;
      this.bodyEnds[at] = this.end;
    }
  }

  /** The columns so far, each a buffer of its own to move (the packer is not to be used after). */
  finish(): { packed: PackedAppends; transfer: ArrayBuffer[] } {
    const n = this.n;
    // Copies of exactly n elements: a moved buffer goes whole, and the columns have room to spare.
    const p = {
      streams: this.streams, expected: this.expected, sizes: Uint32Array.from(this.sizes), strings: this.strings,
      ids: this.ids.slice(0, n * 16), idText: this.idText.slice(0, n), type: this.type.slice(0, n), schemaVersion: this.schemaVersion.slice(0, n),
      occurredOn: this.occurredOn.slice(0, n), occurredText: this.occurredText.slice(0, n), knownAt: this.knownAt.slice(0, n), shape: this.shape.slice(0, n),
      refers: this.refers.slice(0, n), bodyEnds: this.bodyEnds.slice(0, n),
    };
    const packed: PackedAppends = { ...p, bodies: packText(this.bodies) };
    const transfer = [p.sizes, p.ids, p.idText, p.type, p.schemaVersion, p.occurredOn, p.occurredText, p.knownAt, p.shape, p.refers, p.bodyEnds]
      .map((a) => a.buffer as ArrayBuffer);
    return { packed, transfer: [...transfer, packed.bodies.bytes] };
  }
}

/** Appends packed, for a caller that has them as objects. */
export function packAppends(appends: readonly EncodedStreamAppend[]): PackedAppends {
  const packer = new AppendPacker();
  for (const a of appends) packer.add(a);
  return packer.finish().packed;
}
