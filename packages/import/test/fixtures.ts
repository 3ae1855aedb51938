import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learnerStream } from '@leerroutes/domain';
import type { EventStore, RecordedEvent } from '@leerroutes/event-store';
import { openSqliteEventStore } from '@leerroutes/event-store/sqlite';
import { importDirectory, type ImportOptions } from '../src/index.js';

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
  readonly db: string;
  store: EventStore;
  /** Write a delivery directory with the given files (header added). */
  delivery(name: string, files: Partial<Record<FileName, string[]>>): string;
  import(dir: string, extra?: Partial<ImportOptions>): ReturnType<typeof importDirectory>;
  stream(learnerId: string): Promise<RecordedEvent[]>;
  /** The learner's events that still hold: Retracted ones and those they name left out. */
  live(learnerId: string): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'leerroutes-import-'));
  const db = join(root, 'pathways.sqlite');
  const store = openSqliteEventStore({ path: db });
  const ws: Workspace = {
    root, db, store,
    delivery(name, files) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, lines] of Object.entries(files)) writeFileSync(join(dir, file), [HEADERS[file as FileName], ...(lines ?? [])].join('\n') + '\n');
      return dir;
    },
    import: (dir, extra) => importDirectory({ dir, store: ws.store, ledgerPath: db, ...extra }),
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
