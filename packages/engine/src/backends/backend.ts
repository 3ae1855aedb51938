import type { EventStore } from '@leerroutes/event-store';
import type { ImportOptions, ImportSummary } from '@leerroutes/import';
import type { ViewsStore } from '@leerroutes/projection-runtime';

/**
 * What the engine needs of the place its log, ledger and views live: the
 * embedded default (a SQLite log with the ledger in its file, DuckDB
 * generations beside it) or a PostgreSQL database holding all three. The
 * engine composes everything else (projections, reports, exports) the same
 * way on both.
 */
export interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the log is, for messages: a file path, or the URL without its password. */
  readonly log: string;
  /** Where the views are, for messages. */
  readonly viewsAt: string;
  readonly store: EventStore;
  readonly views: ViewsStore;
  /** Import a delivery into the log and its ledger (the ledger lives with the log, and commits with it). */
  importDirectory(options: Omit<ImportOptions, 'store'>): Promise<ImportSummary>;
  /** The ledger's canonical text (Engine.dump). */
  ledgerDump(): Promise<string>;
  /**
   * The log's half of erasing a learner, all or nothing: the stream, the
   * ledger's facts and the audit event (built by `audit` from the counts)
   * in one transaction; null when neither events nor facts are known.
   * Runs under the log's import lock, `beforeLog` first (the views forget
   * the learner), so no import re-derives the learner halfway.
   */
  eraseLearner(learnerId: string, steps: ErasureSteps): Promise<{ eventsRemoved: number; factsRemoved: number } | null>;
  /** Bytes on disk: the log with its ledger, and the published views. */
  storage(): Promise<{ readonly logBytes: number; readonly viewsBytes: number }>;
  close(): Promise<void>;
}

export interface ErasureSteps {
  /** Given what the log holds of the learner, before anything goes (the views forget the learner here). */
  beforeLog(events: Awaited<ReturnType<EventStore['readStream']>>): Promise<void>;
  /** The audit record, from the counts of what goes. */
  audit(eventsRemoved: number): { readonly stream: string; readonly event: Parameters<EventStore['appendToStream']>[1][number] };
}

export { isPostgresUrl, redactUrl } from '../paths.js';
