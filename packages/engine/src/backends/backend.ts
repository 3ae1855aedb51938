import type { EventStore } from '@leerroutes/event-store';
import type { ViewsStore } from '@leerroutes/projection-runtime';

/**
 * Where the log, its import ledger and the views live: the embedded default
 * (a SQLite log with the ledger in its file, DuckDB generations beside it) or
 * one PostgreSQL database holding all three. The engine composes everything
 * else (import, projections, reports, erasure, exports) the same way on both;
 * the ledger follows the store (openLedger in @leerroutes/import).
 */
export interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the log is, for messages: a file path, or the URL without its password. */
  readonly log: string;
  /** Where the views are, for messages. */
  readonly viewsAt: string;
  /** What holds the views: DuckDB generations in a directory, or PostgreSQL schemas. */
  readonly viewsKind: 'duckdb' | 'postgres';
  readonly store: EventStore;
  readonly views: ViewsStore;
  /** Bytes on disk: the log with its ledger, and the published views. */
  storage(): Promise<{ readonly logBytes: number; readonly viewsBytes: number }>;
  close(): Promise<void>;
}

export { isPostgresUrl, redactUrl } from '../paths.js';
