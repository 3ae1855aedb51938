import Database from 'better-sqlite3';
import type { AdviceFact, DiplomaFact, EnrolmentFact, LearnerFact, LearnerFacts } from '@leerroutes/domain';

/**
 * The import ledger: every delivered registration fact by its natural key,
 * with the delivery it last came in. It is what lets a re-delivery be compared
 * with what was known ("a delivery that contains reference date D is the
 * complete count for D") without re-reading old files. It lives in the event
 * log's SQLite file, in its own tables.
 */
export type FactKind = 'enrolment' | 'advice' | 'diploma' | 'learner';

interface KindSpec {
  readonly table: string;
  /** Natural-key columns after learner_id. */
  readonly keys: readonly string[];
}

export const FACT_KINDS: Readonly<Record<FactKind, KindSpec>> = {
  enrolment: { table: 'ledger_enrolment', keys: ['reference_date'] },
  advice: { table: 'ledger_advice', keys: ['school_year', 'kind', 'issued_on'] },
  diploma: { table: 'ledger_diploma', keys: ['school_year', 'institution', 'awarded_on'] },
  learner: { table: 'ledger_learner', keys: ['valid_from'] },
};

export type UpsertOutcome = 'inserted' | 'changed' | 'unchanged' | 'duplicate-same' | { readonly conflictLine: number | null };

export interface StoredRow { readonly content: string; readonly source: string; readonly delivery: number }

export class Ledger {
  private readonly db: Database.Database;
  private readonly get: Record<FactKind, Database.Statement>;
  private readonly put: Record<FactKind, Database.Statement>;
  private readonly touch: Record<FactKind, Database.Statement>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('cache_size = -65536');
    this.migrate();
    const mk = (f: (spec: KindSpec) => string) =>
      Object.fromEntries(Object.entries(FACT_KINDS).map(([k, spec]) => [k, this.db.prepare(f(spec))])) as Record<FactKind, Database.Statement>;
    const where = (spec: KindSpec) => ['learner_id', ...spec.keys].map((c) => `${c} = ?`).join(' AND ');
    this.get = mk((s) => `SELECT content, source, delivery FROM ${s.table} WHERE ${where(s)}`);
    this.put = mk((s) => {
      const cols = ['learner_id', ...s.keys, 'content', 'source', 'delivery'];
      return `INSERT INTO ${s.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
              ON CONFLICT (${['learner_id', ...s.keys].join(', ')}) DO UPDATE SET content = excluded.content, source = excluded.source, delivery = excluded.delivery`;
    });
    this.touch = mk((s) => `UPDATE ${s.table} SET delivery = ? WHERE ${where(s)}`);
  }

  private migrate(): void {
    const ddl: string[] = [];
    for (const spec of Object.values(FACT_KINDS)) {
      const key = ['learner_id', ...spec.keys];
      ddl.push(`CREATE TABLE IF NOT EXISTS ${spec.table} (${key.map((c) => `${c} TEXT NOT NULL`).join(', ')}, content TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (${key.join(', ')})) WITHOUT ROWID`);
    }
    ddl.push(
      'CREATE INDEX IF NOT EXISTS ledger_enrolment_by_date ON ledger_enrolment (reference_date, delivery)',
      'CREATE TABLE IF NOT EXISTS ledger_covered (reference_date TEXT PRIMARY KEY, delivery INTEGER NOT NULL) WITHOUT ROWID',
      'CREATE TABLE IF NOT EXISTS ledger_area (area TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT) WITHOUT ROWID',
      'CREATE TABLE IF NOT EXISTS ledger_institution (institution TEXT PRIMARY KEY, name TEXT NOT NULL, board TEXT, municipality TEXT, kind TEXT) WITHOUT ROWID',
      `CREATE TABLE IF NOT EXISTS ledger_delivery (id INTEGER PRIMARY KEY, dir TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, known_at TEXT, summary TEXT)`,
    );
    this.db.exec(ddl.join(';\n'));
  }

  startDelivery(dir: string, startedAt: string, knownAt: string | null): number {
    return Number(this.db.prepare('INSERT INTO ledger_delivery (dir, started_at, known_at) VALUES (?, ?, ?)').run(dir, startedAt, knownAt).lastInsertRowid);
  }

  finishDelivery(id: number, finishedAt: string, summary: unknown): void {
    this.db.prepare('UPDATE ledger_delivery SET finished_at = ?, summary = ? WHERE id = ?').run(finishedAt, JSON.stringify(summary), id);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Upsert one fact by natural key. Within one delivery a second row with the
   * same key and other content is a conflict (the caller rejects it); across
   * deliveries a changed row is a correction.
   */
  upsert(kind: FactKind, key: readonly string[], content: string, source: string, delivery: number): UpsertOutcome {
    const prior = this.get[kind].get(...key) as StoredRow | undefined;
    if (!prior) {
      this.put[kind].run(...key, content, source, delivery);
      return 'inserted';
    }
    if (prior.delivery === delivery) {
      return prior.content === content ? 'duplicate-same' : { conflictLine: (JSON.parse(prior.source) as { line?: number }).line ?? null };
    }
    if (prior.content === content) {
      this.touch[kind].run(delivery, ...key);
      return 'unchanged';
    }
    this.put[kind].run(...key, content, source, delivery);
    return 'changed';
  }

  /** Rows of reference date D from earlier deliveries that a new complete count of D no longer holds: deleted, their learners returned. */
  dropMissingEnrolments(referenceDate: string, delivery: number): string[] {
    const gone = this.db.prepare('SELECT learner_id FROM ledger_enrolment WHERE reference_date = ? AND delivery <> ?').pluck().all(referenceDate, delivery) as string[];
    if (gone.length > 0) this.db.prepare('DELETE FROM ledger_enrolment WHERE reference_date = ? AND delivery <> ?').run(referenceDate, delivery);
    return gone;
  }

  coveredReferenceDates(): string[] {
    return this.db.prepare('SELECT reference_date FROM ledger_covered ORDER BY reference_date').pluck().all() as string[];
  }

  cover(referenceDate: string, delivery: number): void {
    this.db.prepare('INSERT OR IGNORE INTO ledger_covered (reference_date, delivery) VALUES (?, ?)').run(referenceDate, delivery);
  }

  learnersOn(referenceDate: string): string[] {
    return this.db.prepare('SELECT learner_id FROM ledger_enrolment WHERE reference_date = ?').pluck().all(referenceDate) as string[];
  }

  upsertArea(area: string, name: string, parent: string | null): boolean {
    const prior = this.db.prepare('SELECT name, parent FROM ledger_area WHERE area = ?').get(area) as { name: string; parent: string | null } | undefined;
    if (prior && prior.name === name && prior.parent === parent) return false;
    this.db.prepare('INSERT INTO ledger_area (area, name, parent) VALUES (?, ?, ?) ON CONFLICT (area) DO UPDATE SET name = excluded.name, parent = excluded.parent').run(area, name, parent);
    return true;
  }

  upsertInstitution(i: { institution: string; name: string; board: string | null; municipality: string | null; kind: string | null }): boolean {
    const prior = this.db.prepare('SELECT name, board, municipality, kind FROM ledger_institution WHERE institution = ?').get(i.institution) as Record<string, unknown> | undefined;
    if (prior && prior['name'] === i.name && prior['board'] === i.board && prior['municipality'] === i.municipality && prior['kind'] === i.kind) return false;
    this.db.prepare(`INSERT INTO ledger_institution (institution, name, board, municipality, kind) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (institution) DO UPDATE SET name = excluded.name, board = excluded.board, municipality = excluded.municipality, kind = excluded.kind`).run(i.institution, i.name, i.board, i.municipality, i.kind);
    return true;
  }

  areaParents(): Map<string, string | null> {
    const rows = this.db.prepare('SELECT area, parent FROM ledger_area').all() as { area: string; parent: string | null }[];
    return new Map(rows.map((r) => [r.area, r.parent]));
  }

  /** Every fact of these learners, for re-derivation. */
  loadFacts(learnerIds: readonly string[]): Map<string, LearnerFacts> {
    const out = new Map<string, { learnerId: string; learner: LearnerFact[]; advice: AdviceFact[]; diplomas: DiplomaFact[]; enrolments: EnrolmentFact[] }>();
    for (const id of learnerIds) out.set(id, { learnerId: id, learner: [], advice: [], diplomas: [], enrolments: [] });
    const placeholders = learnerIds.map(() => '?').join(', ');
    const load = (kind: FactKind, push: (f: { learner_id: string; content: string; source: string }) => void) => {
      const rows = this.db.prepare(`SELECT learner_id, content, source FROM ${FACT_KINDS[kind].table} WHERE learner_id IN (${placeholders})`).all(...learnerIds) as { learner_id: string; content: string; source: string }[];
      for (const r of rows) push(r);
    };
    const withSource = <T>(r: { content: string; source: string }): T => ({ ...(JSON.parse(r.content) as object), source: JSON.parse(r.source) }) as T;
    load('learner', (r) => out.get(r.learner_id)!.learner.push(withSource<LearnerFact>(r)));
    load('advice', (r) => out.get(r.learner_id)!.advice.push(withSource<AdviceFact>(r)));
    load('diploma', (r) => out.get(r.learner_id)!.diplomas.push(withSource<DiplomaFact>(r)));
    load('enrolment', (r) => out.get(r.learner_id)!.enrolments.push(withSource<EnrolmentFact>(r)));
    return out;
  }

  /** Erasure: no fact of the learner may remain. */
  forgetLearner(learnerId: string): number {
    let n = 0;
    for (const spec of Object.values(FACT_KINDS)) n += this.db.prepare(`DELETE FROM ${spec.table} WHERE learner_id = ?`).run(learnerId).changes;
    return n;
  }

  close(): void {
    this.db.close();
  }
}
