import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './port.js';

/** The role in the prefix only helps a person tell keys apart; the role that counts is the stored one. */
export const newKeySecret = (role: Role): string => `lr_${role}_${randomBytes(32).toString('base64url')}`;

/** The key carries 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force, and lookup stays one indexed read. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');
