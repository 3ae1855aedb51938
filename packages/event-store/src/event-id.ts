import { hash, randomUUID } from 'node:crypto';

/**
 * A deterministic UUID (version 5 layout over SHA-1) for content-addressed
 * events: deriving the same fact twice yields the same id, which is what makes
 * re-imports idempotent.
 */
export function deterministicEventId(...parts: readonly string[]): string {
  return uuidFromDigest(hash('sha1', parts.join('\u001f'), 'buffer'));
}

/** Lay out a SHA-1 digest (or any 16+ bytes of hash) as a version-5 style UUID. */
export function uuidFromDigest(digest: Buffer): string {
  const h = Buffer.from(digest.subarray(0, 16));
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const newEventId = (): string => randomUUID();
