import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

/**
 * Stream names live once in `streams`; events refer to them by integer id,
 * which keeps the events table and its (stream_id, revision) index small at
 * national scale. `event_types` keeps per-type counts so stats() does not scan
 * millions of rows.
 *
 * Event ids are unique per stream, as in EventStoreDB. Both unique indexes
 * lead with stream_id, so appending new streams writes at the end of each
 * index; a global index on random UUIDs would touch a random page per insert
 * once it outgrows the cache (at ~10 million events).
 *
 * AUTOINCREMENT on `position` is deliberate: after an erasure deletes the
 * newest events, plain rowids would hand those positions out again and a
 * projection that already passed them would miss the new events.
 */
const DDL_V1 = `
CREATE TABLE streams (
  stream_id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  stream_id INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_on TEXT,
  recorded_at TEXT NOT NULL,
  known_at TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT,
  UNIQUE (stream_id, revision),
  UNIQUE (stream_id, event_id)
);
CREATE TABLE event_types (
  type TEXT PRIMARY KEY,
  events INTEGER NOT NULL
) WITHOUT ROWID;
`;

export function applyPragmas(db: Database, busyTimeoutMs = 5000): void {
  // Another process holding the write lock makes us wait this long before the append reports
  // StoreUnavailable; set first so switching a fresh file to WAL also waits for other openers.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // WAL lets readers (projections, other processes) run while one writer appends.
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode only risks the last commits on power loss, never corruption.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -65536'); // 64 MiB per connection
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = 8192');
}

export function migrate(db: Database): void {
  const migrateTx = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`event store schema version ${current} is newer than this code understands (${SCHEMA_VERSION})`);
    }
    if (current < 1) {
      db.exec(DDL_V1);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(1);
    }
  });
  // IMMEDIATE so two processes opening a fresh file do not both create tables.
  migrateTx.immediate();
}
