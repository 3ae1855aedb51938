/**
 * API keys and the audit log of learner-level reads, in one small SQLite file
 * next to the views (`<db>.api.sqlite`): access control is the API's concern,
 * not the event log's, and must survive a rebuild of the views.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';

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
  readonly detail: string | null;
}

/** The key carries 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force, and lookup stays one indexed read. */
const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export const accessPath = (viewsOrDb: string): string => viewsOrDb.replace(/\/+$/, '').replace(/(\.views)?(\.sqlite)?$/, '.api.sqlite');

export class AccessStore {
  private readonly db: Database.Database;
  /** Keys that live only as long as this process (`serve --open-dashboard`); never written to disk. */
  private readonly ephemeral = new Map<string, ApiKey>();

  constructor(file: string, private readonly clock: () => Date = () => new Date()) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
      CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, key_id INTEGER, key_name TEXT NOT NULL, role TEXT NOT NULL,
        action TEXT NOT NULL, learner_id TEXT, detail TEXT);
      CREATE INDEX IF NOT EXISTS audit_learner ON audit_log(learner_id);`);
  }

  /** Returns the key itself once; only its hash is kept. */
  createKey(name: string, role: Role): { key: string; apiKey: ApiKey } {
    const key = `lr_${role}_${randomBytes(32).toString('base64url')}`;
    const createdAt = this.clock().toISOString();
    const info = this.db.prepare('INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(name, role, hashKey(key), createdAt);
    return { key, apiKey: { id: Number(info.lastInsertRowid), name, role, createdAt, revokedAt: null } };
  }

  createEphemeralKey(name: string, role: Role): string {
    const key = `lr_${role}_${randomBytes(32).toString('base64url')}`;
    this.ephemeral.set(hashKey(key), { id: -1 - this.ephemeral.size, name, role, createdAt: this.clock().toISOString(), revokedAt: null });
    return key;
  }

  /** The active key for a presented secret, or null. */
  verify(key: string): ApiKey | null {
    const h = hashKey(key);
    const eph = this.ephemeral.get(h);
    if (eph) return eph;
    const row = this.db.prepare('SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE key_hash = ?').get(h) as
      { id: number; name: string; role: Role; created_at: string; revoked_at: string | null } | undefined;
    if (!row || row.revoked_at) return null;
    return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: null };
  }

  listKeys(): ApiKey[] {
    return (this.db.prepare('SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY id').all() as
      { id: number; name: string; role: Role; created_at: string; revoked_at: string | null }[])
      .map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  revokeKey(id: number): boolean {
    return this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.clock().toISOString(), id).changes > 0;
  }

  /** One row per learner read; a cell explanation writes one row per learner behind it, in one transaction. */
  audit(key: ApiKey, action: string, learnerIds: readonly (string | null)[], detail: unknown): void {
    const at = this.clock().toISOString();
    const insert = this.db.prepare('INSERT INTO audit_log (at, key_id, key_name, role, action, learner_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const text = detail === undefined ? null : JSON.stringify(detail);
    this.db.transaction(() => {
      for (const id of learnerIds.length ? learnerIds : [null]) insert.run(at, key.id, key.name, key.role, action, id, text);
    })();
  }

  auditEntries(options: { limit: number; learnerId?: string | undefined }): AuditEntry[] {
    const rows = (options.learnerId
      ? this.db.prepare('SELECT * FROM audit_log WHERE learner_id = ? ORDER BY id DESC LIMIT ?').all(options.learnerId, options.limit)
      : this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(options.limit)) as
      { id: number; at: string; key_name: string; role: string; action: string; learner_id: string | null; detail: string | null }[];
    return rows.map((r) => ({ id: r.id, at: r.at, keyName: r.key_name, role: r.role, action: r.action, learnerId: r.learner_id, detail: r.detail }));
  }

  close(): void { this.db.close(); }
}
