/**
 * Many strings crossing between threads as one block of bytes, moved rather
 * than copied.
 *
 * Posted as one long string, a chunk's text cost the receiving thread about
 * 7 ns a character to take from the message (the writer's thread spent some
 * 0.4 s of a 110k import's reading on it, bytes that were then only sliced),
 * and joining the parts cost the sender about as much again. As bytes in a
 * transferred buffer the receiver makes the string in one native copy (20 ms
 * for the 54 M characters of a 110k enrolment file, against 390 ms).
 *
 * Text of Latin-1 characters only (nearly always) is one byte a character;
 * anything else two (UTF-16), which gives back every string exactly, a lone
 * surrogate too. Either way the receiver's strings are what V8 would have
 * made of the text itself (one byte a character where it can), which is what
 * SQLite binds fastest.
 */
export interface PackedText {
  readonly bytes: ArrayBuffer;
  /** One byte a character (Latin-1); else UTF-16LE. */
  readonly narrow: boolean;
}

const WIDE = /[^\x00-\xff]/;

/** The parts joined, as bytes to transfer (`text.bytes`). */
export function packText(parts: readonly string[]): PackedText {
  // Concatenation makes a rope, which the encoding below flattens once: Array.prototype.join of some 100,000
  // short strings took several times as long.
  let joined = '';
  for (let i = 0; i < parts.length; i++) joined += parts[i]!;
  const narrow = !WIDE.test(joined);
  const encoding = narrow ? 'latin1' : 'utf16le';
  // A buffer of its own (not a slice of Node's pool), so that it can be moved.
  const bytes = Buffer.allocUnsafeSlow(narrow ? joined.length : joined.length * 2);
  bytes.write(joined, 0, encoding);
  return { bytes: bytes.buffer as ArrayBuffer, narrow };
}

/** The joined text packText was given. */
export function unpackText(t: PackedText): string {
  return Buffer.from(t.bytes).toString(t.narrow ? 'latin1' : 'utf16le');
}
