import type { ApiKey, Clock, Role } from './port.js';
import { hashKey, newKeySecret } from './secrets.js';

/**
 * Keys held in memory only, shared by both adapters: they must never reach
 * storage, where other servers or a later run would accept them. Negative
 * ids keep them apart from stored keys in the audit log.
 */
export class EphemeralKeys {
  private readonly byHash = new Map<string, ApiKey>();

  constructor(private readonly clock: Clock) {}

  create(name: string, role: Role): string {
    const key = newKeySecret(role);
    this.byHash.set(hashKey(key), { id: -1 - this.byHash.size, name, role, createdAt: this.clock().toISOString(), revokedAt: null });
    return key;
  }

  get(hash: string): ApiKey | undefined {
    return this.byHash.get(hash);
  }
}
