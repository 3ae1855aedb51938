import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { learnerStream } from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { openPostgresEventStore } from '@leerroutes/event-store/postgres';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { describeWithPostgres, type PostgresForTests, type TestDatabase } from '@leerroutes/event-store/test-support/postgres';
import { importDirectory, openLedger, type ImportLedger, type ImportOptions } from '../src/index.js';

/** Where a workspace keeps its log (and so its ledger). */
export interface StoreKind {
  readonly name: 'SQLite' | 'PostgreSQL';
  open(root: string): Promise<EventStore>;
  /** What an import into this kind of store is told besides the test's own options. */
  importOptions(root: string): Partial<ImportOptions>;
}

export const sqliteStores: StoreKind = {
  name: 'SQLite',
  open: async (root) => openSqliteEventStore({ path: join(root, 'pathways.sqlite') }),
  importOptions: (root) => ({ ledgerPath: join(root, 'pathways.sqlite') }),
};

let schemas = 0;
/** A log of its own per workspace: a fresh schema (and so a fresh ledger schema) in the file's throwaway database. */
export const postgresStores = (db: TestDatabase): StoreKind => ({
  name: 'PostgreSQL',
  open: (_root) => openPostgresEventStore({ connectionString: db.url(), schema: `ws_${process.pid}_${++schemas}` }),
  // A PostgreSQL log has no directory; the rejects go to the workspace rather than the current directory.
  importOptions: (root) => ({ rejectsDir: join(root, 'rejects') }),
});

/**
 * The same tests on each event store the import runs on; PostgreSQL's are
 * skipped with the reason when no server is reachable (describeWithPostgres).
 */
export function describeEachStore(title: string, pg: PostgresForTests, body: (kind: StoreKind) => void): void {
  describe(`${title} (SQLite)`, () => body(sqliteStores));
  describeWithPostgres(`${title} (PostgreSQL)`, pg, (db) => body(postgresStores(db)));
}

export const HEADERS = {
  'enrollments.csv': 'learner_id,school_year,reference_date,sector,institution,branch,level,grade,programme,track',
  'advice.csv': 'learner_id,school_year,issued_on,po_school,kind,level,test_score',
  'diplomas.csv': 'learner_id,school_year,awarded_on,institution,level,programme',
  'learners.csv': 'learner_id,birth_month,gender,valid_from,pupil_weight,parental_education,migration_background,area',
  'areas.csv': 'area,name,parent_area',
  'institutions.csv': 'institution,name,board,municipality,kind',
} as const;
export type FileName = keyof typeof HEADERS;

/** One enrolment row: learner, start year of the school year, sector, institution, level, grade. */
export const row = (id: string, year: number, sector: string, institution: string, level: string, grade: number | '', track = ''): string =>
  `${id},${year}-${year + 1},${year}-10-01,${sector},${institution},,${level},${grade},,${track}`;

export interface Workspace {
  readonly root: string;
  readonly kind: StoreKind;
  store: EventStore;
  /** The import ledger beside the store. */
  ledger(): Promise<ImportLedger>;
  /** Write a delivery directory with the given files (header added). */
  delivery(name: string, files: Partial<Record<FileName, string[]>>): string;
  import(dir: string, extra?: Partial<ImportOptions>): ReturnType<typeof importDirectory>;
  stream(learnerId: string): Promise<RecordedEvent[]>;
  /** The learner's events that still hold: Retracted ones and those they name left out. */
  live(learnerId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

export async function workspace(kind: StoreKind = sqliteStores): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'leerroutes-import-'));
  const store = await kind.open(root);
  const ws: Workspace = {
    root, kind, store,
    ledger: () => openLedger(ws.store),
    delivery(name, files) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, lines] of Object.entries(files)) writeFileSync(join(dir, file), [HEADERS[file as FileName], ...(lines ?? [])].join('\n') + '\n');
      return dir;
    },
    import: (dir, extra) => importDirectory({ dir, store: ws.store, ...kind.importOptions(root), ...extra }),
    stream: (id) => ws.store.readStream(learnerStream(id)),
    async live(id) {
      const events = await ws.stream(id);
      const gone = new Set(events.flatMap((e) => (e.type === 'Retracted' ? (e.data as { retracted: string[] }).retracted : [])));
      return events.filter((e) => e.type !== 'Retracted' && !gone.has(e.eventId));
    },
    async close() {
      await ws.store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return ws;
}

/** An event without its source and ids: what two imports of the same facts must agree on. */
export function meaning(e: RecordedEvent): string {
  const { source: _s, ...data } = e.data as Record<string, unknown>;
  return `${e.occurredOn} ${e.type} ${JSON.stringify(data)}`;
}

export const types = (events: readonly RecordedEvent[]): string[] => events.map((e) => `${e.occurredOn} ${e.type}`);
