/**
 * CONTRACT STUB: the composition root. Opens the embedded event log, the
 * import ledger and the read models from one path, and wires the import to
 * the projections. Services (CLI, HTTP API) start here.
 */
import type { EventStore } from '@leerroutes/event-store';
import type { PathwaySource } from '@leerroutes/pathway';

export interface EngineOptions {
  /** Event log file (SQLite). ':memory:' is not supported: the views and the ledger need files. */
  readonly db: string;
  /** Read-model file; default: the log path with `.views.sqlite`. */
  readonly views?: string;
}

export interface ImportOptions {
  readonly knownAt?: string;
  readonly rejectsFile?: string;
  readonly onProgress?: (p: { file: string; rows: number; bytes: number; totalBytes: number; phase: string }) => void;
}

export interface Engine {
  readonly store: EventStore;
  /** The projected pathways (live views). */
  readonly pathways: PathwaySource;
  /** Import a directory of registration CSVs, then bring the projections up to date. */
  importDirectory(dir: string, options?: ImportOptions): Promise<unknown>;
  /** Bring every projection up to the head of the log. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  void options;
  throw new Error('openEngine: not implemented yet');
}
