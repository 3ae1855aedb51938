/**
 * API keys and the audit log of learner-level reads: access control is the
 * API's concern, not the event log's, and must survive a rebuild of the
 * views. Two adapters keep them: a SQLite file next to the views (one
 * server) and a schema of a PostgreSQL database (several servers sharing
 * keys and one audit log). Every method is async because PostgreSQL is.
 */

export const ROLES = ['dashboard', 'analyst', 'engineer'] as const;
export type Role = (typeof ROLES)[number];

/** Each role includes everything the roles before it may do. */
export const roleAtLeast = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

export interface ApiKey {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly keyName: string;
  readonly role: string;
  readonly action: string;
  readonly learnerId: string | null;
  /** The detail as the JSON text it was written as, or null. */
  readonly detail: string | null;
}

export interface AccessStore {
  /** Returns the key itself once; only its hash is kept. */
  createKey(name: string, role: Role): Promise<{ key: string; apiKey: ApiKey }>;
  /** A key that lives only as long as this instance (`serve --open-dashboard`); never written to storage, so no other server knows it. */
  createEphemeralKey(name: string, role: Role): string;
  /** The active key for a presented secret, or null. */
  verify(key: string): Promise<ApiKey | null>;
  listKeys(): Promise<ApiKey[]>;
  /** False when there is no active key with this id. */
  revokeKey(id: number): Promise<boolean>;
  /** One row per learner read (one row with no learner for an empty list); a cell explanation's rows are written all or none. */
  audit(key: ApiKey, action: string, learnerIds: readonly (string | null)[], detail: unknown): Promise<void>;
  /** Newest first. */
  auditEntries(options: { limit: number; learnerId?: string | undefined }): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Source of createdAt, revokedAt and the audit times; tests pass a fixed one. */
export type Clock = () => Date;
