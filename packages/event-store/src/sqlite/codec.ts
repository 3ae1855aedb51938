/**
 * The row encoding of the SQLite log (schema version 3). An event's payload
 * and metadata are stored as their *shape* (the nested key skeletons, once
 * per distinct pair in the `shapes` table) plus one compact text, the body,
 * of their leaf values in skeleton order. Keys, JSON punctuation and the
 * provenance every payload repeats (`source.system`, `source.file`: constants
 * of the shape) are stored once; values that the row already holds (the
 * learner id that is the stream's suffix, a date equal to the event's
 * occurredOn) cost one byte, the digest the event's id was made from seven;
 * dates, school years and months are packed.
 * Decoding builds the objects with a function compiled per shape, in the
 * original key order.
 *
 * Every form is chosen only when the value reads back as the very same value
 * (the day of a date that exists, a safe integer); anything else is stored as
 * it is, or as JSON text, so every value the port accepts round-trips as it
 * did through JSON.
 *
 * Event ids that are UUIDs are stored as 16-byte blobs, days as integers
 * (yyyymmdd) and instants as epoch milliseconds where they round-trip.
 */

/**
 * An event in the form its row is written: what is left for the appender is
 * what only the open transaction knows (stream, revision, type and shape ids,
 * recordedAt). Encoding is pure, so it can be done away from the writer (the
 * import does it in a worker thread) and still give the very same row.
 */
export interface EncodedEvent {
  /** 16 bytes for a UUID (a Uint8Array once it crossed a thread), else the id as text. */
  readonly eventId: Uint8Array | string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredOn: number | string | null;
  /** ISO text: whether it equals the transaction's recordedAt is decided at append time. */
  readonly knownAt: string | undefined;
  /** The skeletons of payload and metadata (one row of `shapes`, see compileShape). */
  readonly shape: string;
  /** Their leaf values (see the tags below). */
  readonly body: string;
}

/**
 * Encodes an event for the log. With the stream it goes to, a value equal to
 * the stream name's suffix (the learner id of `learner-<id>`) is stored as a
 * reference to it; without, as itself (the row reads back the same either way).
 *
 * The work is encodeEventParts', which runs once per event an import derives
 * (some 19 million at the national size) and allocates next to nothing: the
 * body is written as character codes into one buffer, and the shape is a node
 * of a tree of the shapes seen so far, found by walking the payload's keys,
 * its text made once per distinct shape. A packer copies the parts into its
 * columns; this makes them an object with the body as a string.
 */
export function encodeEvent(e: EncodableEvent, stream?: unknown): EncodedEvent {
  // Array.prototype.map hands over an index as second argument: only a string is a stream.
  const p = encodeEventParts(e, typeof stream === 'string' ? stream : undefined);
  return {
    eventId: p.idText ?? Buffer.from(p.id),
    type: p.type,
    schemaVersion: p.schemaVersion,
    occurredOn: p.occurredOn,
    knownAt: p.knownAt,
    shape: p.shape,
    body: bodyText(),
  };
}

/** What encodeEvent takes: an event as the port's NewEvent has it. */
export interface EncodableEvent {
  readonly eventId: string; readonly type: string; readonly schemaVersion: number; readonly data: unknown;
  readonly occurredOn: string | null; readonly knownAt?: string; readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * The parts of the event encodeEventParts encoded last: one record,
 * overwritten by the next call, so that a packer (packed.ts) copies them into
 * its columns with no object, id buffer or body string made per event.
 */
export interface EncodedParts {
  /** The id as text; null when it is a UUID, held as the 16 bytes of `id`. */
  readonly idText: string | null;
  readonly id: Uint8Array;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredOn: number | string | null;
  readonly knownAt: string | undefined;
  readonly shape: string;
  /** The body as UTF-16 code units: codes[0 .. bodyLength). */
  readonly codes: Uint16Array;
  readonly bodyLength: number;
}

const PARTS: { -readonly [K in keyof EncodedParts]: EncodedParts[K] } = {
  idText: null, id: new Uint8Array(16), type: '', schemaVersion: 0, occurredOn: null, knownAt: undefined, shape: '', codes: new Uint16Array(0), bodyLength: 0,
};

/** encodeEvent's work, its result left in one reused record (EncodedParts) until the next call. */
export function encodeEventParts(e: EncodableEvent, stream: string | undefined): EncodedParts {
  W_OCC = e.occurredOn ?? null;
  W_SFX = stream === undefined ? null : streamSuffix(stream);
  const uuid = parseUuid(e.eventId, PARTS.id);
  PARTS.idText = uuid ? null : e.eventId;
  W_ID = uuid ? PARTS.id : null;
  BP = 0;
  let node = isPlainObject(e.data) ? walk(e.data, false, step(SHAPES, PART, PART_OBJECT)) : (writeValue(e.data), step(SHAPES, PART, PART_VALUE));
  node = e.metadata === undefined
    ? step(node, PART, PART_NONE)
    : isPlainObject(e.metadata) ? walk(e.metadata, false, step(node, PART, PART_OBJECT)) : (writeValue(e.metadata), step(node, PART, PART_VALUE));
  PARTS.type = e.type;
  PARTS.schemaVersion = e.schemaVersion;
  PARTS.occurredOn = encodeDay(e.occurredOn ?? null);
  PARTS.knownAt = e.knownAt;
  PARTS.shape = (node.shape ??= shapeText(node));
  PARTS.codes = B;
  PARTS.bodyLength = BP;
  return PARTS;
}

/** The part of a stream name after its category (`learner-L1` -> `L1`); null without a category. */
function streamSuffix(stream: string): string | null {
  const i = stream.indexOf('-');
  return i < 0 ? null : stream.slice(i + 1);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

// --- the shape: the skeletons of payload and metadata.
//
// A skeleton is an array of entries: a key for a leaf (its value is the next
// one in the body), `[key, [...]]` for a nested plain object, `[key, 0, text]`
// for a string of a `source` object, which names where a fact came from and is
// the same for thousands of events. Those texts stay in `shapes` when a stream
// is erased, so a source must never carry personal data (the import's name a
// file and a system; the line is a value of the body). Keys whose value is
// undefined (or a function or symbol) are left out, as JSON.stringify does.
// The shape is `[payload skeleton, metadata skeleton]`: null for a part that is
// not a plain object (its value is in the body), 0 for metadata not given.
//
// Encoding walks a tree whose edges are the tokens of that text in order: a
// leaf's key, a nested object's key and its end, a source text's key and then
// its value, and each part's kind. Equal skeletons end at the same node, which
// keeps their text.

const LEAF = 0;
const OPEN = 1;
const CLOSE = 2;
const CONSTANT_KEY = 3;
const CONSTANT = 4;
const PART = 5;
const PART_OBJECT = 'object';
const PART_VALUE = 'value';
const PART_NONE = 'none';

interface ShapeNode {
  readonly parent: ShapeNode | null;
  readonly token: number;
  readonly text: string;
  /** The nodes after this one, by token and text. */
  readonly next: (Map<string, ShapeNode> | undefined)[];
  /** The step last taken from here: events of one type take the same steps, mostly with the very same key strings. */
  lastToken: number;
  lastText: string;
  lastNode: ShapeNode | null;
  shape: string | undefined;
}

const newNode = (parent: ShapeNode | null, token: number, text: string): ShapeNode =>
  ({ parent, token, text, next: [undefined, undefined, undefined, undefined, undefined, undefined], lastToken: -1, lastText: '', lastNode: null, shape: undefined });
const SHAPES = newNode(null, PART, '');

function step(node: ShapeNode, token: number, text: string): ShapeNode {
  if (node.lastToken === token && node.lastText === text) return node.lastNode!;
  let byText = node.next[token];
  if (byText === undefined) node.next[token] = byText = new Map();
  let n = byText.get(text);
  if (n === undefined) byText.set(text, (n = newNode(node, token, text)));
  node.lastToken = token;
  node.lastText = text;
  node.lastNode = n;
  return n;
}

function walk(obj: Record<string, unknown>, provenance: boolean, node: ShapeNode): ShapeNode {
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (isPlainObject(v)) node = step(walk(v, key === 'source', step(node, OPEN, key)), CLOSE, '');
    else if (provenance && typeof v === 'string') node = step(step(node, CONSTANT_KEY, key), CONSTANT, v);
    else {
      node = step(node, LEAF, key);
      writeValue(v);
    }
  }
  return node;
}

/** The shape's text, from the tokens on the way to its node. */
function shapeText(end: ShapeNode): string {
  const path: ShapeNode[] = [];
  for (let n: ShapeNode | null = end; n !== null && n.parent !== null; n = n.parent) path.push(n);
  const parts: (unknown[] | null | 0)[] = [];
  const open: unknown[][] = [];
  let constantKey = '';
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i]!;
    const current = open[open.length - 1]!;
    switch (n.token) {
      case PART: {
        open.length = 0;
        if (n.text === PART_OBJECT) {
          const skel: unknown[] = [];
          parts.push(skel);
          open.push(skel);
        } else parts.push(n.text === PART_NONE ? 0 : null);
        break;
      }
      case LEAF:
        current.push(n.text);
        break;
      case OPEN: {
        const skel: unknown[] = [];
        current.push([n.text, skel]);
        open.push(skel);
        break;
      }
      case CLOSE:
        open.pop();
        break;
      case CONSTANT_KEY:
        constantKey = n.text;
        break;
      case CONSTANT:
        current.push([constantKey, 0, n.text]);
    }
  }
  return JSON.stringify(parts);
}

// --- the body: text of one tag character per value, then what the tag says follows.
// Every character written is below 0x80 save those of text values themselves, so
// SQLite stores it in one byte of UTF-8; and reading text back costs far less than a blob.

const T_STR = 0x40; // 0x40-0x5f: text of 0-31 UTF-16 units, the units follow
const T_NULL = 0x60;
const T_FALSE = 0x61;
const T_TRUE = 0x62;
const T_UINT = 0x63; // varint, integers from 64 up to 2^53
const T_NEG = 0x64; // varint of the magnitude
const T_NUMBER = 0x65; // varint length, the number's JS text (which reads back as the same number)
const T_TEXT = 0x66; // varint length in UTF-16 units, the text
const T_DAY = 0x67; // 'yyyy-mm-dd' from 1990 to 2034: two characters, days since 1990-01-01
const T_DAY_WIDE = 0x68; // 'yyyy-mm-dd' from 1900: three characters, days since 1900-01-01
const T_SCHOOL_YEAR = 0x69; // 'yyyy-yyyy' of consecutive years from 1950 to 2077: one character, the first year - 1950
const T_MONTH = 0x6a; // 'yyyy-mm' from 1900: two characters, months since 1900-01
const T_OCCURRED_ON = 0x6b; // the event's own occurredOn text
const T_STREAM_SUFFIX = 0x6c; // the stream name after its category
const T_ARRAY = 0x6d; // varint count, the elements
const T_JSON = 0x6e; // varint length, JSON text (objects inside arrays, text that is not well-formed UTF-16)
const T_ID_DIGEST = 0x6f; // the base64url text of the 20-byte digest the event's id was made from: its 6 bits the id lost, its last 4 bytes

let W_OCC: string | null = null;
let W_SFX: string | null = null;
let W_ID: Uint8Array | null = null;

/** The body being written, as UTF-16 code units; grown for a large payload, reused by the next. */
let B = new Uint16Array(1024);
let BP = 0;

/** Makes room for n more code units. */
function room(n: number): void {
  if (BP + n <= B.length) return;
  const grown = new Uint16Array(Math.max(B.length * 2, BP + n));
  grown.set(B.subarray(0, BP));
  B = grown;
}

function putText(s: string): void {
  room(s.length);
  for (let i = 0; i < s.length; i++) B[BP++] = s.charCodeAt(i);
}

/** The body written so far as a string (its code units; a few thousand at a time, as arguments). */
function bodyText(): string {
  const CHUNK = 4096;
  if (BP <= CHUNK) return String.fromCharCode.apply(null, B.subarray(0, BP) as unknown as number[]);
  let out = '';
  for (let i = 0; i < BP; i += CHUNK) out += String.fromCharCode.apply(null, B.subarray(i, Math.min(BP, i + CHUNK)) as unknown as number[]);
  return out;
}

/** Six bits a character, least significant first; 0x40 marks that more follow. */
function writeVarint(n: number): void {
  room(9);
  while (n >= 0x40) {
    B[BP++] = (n % 0x40) | 0x40;
    n = Math.floor(n / 0x40);
  }
  B[BP++] = n;
}

function writeTag(tag: number): void {
  room(1);
  B[BP++] = tag;
}

function writeValue(v: unknown): void {
  switch (typeof v) {
    case 'string':
      return writeString(v);
    case 'number':
      return writeNumber(v);
    case 'boolean':
      return writeTag(v ? T_TRUE : T_FALSE);
    case 'undefined':
    case 'function':
    case 'symbol':
      // Only inside an array (walk skips such keys), where JSON writes null.
      return writeTag(T_NULL);
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      if (v === null) return writeTag(T_NULL);
      if (Array.isArray(v)) {
        writeTag(T_ARRAY);
        writeVarint(v.length);
        for (let i = 0; i < v.length; i++) writeValue(v[i]);
        return;
      }
      return writeJson(JSON.stringify(v));
  }
}

function writeJson(text: string | undefined): void {
  if (text === undefined) return writeTag(T_NULL);
  writeTag(T_JSON);
  writeVarint(text.length);
  putText(text);
}

function writeNumber(n: number): void {
  // -0 counts as an integer and reads back as 0, as it did through JSON.
  if (Number.isSafeInteger(n)) {
    if (n >= 0 && n < 0x40) writeTag(n);
    else {
      writeTag(n >= 0 ? T_UINT : T_NEG);
      writeVarint(Math.abs(n));
    }
    return;
  }
  // What JSON makes of NaN and the infinities.
  if (!Number.isFinite(n)) return writeTag(T_NULL);
  const text = String(n);
  writeTag(T_NUMBER);
  writeVarint(text.length);
  putText(text);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const digits = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
};
const EPOCH_1900 = Date.UTC(1900, 0, 1);
const EPOCH_1990 = Date.UTC(1990, 0, 1);
const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Whether day d of month m (1-12) of year y exists in the proleptic Gregorian calendar Date uses. */
const dayExists = (y: number, m: number, d: number): boolean =>
  d <= (m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1]!);

/** Writes the packed form of a date, school year or month that reads back as the same text; false when there is none. */
function writePacked(s: string): boolean {
  const len = s.length;
  if (len === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const y = digits(s, 0, 4), m = digits(s, 5, 7), d = digits(s, 8, 10);
    // Only a day that exists reads back as the same text (Date.UTC would roll 02-30 over into March).
    if (y < 1900 || m < 1 || m > 12 || d < 1 || !dayExists(y, m, d)) return false;
    const t = Date.UTC(y, m - 1, d);
    const recent = (t - EPOCH_1990) / MS_PER_DAY;
    room(4);
    if (recent >= 0 && recent < 0x4000) {
      B[BP++] = T_DAY;
      B[BP++] = recent & 0x7f;
      B[BP++] = recent >> 7;
      return true;
    }
    const days = (t - EPOCH_1900) / MS_PER_DAY;
    if (days >= 0x200000) return false;
    B[BP++] = T_DAY_WIDE;
    B[BP++] = days & 0x7f;
    B[BP++] = (days >> 7) & 0x7f;
    B[BP++] = days >> 14;
    return true;
  }
  if (len === 9 && s.charCodeAt(4) === 45) {
    const a = digits(s, 0, 4), b = digits(s, 5, 9);
    if (!(a >= 1950 && a < 1950 + 0x80 && b === a + 1)) return false;
    room(2);
    B[BP++] = T_SCHOOL_YEAR;
    B[BP++] = a - 1950;
    return true;
  }
  if (len === 7 && s.charCodeAt(4) === 45) {
    const y = digits(s, 0, 4), m = digits(s, 5, 7);
    const months = (y - 1900) * 12 + (m - 1);
    if (!(y >= 1900 && m >= 1 && m <= 12 && months < 0x4000)) return false;
    room(3);
    B[BP++] = T_MONTH;
    B[BP++] = months & 0x7f;
    B[BP++] = months >> 7;
    return true;
  }
  return false;
}

/** Each base64url character's six bits by character code, -1 for any other character. */
const BASE64URL_BITS = (() => {
  const t = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/**
 * An import names each event by a SHA-1 digest (its metadata key, 27 characters of
 * base64url) and makes its id from the same digest (event-id.ts uuidFromDigest: the
 * first 16 bytes with the UUID version and variant bits set). Such a key is stored as
 * what the id does not hold: six bits and four bytes, seven characters instead of 28.
 * The text is decoded here, a character at a time, rather than checked by a pattern
 * and handed to Buffer: that was a sixth of the encoder's time, once per event.
 */
const scratch = new Uint8Array(20);
function writeIdDigest(s: string, id: Uint8Array): boolean {
  // 27 characters carry 162 bits: the text is the canonical form of 20 bytes when the last two bits are zero.
  const d = scratch;
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < 27; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? BASE64URL_BITS[c]! : -1;
    if (v < 0) return false;
    acc = ((acc << 6) | v) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      d[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return false;
  for (let i = 0; i < 16; i++) {
    const mask = i === 6 ? 0x0f : i === 8 ? 0x3f : 0xff;
    if ((d[i]! & mask) !== (id[i]! & mask)) return false;
  }
  const tail = (d[16]! | (d[17]! << 8) | (d[18]! << 16) | (d[19]! << 24)) >>> 0;
  room(7);
  B[BP++] = T_ID_DIGEST;
  B[BP++] = (d[6]! >> 4) | ((d[8]! >> 6) << 4);
  B[BP++] = tail & 0x7f;
  B[BP++] = (tail >>> 7) & 0x7f;
  B[BP++] = (tail >>> 14) & 0x7f;
  B[BP++] = (tail >>> 21) & 0x7f;
  B[BP++] = tail >>> 28;
  return true;
}

function writeString(s: string): void {
  if (s === W_OCC) return writeTag(T_OCCURRED_ON);
  if (s === W_SFX) return writeTag(T_STREAM_SUFFIX);
  const len = s.length;
  if (len === 27 && W_ID !== null && writeIdDigest(s, W_ID)) return;
  if ((len === 7 || len === 9 || len === 10) && writePacked(s)) return;
  // A lone surrogate has no UTF-8 form, so SQLite could not keep it; JSON escapes it.
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) return writeJson(JSON.stringify(s));
  if (len < 32) writeTag(T_STR + len);
  else {
    writeTag(T_TEXT);
    writeVarint(len);
  }
  putText(s);
}

// --- reading a body: the compiled shape calls `read` once per leaf, in order

let R = '';
let RP = 0;
let R_OCC: string | null = null;
let R_STREAM = '';
let R_ID = '';

/** Point `read` at a row's body; occurredOn, stream and id (as selected: decodeSelectedEventId) are what its references stand for. */
export function beginBody(body: string, occurredOn: string | null, stream: string, selectedEventId: string): void {
  R = body;
  RP = 0;
  R_OCC = occurredOn;
  R_STREAM = stream;
  R_ID = selectedEventId;
}

const digest = Buffer.alloc(20);
function readIdDigest(): string {
  digest.write(R_ID, 0, 16, 'hex');
  const bits = R.charCodeAt(RP);
  digest[6] = (digest[6]! & 0x0f) | ((bits & 0x0f) << 4);
  digest[8] = (digest[8]! & 0x3f) | ((bits >> 4) << 6);
  // Read in place, not through a helper closure: made once per event, and under tsx (which keeps function
  // names) named once per event too, such a closure took half a second of a 110k rebuild.
  const at = RP;
  digest.writeUInt32LE((R.charCodeAt(at + 1) | (R.charCodeAt(at + 2) << 7) | (R.charCodeAt(at + 3) << 14) | (R.charCodeAt(at + 4) << 21)) + R.charCodeAt(at + 5) * 2 ** 28, 16);
  RP += 6;
  return digest.toString('base64url');
}

function readVarint(): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const c = R.charCodeAt(RP++);
    n += (c & 0x3f) * scale;
    if (c < 0x40) return n;
    scale *= 0x40;
  }
}

function readText(n: number): string {
  const start = RP;
  RP += n;
  return R.slice(start, RP);
}

const dayTexts = new Map<number, string>();
const schoolYearTexts: (string | undefined)[] = [];
const monthTexts: (string | undefined)[] = [];
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function dayText(t: number): string {
  let s = dayTexts.get(t);
  if (s === undefined) dayTexts.set(t, (s = new Date(t).toISOString().slice(0, 10)));
  return s;
}

/** The next value of the body. */
export function read(): unknown {
  const t = R.charCodeAt(RP++);
  if (t < T_STR) return t;
  if (t < T_NULL) return readText(t - T_STR);
  switch (t) {
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_UINT:
      return readVarint();
    case T_NEG:
      return -readVarint();
    case T_NUMBER:
      return Number(readText(readVarint()));
    case T_TEXT:
      return readText(readVarint());
    case T_DAY: {
      const days = R.charCodeAt(RP) | (R.charCodeAt(RP + 1) << 7);
      RP += 2;
      return dayText(EPOCH_1990 + days * MS_PER_DAY);
    }
    case T_DAY_WIDE: {
      const days = R.charCodeAt(RP) | (R.charCodeAt(RP + 1) << 7) | (R.charCodeAt(RP + 2) << 14);
      RP += 3;
      return dayText(EPOCH_1900 + days * MS_PER_DAY);
    }
    case T_SCHOOL_YEAR: {
      const y = R.charCodeAt(RP++);
      let s = schoolYearTexts[y];
      if (s === undefined) schoolYearTexts[y] = s = `${1950 + y}-${1951 + y}`;
      return s;
    }
    case T_MONTH: {
      const months = R.charCodeAt(RP) | (R.charCodeAt(RP + 1) << 7);
      RP += 2;
      let s = monthTexts[months];
      if (s === undefined) monthTexts[months] = s = `${1900 + Math.floor(months / 12)}-${pad2((months % 12) + 1)}`;
      return s;
    }
    case T_OCCURRED_ON:
      return R_OCC;
    case T_STREAM_SUFFIX:
      return R_STREAM.slice(R_STREAM.indexOf('-') + 1);
    case T_ARRAY: {
      const n = readVarint();
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = read();
      return out;
    }
    case T_JSON:
      return JSON.parse(readText(readVarint())) as unknown;
    case T_ID_DIGEST:
      return readIdDigest();
    default:
      throw new Error(`event body: unknown value tag ${t}`);
  }
}

export interface ShapeDecoder {
  /** Reads the payload from the body `read` points at. */
  readonly data: (r: typeof read) => unknown;
  /** Reads the metadata after it; null when the event was given none. */
  readonly metadata: ((r: typeof read) => Readonly<Record<string, unknown>>) | null;
}

/** The functions that rebuild the payload and metadata of one shape. */
export function compileShape(shape: string): ShapeDecoder {
  const [data, meta] = JSON.parse(shape) as [unknown[] | null, unknown[] | null | 0];
  // The skeletons come from walk() (JSON-quoted keys and constants only), never from outside input.
  const build = (skel: unknown[]): string =>
    `{${skel
      .map((entry) => {
        if (!Array.isArray(entry)) return `${keyOf(entry as string)}:r()`;
        return entry.length === 3 ? `${keyOf(entry[0] as string)}:${JSON.stringify(entry[2])}` : `${keyOf(entry[0] as string)}:${build(entry[1] as unknown[])}`;
      })
      .join(',')}}`;
  const fn = (skel: unknown[] | null) => (skel === null ? (r: typeof read) => r() : (new Function('r', `return ${build(skel)};`) as (r: typeof read) => Record<string, unknown>));
  return { data: fn(data), metadata: meta === 0 ? null : (fn(meta) as (r: typeof read) => Record<string, unknown>) };
}

/** `__proto__:` in a literal would set the prototype; a computed key makes it the own property JSON.parse makes. */
const keyOf = (key: string): string => (key === '__proto__' ? '["__proto__"]' : JSON.stringify(key));

// --- ids, days and instants in their columns

/** A lower-case UUID as 16 bytes; any other id as itself (text). */
export function encodeEventId(id: string): Buffer | string {
  const out = Buffer.allocUnsafe(16);
  return parseUuid(id, out) ? out : id;
}

/** Whether the id is a lower-case UUID, its 16 bytes then written to `out`. Hand-parsed: it runs once per event appended. */
function parseUuid(id: string, out: Uint8Array): boolean {
  if (id.length !== 36) return false;
  let j = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return false;
      i -= 1;
      continue;
    }
    const hi = nibble(id.charCodeAt(i));
    const lo = nibble(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return false;
    out[j++] = (hi << 4) | lo;
  }
  return true;
}

/** A lower-case hex digit's value, -1 for anything else (upper case included: such an id is kept as text, as it came). */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function decodeEventId(stored: Buffer | string): string {
  if (typeof stored === 'string') return stored;
  const x = stored.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * The id as the log's queries select it (EVENT_ID_TEXT in store.ts): hex for
 * a 16-byte id, the text after a '.' otherwise. Node makes a Buffer of a blob
 * column at about five times the cost of a string, once per event read.
 */
export function decodeSelectedEventId(selected: string): string {
  if (selected.charCodeAt(0) === 46) return selected.slice(1);
  const x = selected.toLowerCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** `2016-10-01` as 20161001; any other text as itself. Read digit by digit: it runs once per event appended. */
export function encodeDay(day: string | null): number | string | null {
  if (day === null) return null;
  if (day.length !== 10 || day.charCodeAt(4) !== 45 || day.charCodeAt(7) !== 45) return day;
  const y = digits(day, 0, 4), m = digits(day, 5, 7), d = digits(day, 8, 10);
  return y < 0 || m < 0 || d < 0 ? day : y * 10_000 + m * 100 + d;
}

export function decodeDay(stored: number | string | null): string | null {
  if (stored === null || typeof stored === 'string') return stored;
  const y = Math.floor(stored / 10_000);
  const m = Math.floor(stored / 100) % 100;
  const d = stored % 100;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

let lastInstant = '';
let lastEncoded: number | string = '';
/** An ISO timestamp as epoch milliseconds when it round-trips exactly; otherwise the text. The events of an append share theirs, so the last one is remembered. */
export function encodeInstant(iso: string): number | string {
  if (iso === lastInstant) return lastEncoded;
  const ms = Date.parse(iso);
  lastInstant = iso;
  lastEncoded = Number.isFinite(ms) && new Date(ms).toISOString() === iso ? ms : iso;
  return lastEncoded;
}

/** Decodes instants, remembering the last one: the events of one append share their recordedAt. */
export function instantDecoder(): (stored: number | string) => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return (stored) => {
    if (typeof stored === 'string') return stored;
    if (stored !== lastMs) {
      lastMs = stored;
      lastIso = new Date(stored).toISOString();
    }
    return lastIso;
  };
}
