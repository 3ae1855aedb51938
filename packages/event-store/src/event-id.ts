import { hash, randomUUID } from 'node:crypto';

/**
 * A deterministic UUID (version 5 layout over SHA-1) for content-addressed
 * events: deriving the same fact twice yields the same id, which is what makes
 * re-imports idempotent.
 */
export function deterministicEventId(...parts: readonly string[]): string {
  return uuidFromDigest(hash('sha1', parts.join('\u001f'), 'buffer'));
}

/** The UUID's text is written here as bytes and read off once: an import lays out one id per event it derives. */
const UUID_TEXT = Buffer.alloc(36);
const HEX_DIGIT = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Lay out a SHA-1 digest (or any 16+ bytes of hash) as a version-5 style UUID. */
export function uuidFromDigest(digest: Uint8Array): string {
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_TEXT[j++] = 45;
    const b = i === 6 ? (digest[6]! & 0x0f) | 0x50 : i === 8 ? (digest[8]! & 0x3f) | 0x80 : digest[i]!;
    UUID_TEXT[j++] = HEX_DIGIT[b >> 4]!;
    UUID_TEXT[j++] = HEX_DIGIT[b & 0x0f]!;
  }
  return UUID_TEXT.toString('latin1', 0, 36);
}

export const newEventId = (): string => randomUUID();
