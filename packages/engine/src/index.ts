/**
 * The composition root: opens a backend (backends/: the embedded SQLite log
 * with its ledger and DuckDB views beside it, or one PostgreSQL database
 * holding all three), wires the import to the projections and the reports to
 * the statistics views. The CLI and the HTTP API start here and do nothing
 * else with the store or the views; the domain and the projections never see
 * a file path or a URL.
 */
import { importDirectory, openLedger, type ImportOptions as LedgerImportOptions, type ImportProgress, type ImportSummary } from '@leerroutes/import';
import type { EventStore } from '@leerroutes/event-store';
import type { OnMigrate } from '@leerroutes/event-store/sqlite';
import {
  catchUp, rebuild, startSubscriber, writeViewsDump,
  type LockOptions, type ProgressListener, type RebuildInstead, type RebuildThread, type RunSummary, type SubscriberOptions, type ViewsStore, type ViewsSubscription,
} from '@leerroutes/projection-runtime';
import { defaultProjections, REBUILD_SOURCE } from '@leerroutes/projections';
import { eraseLearner, type ErasureReceipt } from './erase.js';
import { failpoint } from './failpoint.js';
import { exportLearnerData, writeReport, type ExportOptions, type ExportSummary, type LearnerExportRequest } from './exports/index.js';
import { inlinePublisher, threadPublisher, type ReportRequest } from '@leerroutes/indicators';
import { openBackend } from './backends/index.js';
import { reads, statisticsSource, type Reads } from './reads.js';

export type { ErasureReceipt } from './erase.js';
export { FAILPOINTS, type Failpoint } from './failpoint.js';
export { failureKind, failureSummary, isDiskFull, isLogDamaged, isStoreUnopenable, isViewsDamaged, isViewsMismatch, type FailureKind } from './failure.js';
export {
  EXPORT_FORMATS, EXPORT_KINDS, LEARNER_EXPORTS, MEDIA_TYPES, EVENT_COLUMNS, columnsOf, writeReport, reportTable,
  type ExportFormat, type ExportKind, type ExportOptions, type ExportSummary, type LearnerExportKind, type LearnerExportRequest,
} from './exports/index.js';
export { ViewsNotReadyError, statisticsSource, type Reads, type ReferenceLabels } from './reads.js';
export type { SubscriberFailure, ViewsSubscription } from '@leerroutes/projection-runtime';

export interface EngineOptions {
  /** The event log: a SQLite file path, or a postgres:// URL (the log, ledger and views then all live in that database). */
  readonly db: string;
  /**
   * The read-model directory (DuckDB generations); default: the log path with
   * `.views` for `.sqlite` (defaultViewsPath). With a PostgreSQL log the
   * default is the views in that database; a directory given here keeps
   * DuckDB views of this machine's own instead (fast analytics on a shared log).
   */
  readonly views?: string;
  /**
   * For every writer session the engine starts (catch-up, rebuild, erase)
   * while another process writes the views: wait, telling onWait who holds
   * them (the default), or fail at once.
   */
  readonly viewsLock?: LockOptions;
  /** A SQLite log written by older code is rewritten on first open (minutes at national scale): told how far it has come. */
  readonly onMigrate?: OnMigrate;
  /**
   * Worker threads publishing reports (indicators' publisher.ts), so that a
   * large table does not hold the calling thread: a server's event loop
   * stays free for other requests. 0, the default, publishes in the calling
   * thread (a CLI's one report gains nothing from a thread's start).
   */
  readonly publishThreads?: number;
  /** When a catch-up (after an import, or a subscriber's) runs as a rebuild in threads instead; default: the runtime's REBUILD_INSTEAD. */
  readonly rebuildInstead?: RebuildInstead;
}

export interface ImportOptions {
  readonly knownAt?: string;
  readonly rejectsFile?: string;
  readonly onProgress?: (p: ImportProgress) => void;
  readonly onResume?: LedgerImportOptions['onResume'];
  readonly onProjectionProgress?: ProgressListener;
  /** Leave the projections behind (a subscriber or a later catch-up brings them up to date). */
  readonly skipProjections?: boolean;
}

/** The engine: the log, the views, and the reads (reads.ts) both serve. */
export interface Engine extends Reads {
  readonly backend: 'sqlite' | 'postgres';
  /** Where the log is, for messages: the file path, or the URL without its password. */
  readonly dbPath: string;
  /** Where the views are, for messages: the directory, or the URL without its password. */
  readonly viewsPath: string;
  readonly store: EventStore;
  readonly views: ViewsStore;
  /** The newest position in the log (the views may be behind it: checkpoint()). */
  head(): Promise<number>;
  /** Import a directory of registration CSVs, then bring the projections up to date (inline). */
  importDirectory(dir: string, options?: ImportOptions): Promise<{ import: ImportSummary; projections: RunSummary | null }>;
  /** Bring every projection up to the head of the log (one writer session, published). */
  catchUp(onProgress?: ProgressListener): Promise<RunSummary>;
  /**
   * Replay projections from the start of the log (all of them on an empty
   * generation, or `only` these), and publish. A full rebuild on the
   * embedded log reads and folds in worker threads (`workers` of them,
   * default one on two cores, two on more); `worker: false` keeps it all in the
   * calling thread (the same views, for comparison).
   */
  rebuild(options?: { readonly only?: readonly string[]; readonly batchSize?: number; readonly onProgress?: ProgressListener; readonly worker?: boolean; readonly workers?: number; readonly localFolds?: boolean; readonly readyBytes?: number }): Promise<RunSummary>;
  /** Keep the views current while the process runs (a catch-up session whenever the log moves, a failed one tried again); stopped by close(). */
  startSubscriber(options?: Pick<SubscriberOptions, 'pollIntervalMs' | 'minSessionIntervalMs' | 'onPublished' | 'onError' | 'retryMs' | 'maxRetryMs'>): ViewsSubscription;
  /**
   * Canonical text of the log (every event but its transaction time), the
   * import ledger and the views: equal dumps mean equal state, which is how
   * an interrupted run is compared with an uninterrupted one.
   */
  dump(what: readonly ('log' | 'ledger' | 'views')[]): Promise<string>;
  /** The same text a line at a time (without line breaks), for a log too large to dump as one string. */
  dumpTo(what: readonly ('log' | 'ledger' | 'views')[], write: (line: string) => void | Promise<void>): Promise<void>;
  /**
   * A learner-level export (events, person-period, spells) as a Parquet or
   * CSV file (exports/index.ts). The caller checks the role and audits it.
   */
  exportLearnerData(request: LearnerExportRequest, options: ExportOptions): Promise<ExportSummary>;
  /** An indicator's report as a Parquet or CSV file, suppressed as `report` is unless the request says unsuppressed. */
  exportReport(request: ReportRequest, options: Pick<ExportOptions, 'format' | 'out'>): Promise<ExportSummary>;
  /** Bytes on disk: the log with its ledger, and the published views. */
  storage(): Promise<{ readonly logBytes: number; readonly viewsBytes: number }>;
  /** Remove every trace of one learner (SPEC section 9); null if the learner is unknown. */
  eraseLearner(learnerId: string, reason: string, caller: string): Promise<ErasureReceipt | null>;
  close(): Promise<void>;
}

export { defaultViewsPath } from './paths.js';
export { isPostgresUrl, redactUrl } from './backends/backend.js';

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const backend = await openBackend(options.db, options.views, options.onMigrate);
  const { store, views } = backend;
  const dbPath = backend.log;
  const viewsPath = backend.viewsAt;
  const projections = defaultProjections();
  const lock = options.viewsLock ?? {};
  const subscribers: ViewsSubscription[] = [];
  const publisher = options.publishThreads ? threadPublisher(options.publishThreads) : inlinePublisher;
  // On the embedded log a full rebuild (or a catch-up that runs as one, catch-up.ts) reads and folds in worker
  // threads, which open the log file again.
  const rebuildThread = (tuning: Pick<RebuildThread, 'workers' | 'localFolds' | 'readyBytes'> = {}): { rebuildThread?: RebuildThread } =>
    backend.kind === 'sqlite' ? { rebuildThread: { module: REBUILD_SOURCE, data: { log: dbPath }, ...tuning } } : {};
  // What every catch-up the engine starts (its own, a subscriber's) is given: the thread, and when to rebuild instead.
  const catchUpThreads = (): { rebuildThread?: RebuildThread; rebuildInstead?: RebuildInstead } =>
    ({ ...rebuildThread(), ...(options.rebuildInstead ? { rebuildInstead: options.rebuildInstead } : {}) });
  const engine: Engine = {
    backend: backend.kind, dbPath, viewsPath, store, views,
    ...reads(store, views.reader, viewsPath, publisher),
    head: () => store.headPosition(),
    async importDirectory(dir, opts = {}) {
      const summary = await importDirectory({
        dir, store,
        ...(opts.knownAt !== undefined ? { knownAt: opts.knownAt } : {}),
        ...(opts.rejectsFile !== undefined ? { rejectsFile: opts.rejectsFile } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.onResume ? { onResume: opts.onResume } : {}),
      });
      failpoint('import:finished');
      const run = opts.skipProjections ? null : await engine.catchUp(opts.onProjectionProgress);
      return { import: summary, projections: run };
    },
    exportLearnerData: (request, opts) => exportLearnerData({ store, statistics: statisticsSource(views.reader, store, viewsPath), views: backend.viewsKind }, request, opts),
    exportReport: async (request, opts) => writeReport(await engine.report(request), opts),
    async eraseLearner(learnerId, reason, caller) {
      const receipt = await eraseLearner({ store, views, projections, viewsLock: lock }, learnerId, reason, caller);
      failpoint('erase:log-erased');
      // The audit record is itself an event; keep the views at the head as after an import.
      if (receipt) await engine.catchUp();
      return receipt;
    },
    storage: () => backend.storage(),
    async dump(what) {
      const parts: string[] = [];
      await engine.dumpTo(what, (line) => { parts.push(line); });
      return parts.join('\n') + '\n';
    },
    async dumpTo(what, write) {
      if (what.includes('log')) {
        await write('## log');
        for await (const batch of store.readAll({ batchSize: 5000 })) {
          // knownAt defaults to the transaction time, which is not part of the state: shown only when the source set it.
          for (const e of batch) await write(JSON.stringify([e.position, e.stream, e.revision, e.eventId, e.type, e.schemaVersion, e.occurredOn, e.knownAt === e.recordedAt ? null : e.knownAt, e.data, e.metadata]));
        }
      }
      if (what.includes('ledger')) {
        await write('## ledger');
        await (await openLedger(store)).dumpTo(write);
      }
      if (what.includes('views')) {
        await write('## views');
        // One published generation for the whole dump.
        await views.reader.snapshot((db) => writeViewsDump(db, projections, write));
      }
    },
    catchUp: (onProgress) => catchUp({ ...lock, store, views, projections, ...catchUpThreads(), ...(onProgress ? { onProgress } : {}) }),
    async rebuild({ worker, workers, localFolds, readyBytes, ...opts } = {}) {
      const summary = await rebuild({
        ...lock, ...opts, store, views, projections,
        ...(worker !== false ? rebuildThread({ ...(workers !== undefined ? { workers } : {}), ...(localFolds !== undefined ? { localFolds } : {}), ...(readyBytes !== undefined ? { readyBytes } : {}) }) : {}),
      });
      // A subscriber waiting out a failure (views that could not be read, say) need not wait longer: the views are new.
      for (const s of subscribers) s.retryNow();
      return summary;
    },
    startSubscriber(opts = {}) {
      const subscription = startSubscriber({ ...lock, ...opts, store, views, projections, ...catchUpThreads() });
      subscribers.push(subscription);
      return subscription;
    },
    async close() {
      for (const s of subscribers.splice(0)) await s.stop();
      await publisher.close();
      await backend.close();
    },
  };
  return engine;
}
