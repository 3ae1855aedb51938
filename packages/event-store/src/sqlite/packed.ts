import type { PackedText } from '@leerroutes/threads/text-transfer';
import type { ExpectedRevision, StreamAppend } from '../port.js';
import { encodeEventParts } from './codec.js';

/**
 * Appends encoded into columns, one row per event: the form every append to
 * the SQLite log takes (LogTransaction.appendPacked reads the columns in
 * place). An import's derive worker encodes the appends it makes straight
 * into them and moves the columns to the writer's thread (typed arrays and
 * the bodies as one block of bytes, all moved, not copied; repeated strings
 * once). Posted as objects, each event would be cloned with its eight field
 * names on one side and rebuilt on the other; unpacked into objects on the
 * writer's side, they waited, surviving the writer's collections, until the
 * batch was appended: some 1.3 s of a 110k import's writer and most of its
 * 1.7 s of scavenges.
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
  /** Every body, one after the other: one byte a code unit while all are Latin-1, else two (PackedText). */
  readonly bodies: PackedText;
  /** Where each event's body ends in the bodies' text. */
  readonly bodyEnds: Uint32Array;
}

export const OCC_NUMBER = -1;
export const OCC_NULL = -2;

/**
 * Encodes appends into columns one at a time, as a derive worker makes them.
 * Each event is encoded straight into the columns (encodeEventParts): no
 * object, id buffer or body string is made of it, and what a batch holds
 * until it is moved is a few growing arrays. Held as objects until the batch
 * of some 17,000 events was derived, the events survived the worker's
 * scavenges and were copied by each; held as encoded objects with their body
 * strings, the bodies were.
 */
export class AppendPacker {
  private readonly streams: string[] = [];
  private readonly expected: ExpectedRevision[] = [];
  private readonly sizes: number[] = [];
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  private n = 0;
  private capacity = 0;
  private ids = new Uint8Array(0);
  private idText = new Int32Array(0);
  private type = new Uint32Array(0);
  private schemaVersion = new Float64Array(0);
  private occurredOn = new Float64Array(0);
  private occurredText = new Int32Array(0);
  private knownAt = new Int32Array(0);
  private shape = new Uint32Array(0);
  private bodyEnds = new Uint32Array(0);
  /** The bodies' code units: a byte each until one is beyond Latin-1, then two. */
  private body: Uint8Array | Uint16Array = new Uint8Array(0);
  private narrow = true;
  private end = 0;

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
    this.bodyEnds = grown(this.bodyEnds, (k) => new Uint32Array(k));
    this.capacity = capacity;
  }

  /** Room for `more` body code units. */
  private growBody(more: number): void {
    const b = this.narrow ? new Uint8Array(Math.max(64 * 1024, this.body.length * 2, this.end + more)) : new Uint16Array(Math.max(32 * 1024, this.body.length * 2, this.end + more));
    b.set(this.body.subarray(0, this.end));
    this.body = b;
  }

  /** From a byte a code unit to two: a body beyond Latin-1 came. */
  private widen(): void {
    const b = new Uint16Array(this.body.length);
    b.set(this.body.subarray(0, this.end));
    this.body = b;
    this.narrow = false;
  }

  /** An append, its events encoded for its own stream: a body may refer to the stream's name (codec.ts), and reads back right only there. */
  add(a: StreamAppend): void {
    this.streams.push(a.stream);
    this.expected.push(a.expectedRevision);
    this.sizes.push(a.events.length);
    this.reserve(a.events.length);
    for (const e of a.events) {
      const p = encodeEventParts(e, a.stream);
      const at = this.n++;
      if (p.idText !== null) this.idText[at] = this.intern(p.idText);
      else {
        this.ids.set(p.id, at * 16);
        this.idText[at] = -1;
      }
      this.type[at] = this.intern(p.type);
      this.schemaVersion[at] = p.schemaVersion;
      if (typeof p.occurredOn === 'number') {
        this.occurredOn[at] = p.occurredOn;
        this.occurredText[at] = OCC_NUMBER;
      } else this.occurredText[at] = p.occurredOn === null ? OCC_NULL : this.intern(p.occurredOn);
      this.knownAt[at] = p.knownAt === undefined ? -1 : this.intern(p.knownAt);
      this.shape[at] = this.intern(p.shape);
      const codes = p.codes;
      const length = p.bodyLength;
      if (this.narrow) for (let i = 0; i < length; i++) if (codes[i]! > 0xff) { this.widen(); break; }
      if (this.end + length > this.body.length) this.growBody(length);
      const body = this.body;
      for (let i = 0, o = this.end; i < length; i++) body[o + i] = codes[i]!;
      this.end += length;
      this.bodyEnds[at] = this.end;
    }
  }

  /** The columns so far, each a buffer of its own to move (transferOf); the packer is not to be used after. */
  finish(): PackedAppends {
    const n = this.n;
    // Copies of exactly n elements: a moved buffer goes whole, and the columns have room to spare.
    return {
      streams: this.streams, expected: this.expected, sizes: Uint32Array.from(this.sizes), strings: this.strings,
      ids: this.ids.slice(0, n * 16), idText: this.idText.slice(0, n), type: this.type.slice(0, n), schemaVersion: this.schemaVersion.slice(0, n),
      occurredOn: this.occurredOn.slice(0, n), occurredText: this.occurredText.slice(0, n), knownAt: this.knownAt.slice(0, n), shape: this.shape.slice(0, n),
      bodyEnds: this.bodyEnds.slice(0, n),
      bodies: { bytes: this.body.slice(0, this.end).buffer as ArrayBuffer, narrow: this.narrow },
    };
  }
}

/** The buffers of packed appends, to move them to another thread (each is the packed appends' own). */
export function transferOf(p: PackedAppends): ArrayBuffer[] {
  return [p.sizes, p.ids, p.idText, p.type, p.schemaVersion, p.occurredOn, p.occurredText, p.knownAt, p.shape, p.bodyEnds].map((a) => a.buffer as ArrayBuffer).concat(p.bodies.bytes);
}
