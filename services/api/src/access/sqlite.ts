/**
 * API keys and the audit log in one small SQLite file next to the views
 * (`<db>.api.sqlite`), for a single server. better-sqlite3 is synchronous;
 * the methods are async only to fit the port.
 */
import Database from 'better-sqlite3';
import { EphemeralKeys } from './ephemeral.js';
import type { AccessStore, ApiKey, AuditEntry, Clock, Role } from './port.js';
import { hashKey, newKeySecret } from './secrets.js';

/** The file beside the views (or the log) that the CLI and servers use: `x.views` and `x.sqlite` both give `x.api.sqlite`. */
export const accessPath = (viewsOrDb: string): string => viewsOrDb.replace(/\/+$/, '').replace(/(\.views)?(\.sqlite)?$/, '.api.sqlite');

export interface SqliteAccessStoreOptions {
  readonly path: string;
  readonly clock?: Clock;
}

type KeyRow = { id: number; name: string; role: Role; created_at: string; revoked_at: string | null };
type AuditRow = { id: number; at: string; key_name: string; role: string; action: string; learner_id: string | null; detail: string | null };

export async function openSqliteAccessStore(options: SqliteAccessStoreOptions): Promise<AccessStore> {
  const clock = options.clock ?? (() => new Date());
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS api_keys (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
      CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, key_id INTEGER, key_name TEXT NOT NULL, role TEXT NOT NULL,
        action TEXT NOT NULL, learner_id TEXT, detail TEXT);
      CREATE INDEX IF NOT EXISTS audit_learner ON audit_log(learner_id);`);
  } catch (err) {
    db.close();
    throw err;
  }
  const ephemeral = new EphemeralKeys(clock);
  const sql = {
    insertKey: db.prepare('INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)'),
    keyByHash: db.prepare('SELECT id, name, role, created_at, revoked_at FROM api_keys WHERE key_hash = ?'),
    keys: db.prepare('SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY id'),
    revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    insertAudit: db.prepare('INSERT INTO audit_log (at, key_id, key_name, role, action, learner_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    auditOf: db.prepare('SELECT * FROM audit_log WHERE learner_id = ? ORDER BY id DESC LIMIT ?'),
    auditAll: db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?'),
  };
  const auditRows = db.transaction((rows: readonly unknown[][]) => {
    for (const row of rows) sql.insertAudit.run(...row);
  });

  return {
    async createKey(name, role) {
      const key = newKeySecret(role);
      const createdAt = clock().toISOString();
      const info = sql.insertKey.run(name, role, hashKey(key), createdAt);
      return { key, apiKey: { id: Number(info.lastInsertRowid), name, role, createdAt, revokedAt: null } };
    },

    createEphemeralKey: (name, role) => ephemeral.create(name, role),

    async verify(key) {
      const h = hashKey(key);
      const eph = ephemeral.get(h);
      if (eph) return eph;
      const row = sql.keyByHash.get(h) as KeyRow | undefined;
      if (!row || row.revoked_at) return null;
      return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, revokedAt: null };
    },

    async listKeys(): Promise<ApiKey[]> {
      return (sql.keys.all() as KeyRow[]).map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, revokedAt: r.revoked_at }));
    },

    async revokeKey(id) {
      return sql.revoke.run(clock().toISOString(), id).changes > 0;
    },

    async audit(key, action, learnerIds, detail) {
      const at = clock().toISOString();
      const text = detail === undefined ? null : JSON.stringify(detail);
      auditRows((learnerIds.length ? learnerIds : [null]).map((id) => [at, key.id, key.name, key.role, action, id, text]));
    },

    async auditEntries(options): Promise<AuditEntry[]> {
      const rows = (options.learnerId ? sql.auditOf.all(options.learnerId, options.limit) : sql.auditAll.all(options.limit)) as AuditRow[];
      return rows.map((r) => ({ id: r.id, at: r.at, keyName: r.key_name, role: r.role, action: r.action, learnerId: r.learner_id, detail: r.detail }));
    },

    async close() {
      db.close();
    },
  };
}
