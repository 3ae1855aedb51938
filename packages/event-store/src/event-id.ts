import { hash, randomUUID } from 'node:crypto';

/**
 * A deterministic UUID (version 5 layout over SHA-1) for content-addressed
 * events: deriving the same fact twice yields the same id, which is what makes
 * re-imports idempotent.
 */
export function deterministicEventId(...parts: readonly string[]): string {
  return uuidFromDigest(hash('sha1', parts.join('\u001f'), 'buffer'));
}

/** Two hex digits per byte value: an import lays out one id per event it derives, and this is the cheap way. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Lay out a SHA-1 digest (or any 16+ bytes of hash) as a version-5 style UUID. */
export function uuidFromDigest(digest: Uint8Array): string {
  const x = (i: number) => HEX[digest[i]!]!;
  return `${x(0)}${x(1)}${x(2)}${x(3)}-${x(4)}${x(5)}-${HEX[(digest[6]! & 0x0f) | 0x50]}${x(7)}-${HEX[(digest[8]! & 0x3f) | 0x80]}${x(9)}-${x(10)}${x(11)}${x(12)}${x(13)}${x(14)}${x(15)}`;
}

export const newEventId = (): string => randomUUID();
