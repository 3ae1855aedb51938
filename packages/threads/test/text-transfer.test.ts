/**
 * Strings cross between the import's threads as one block of bytes: what
 * arrives must be the joined text exactly, for Latin-1 text (one byte a
 * character) and anything else (two), lone surrogates included, and the
 * bytes must be movable (not a slice of a buffer shared with other strings).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packText, unpackText } from '../src/text-transfer.js';

const part = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '\ud800', '\udc00', 'é', '\u001f') }));

describe('text across threads', () => {
  it('arrives as the parts joined, whatever characters they hold', () => {
    fc.assert(fc.property(fc.array(part, { maxLength: 30 }), (parts) => {
      const packed = packText(parts);
      const moved = structuredClone(packed, { transfer: [packed.bytes] });
      expect(packed.bytes.byteLength).toBe(0);
      expect(unpackText(moved)).toBe(parts.join(''));
      expect(moved.narrow).toBe(/^[\x00-\xff]*$/.test(parts.join('')));
    }), { numRuns: 500, seed: 5 });
  });
});
