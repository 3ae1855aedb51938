/**
 * API keys and the audit log in their own schema of a PostgreSQL database,
 * so that several `serve` processes share them: a key created or revoked
 * through one server counts on every other at its next request (nothing is
 * cached), and every server's audit rows land in one log.
 */
import pg from 'pg';
import { numberTypes, openPool } from '@leerroutes/event-store/postgres';
import { EphemeralKeys } from './ephemeral.js';
import type { AccessStore, ApiKey, AuditEntry, Clock, Role } from './port.js';
import { hashKey, newKeySecret } from './secrets.js';

export const DEFAULT_ACCESS_SCHEMA = 'api_access';

/**
 * First half of the two-int advisory lock key ('LA'); the second half is
 * hashtext(schema). The event store uses 'LR': the two never wait for each other.
 */
const DDL_LOCK_CLASS = 0x4c41;

export interface PostgresAccessStoreOptions {
  /** libpq-style URL, e.g. postgres://user@host:5432/db. */
  readonly connectionString: string;
  /** Schema holding the tables (default 'api_access'); created on first open. Lower-case identifier. */
  readonly schema?: string;
  readonly clock?: Clock;
  /** Most pooled connections (default 4): every query here is a single short statement. */
  readonly maxConnections?: number;
}

/** Spliced into SQL (identifiers cannot be bound), so only plain lower-case identifiers. */
function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 48), not starting with a digit`);
  }
  return schema;
}

/**
 * Times are timestamptz, read back as the same ISO strings the SQLite file
 * holds (the clock has millisecond precision, timestamptz keeps microseconds).
 * The detail is json, which keeps the text as written, so it comes back byte
 * for byte as from SQLite while ad-hoc queries can still use ->>.
 * No foreign key from audit_log to api_keys: ephemeral keys (negative ids)
 * are audited too, and the log must outlive any key.
 */
const ddl = (s: string): string => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.api_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  name text NOT NULL,
  role text NOT NULL,
  key_hash text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS ${s}.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  key_id bigint,
  key_name text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  learner_id text,
  detail json
);
CREATE INDEX IF NOT EXISTS audit_learner ON ${s}.audit_log (learner_id);
`;

async function createTables(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    // IF NOT EXISTS is not safe against a concurrent creator (both pass the check, one fails on the catalog's
    // unique index), so two servers starting on a fresh database take turns; the lock ends with the transaction.
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${DDL_LOCK_CLASS}, hashtext('${schema}'))`);
    await client.query(ddl(schema));
    await client.query('COMMIT');
    client.release();
  } catch (err) {
    const healthy = await client.query('ROLLBACK').then(() => true, () => false);
    client.release(!healthy);
    throw err;
  }
}

type KeyRow = { id: number; name: string; role: Role; created_at: Date; revoked_at: Date | null };
type AuditRow = { id: number; at: Date; key_name: string; role: string; action: string; learner_id: string | null; detail: string | null };

export async function openPostgresAccessStore(options: PostgresAccessStoreOptions): Promise<AccessStore> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_ACCESS_SCHEMA);
  const clock = options.clock ?? (() => new Date());
  const pool = await openPool({ connectionString: options.connectionString, max: options.maxConnections ?? 4, types: numberTypes }, (p) => createTables(p, schema));
  const ephemeral = new EphemeralKeys(clock);
  const t = (name: string) => `${schema}.${name}`;
  const keyColumns = 'id, name, role, created_at, revoked_at';
  const auditColumns = 'id, at, key_name, role, action, learner_id, detail::text AS detail';
  const sql = {
    insertKey: `INSERT INTO ${t('api_keys')} (name, role, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    keyByHash: `SELECT ${keyColumns} FROM ${t('api_keys')} WHERE key_hash = $1`,
    keys: `SELECT ${keyColumns} FROM ${t('api_keys')} ORDER BY id`,
    revoke: `UPDATE ${t('api_keys')} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
    // One statement for all of a read's rows: atomic on its own, and one round trip however many learners a cell or export holds.
    insertAudit: `INSERT INTO ${t('audit_log')} (at, key_id, key_name, role, action, detail, learner_id)
                  SELECT $1, $2, $3, $4, $5, $6::json, learner_id FROM unnest($7::text[]) WITH ORDINALITY AS l(learner_id, n) ORDER BY n`,
    auditOf: `SELECT ${auditColumns} FROM ${t('audit_log')} WHERE learner_id = $1 ORDER BY id DESC LIMIT $2`,
    auditAll: `SELECT ${auditColumns} FROM ${t('audit_log')} ORDER BY id DESC LIMIT $1`,
  };
  let closed = false;

  return {
    async createKey(name, role) {
      const key = newKeySecret(role);
      const created = clock();
      const { rows } = await pool.query<{ id: number }>(sql.insertKey, [name, role, hashKey(key), created]);
      return { key, apiKey: { id: rows[0]!.id, name, role, createdAt: created.toISOString(), revokedAt: null } };
    },

    createEphemeralKey: (name, role) => ephemeral.create(name, role),

    async verify(key) {
      const h = hashKey(key);
      const eph = ephemeral.get(h);
      if (eph) return eph;
      const { rows } = await pool.query<KeyRow>(sql.keyByHash, [h]);
      const row = rows[0];
      if (!row || row.revoked_at) return null;
      return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at.toISOString(), revokedAt: null };
    },

    async listKeys(): Promise<ApiKey[]> {
      const { rows } = await pool.query<KeyRow>(sql.keys);
      return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null }));
    },

    async revokeKey(id) {
      return ((await pool.query(sql.revoke, [clock(), id])).rowCount ?? 0) > 0;
    },

    async audit(key, action, learnerIds, detail) {
      const text = detail === undefined ? null : JSON.stringify(detail);
      await pool.query(sql.insertAudit, [clock(), key.id, key.name, key.role, action, text, learnerIds.length ? learnerIds : [null]]);
    },

    async auditEntries(options): Promise<AuditEntry[]> {
      const { rows } = options.learnerId
        ? await pool.query<AuditRow>(sql.auditOf, [options.learnerId, options.limit])
        : await pool.query<AuditRow>(sql.auditAll, [options.limit]);
      return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), keyName: r.key_name, role: r.role, action: r.action, learnerId: r.learner_id, detail: r.detail }));
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
