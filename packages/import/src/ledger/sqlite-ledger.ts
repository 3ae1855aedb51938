import type Database from 'better-sqlite3';
import type { LearnerFacts } from '@leerroutes/domain';
import { FACT_CODECS, type FactKind } from '../fact-codec.js';
import { decodeFactRows, FACT_TABLES, type FactRows, type KindTable } from './fact-rows.js';
import { addByType, deliveryOfRow, type DeliveryRow, type DeliveryState, type FileProgress, type ReferenceRow, type UpsertOutcome } from './port.js';

/**
 * The import ledger on SQLite (what it holds and why: port.ts): every
 * delivered registration fact by its natural key, with the delivery it last
 * came in, plus the durable state of each delivery. It is what lets a re-delivery be compared with what was
 * known ("a delivery that contains reference date D is the complete count for
 * D") without re-reading old files, and what lets an interrupted import go on
 * where it stopped. Its tables live in the event log's own file and share the
 * log's connection, so a batch's ledger changes and its appended events
 * commit in one transaction.
 */
export const LEDGER_SCHEMA_VERSION = 2;

const DDL = `
CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_enrolment (learner_id TEXT NOT NULL, reference_date TEXT NOT NULL, content TEXT NOT NULL, line INTEGER NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, reference_date)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_advice (learner_id TEXT NOT NULL, school_year TEXT NOT NULL, kind TEXT NOT NULL, issued_on TEXT NOT NULL, content TEXT NOT NULL, line INTEGER NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, school_year, kind, issued_on)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_diploma (learner_id TEXT NOT NULL, school_year TEXT NOT NULL, institution TEXT NOT NULL, awarded_on TEXT NOT NULL, content TEXT NOT NULL, line INTEGER NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, school_year, institution, awarded_on)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_learner (learner_id TEXT NOT NULL, valid_from TEXT NOT NULL, content TEXT NOT NULL, line INTEGER NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, valid_from)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_covered (reference_date TEXT PRIMARY KEY, delivery INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_area (area TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_institution (institution TEXT PRIMARY KEY, name TEXT NOT NULL, board TEXT, municipality TEXT, kind TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_school_group (institution TEXT NOT NULL, grp TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT, PRIMARY KEY (institution, grp, valid_from)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_delivery (
  id INTEGER PRIMARY KEY, dir TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, known_at TEXT, summary TEXT,
  fingerprint TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'finished',
  learners_total INTEGER NOT NULL DEFAULT 0, learners_done INTEGER NOT NULL DEFAULT 0, events_appended INTEGER NOT NULL DEFAULT 0,
  events_retracted INTEGER NOT NULL DEFAULT 0, events_by_type TEXT NOT NULL DEFAULT '{}', dropped INTEGER NOT NULL DEFAULT 0,
  newly_covered TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS ledger_delivery_file (
  delivery INTEGER NOT NULL, file TEXT NOT NULL, rows INTEGER NOT NULL, accepted INTEGER NOT NULL, rejected INTEGER NOT NULL,
  inserted INTEGER NOT NULL, changed INTEGER NOT NULL, unchanged INTEGER NOT NULL, repeated INTEGER NOT NULL,
  records_done INTEGER NOT NULL, rejects_bytes INTEGER NOT NULL, rejects_by_code TEXT NOT NULL, done INTEGER NOT NULL,
  PRIMARY KEY (delivery, file));
CREATE TABLE IF NOT EXISTS ledger_pending (delivery INTEGER NOT NULL, learner_id TEXT NOT NULL, PRIMARY KEY (delivery, learner_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_delivered_date (delivery INTEGER NOT NULL, reference_date TEXT NOT NULL, PRIMARY KEY (delivery, reference_date)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_pending_reference (delivery INTEGER NOT NULL, seq INTEGER NOT NULL, stream TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (delivery, seq)) WITHOUT ROWID;
`;

/** Rows a multi-row insert takes (insertNew); a batch's rows of one kind go this many at a time. */
export const INSERT_CHUNK = 64;

interface Stmts {
  insertChunk: Record<FactKind, Database.Statement>;
  get: Record<FactKind, Database.Statement>;
  put: Record<FactKind, Database.Statement>;
  insert: Record<FactKind, Database.Statement>;
  touch: Record<FactKind, Database.Statement>;
  forget: Record<FactKind, Database.Statement>;
  pending: Database.Statement;
  pendingChunk: Database.Statement;
}

export class Ledger {
  private readonly s: Stmts;
  private readonly factRows: (learnerIds: readonly string[]) => FactRows;
  private readonly statements = new Map<string, Database.Statement>();

  /** A statement prepared once: several run per delivered row. */
  private stmt(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (st === undefined) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  constructor(private readonly db: Database.Database) {
    db.transaction(() => this.migrate()).immediate();
    const mk = (f: (kind: FactKind, spec: KindTable) => string, mode: (st: Database.Statement) => Database.Statement = (st) => st) =>
      Object.fromEntries(Object.entries(FACT_TABLES).map(([k, spec]) => [k, mode(db.prepare(f(k as FactKind, spec)))])) as Record<FactKind, Database.Statement>;
    const where = (spec: KindTable) => ['learner_id', ...spec.keys].map((c) => `${c} = ?`).join(' AND ');
    this.s = {
      insertChunk: mk((_, s) => {
        const cols = ['learner_id', ...s.keys, 'content', 'line', 'delivery'];
        const values = Array.from({ length: INSERT_CHUNK }, () => `(${cols.map(() => '?').join(', ')})`).join(', ');
        return `INSERT INTO ${s.table} (${cols.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING`;
      }),
      get: mk((_, s) => `SELECT content, line, delivery FROM ${s.table} WHERE ${where(s)}`),
      put: mk((_, s) => {
        const cols = ['learner_id', ...s.keys, 'content', 'line', 'delivery'];
        return `INSERT INTO ${s.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
                ON CONFLICT (${['learner_id', ...s.keys].join(', ')}) DO UPDATE SET content = excluded.content, line = excluded.line, delivery = excluded.delivery`;
      }),
      insert: mk((_, s) => {
        const cols = ['learner_id', ...s.keys, 'content', 'line', 'delivery'];
        return `INSERT INTO ${s.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
      }),
      touch: mk((_, s) => `UPDATE ${s.table} SET delivery = ? WHERE ${where(s)}`),
      forget: mk((_, s) => `DELETE FROM ${s.table} WHERE learner_id = ?`),
      pending: db.prepare('INSERT OR IGNORE INTO ledger_pending (delivery, learner_id) VALUES (?, ?)'),
      pendingChunk: db.prepare(`INSERT OR IGNORE INTO ledger_pending (delivery, learner_id) VALUES ${Array.from({ length: INSERT_CHUNK }, () => '(?, ?)').join(', ')}`),
    };
    this.factRows = sqliteFactRowsLoader(db);
  }

  private migrate(): void {
    const db = this.db;
    const hadLedger = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_enrolment'").get() !== undefined;
    const hadSchema = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_schema'").get() !== undefined;
    const version = hadSchema ? ((db.prepare('SELECT MAX(version) AS v FROM ledger_schema').get() as { v: number | null }).v ?? 0) : hadLedger ? 1 : 0;
    if (version > LEDGER_SCHEMA_VERSION) throw new Error(`import ledger version ${version} is newer than this code understands (${LEDGER_SCHEMA_VERSION})`);
    if (version === 1) this.migrateV1();
    db.exec(DDL);
    // Enrolments were also indexed by reference date, for sealing and nothing else; keeping that index up cost the
    // reading of a delivery more (about 1.5 us of every enrolment row's 4.5) than the scan a seal now does instead.
    db.exec('DROP INDEX IF EXISTS ledger_enrolment_by_date');
    if (version < LEDGER_SCHEMA_VERSION) db.prepare('INSERT INTO ledger_schema (version) VALUES (?)').run(LEDGER_SCHEMA_VERSION);
  }

  /**
   * Version 1 kept facts as keyed JSON with a JSON source, and lost learners
   * when an import was killed: its facts were in the ledger before their
   * events were appended. Facts are rewritten compactly; the learners of a
   * delivery that never finished are marked for derivation again, so the
   * next import brings back whoever that lost.
   */
  private migrateV1(): void {
    const db = this.db;
    for (const [kind, spec] of Object.entries(FACT_TABLES) as [FactKind, KindTable][]) {
      const old = `${spec.table}_v1`;
      db.exec(`ALTER TABLE ${spec.table} RENAME TO ${old}`);
      if (kind === 'enrolment') db.exec('DROP INDEX IF EXISTS ledger_enrolment_by_date');
      db.exec(DDL.split('\n').filter((l) => l.includes(` ${spec.table} `) && l.startsWith('CREATE TABLE')).join('\n'));
      const codec = FACT_CODECS[kind] as { content(f: unknown): string };
      const put = db.prepare(`INSERT INTO ${spec.table} (learner_id, ${spec.keys.join(', ')}, content, line, delivery) VALUES (${['learner_id', ...spec.keys, 'content', 'line', 'delivery'].map(() => '?').join(', ')})`);
      const rows = db.prepare(`SELECT learner_id, ${spec.keys.join(', ')}, content, source, delivery FROM ${old}`).raw(true).all() as string[][];
      for (const r of rows) {
        const n = spec.keys.length;
        const fact = JSON.parse(r[1 + n]!) as Record<string, unknown>;
        const line = (JSON.parse(r[2 + n]!) as { line?: number }).line ?? 0;
        put.run(r[0], ...r.slice(1, 1 + n), codec.content(fact), line, r[3 + n]);
      }
      db.exec(`DROP TABLE ${old}`);
    }
    const columns = new Set((db.prepare("SELECT name FROM pragma_table_info('ledger_delivery')").all() as { name: string }[]).map((c) => c.name));
    const add = (col: string, decl: string) => { if (!columns.has(col)) db.exec(`ALTER TABLE ledger_delivery ADD COLUMN ${col} ${decl}`); };
    add('fingerprint', "TEXT NOT NULL DEFAULT ''");
    add('state', "TEXT NOT NULL DEFAULT 'finished'");
    for (const c of ['learners_total', 'learners_done', 'events_appended', 'events_retracted', 'dropped']) add(c, 'INTEGER NOT NULL DEFAULT 0');
    add('events_by_type', "TEXT NOT NULL DEFAULT '{}'");
    add('newly_covered', "TEXT NOT NULL DEFAULT '[]'");
    db.exec(DDL);
    const lost = db.prepare('SELECT id FROM ledger_delivery WHERE finished_at IS NULL').pluck().all() as number[];
    for (const id of lost) {
      for (const spec of Object.values(FACT_TABLES)) {
        db.prepare(`INSERT OR IGNORE INTO ledger_pending (delivery, learner_id) SELECT ?, learner_id FROM ${spec.table} WHERE delivery = ?`).run(id, id);
      }
      // Its dates' completeness was never applied; only its facts are kept, as an abandoned delivery's are.
      db.prepare("UPDATE ledger_delivery SET state = 'deriving', known_at = COALESCE(known_at, started_at) WHERE id = ?").run(id);
    }
  }

  /** Run `fn` in one write transaction of its own (no appends). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- deliveries

  /** The delivery an interrupted import left behind, if any. */
  unfinished(): DeliveryRow | null {
    const id = this.stmt("SELECT id FROM ledger_delivery WHERE state IN ('reading', 'deriving') ORDER BY id LIMIT 1").pluck().get() as number | undefined;
    return id === undefined ? null : this.delivery(id);
  }

  /** The newest finished delivery with its stored summary. */
  latestFinished(): (DeliveryRow & { readonly summary: unknown }) | null {
    const r = this.stmt("SELECT id, summary FROM ledger_delivery WHERE state = 'finished' ORDER BY id DESC LIMIT 1").get() as { id: number; summary: string | null } | undefined;
    if (r === undefined || r.summary === null) return null;
    return { ...this.delivery(r.id), summary: JSON.parse(r.summary) as unknown };
  }

  startDelivery(dir: string, fingerprint: string, startedAt: string, knownAt: string): number {
    return Number(this.stmt("INSERT INTO ledger_delivery (dir, fingerprint, started_at, known_at, state) VALUES (?, ?, ?, ?, 'reading')").run(dir, fingerprint, startedAt, knownAt).lastInsertRowid);
  }

  delivery(id: number): DeliveryRow {
    const r = this.stmt('SELECT * FROM ledger_delivery WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    if (!r) throw new Error(`no delivery ${id}`);
    return deliveryOfRow(id, r);
  }

  setState(id: number, state: DeliveryState): void {
    this.stmt('UPDATE ledger_delivery SET state = ? WHERE id = ?').run(state, id);
  }

  fileProgress(delivery: number, file: string): FileProgress | null {
    const r = this.stmt('SELECT * FROM ledger_delivery_file WHERE delivery = ? AND file = ?').get(delivery, file) as Record<string, number | string> | undefined;
    if (!r) return null;
    return {
      file, rows: Number(r['rows']), accepted: Number(r['accepted']), rejected: Number(r['rejected']), inserted: Number(r['inserted']),
      changed: Number(r['changed']), unchanged: Number(r['unchanged']), repeated: Number(r['repeated']), recordsDone: Number(r['records_done']),
      rejectsBytes: Number(r['rejects_bytes']), rejectsByCode: JSON.parse(String(r['rejects_by_code'])) as Record<string, number>, done: Number(r['done']) === 1,
    };
  }

  fileProgressAll(delivery: number): FileProgress[] {
    const files = this.stmt('SELECT file FROM ledger_delivery_file WHERE delivery = ? ORDER BY rowid').pluck().all(delivery) as string[];
    return files.map((f) => this.fileProgress(delivery, f)!);
  }

  saveFileProgress(delivery: number, p: FileProgress): void {
    this.stmt(`INSERT INTO ledger_delivery_file (delivery, file, rows, accepted, rejected, inserted, changed, unchanged, repeated, records_done, rejects_bytes, rejects_by_code, done)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (delivery, file) DO UPDATE SET rows = excluded.rows, accepted = excluded.accepted, rejected = excluded.rejected, inserted = excluded.inserted,
        changed = excluded.changed, unchanged = excluded.unchanged, repeated = excluded.repeated, records_done = excluded.records_done,
        rejects_bytes = excluded.rejects_bytes, rejects_by_code = excluded.rejects_by_code, done = excluded.done`)
      .run(delivery, p.file, p.rows, p.accepted, p.rejected, p.inserted, p.changed, p.unchanged, p.repeated, p.recordsDone, p.rejectsBytes, JSON.stringify(p.rejectsByCode), p.done ? 1 : 0);
  }

  finish(id: number, finishedAt: string, summary: unknown): void {
    this.stmt("UPDATE ledger_delivery SET state = 'finished', finished_at = ?, summary = ? WHERE id = ?").run(finishedAt, JSON.stringify(summary), id);
    this.stmt('DELETE FROM ledger_delivered_date WHERE delivery = ?').run(id);
    this.stmt('DELETE FROM ledger_pending_reference WHERE delivery = ?').run(id);
  }

  // --- facts

  /**
   * Upsert one fact by natural key. Within one delivery a second row with the
   * same key and other content is a conflict (the caller rejects it); across
   * deliveries a changed row is a correction. A learner whose facts changed is
   * marked for derivation in the same transaction.
   */
  upsert(kind: FactKind, learnerId: string, key: readonly string[], content: string, line: number, delivery: number, marked?: Set<string>): UpsertOutcome {
    // Most rows of a delivery are new facts (every row of a first one): tried as an insert first, one statement instead of two.
    if (this.s.insert[kind].run(learnerId, ...key, content, line, delivery).changes === 1) return this.inserted(delivery, learnerId, marked);
    return this.upsertStored(kind, learnerId, key, content, line, delivery, marked);
  }

  /**
   * INSERT_CHUNK fact rows of one kind, from `from` on, inserted where their
   * key is new, in one statement: a statement per row cost SQLite about 1.3
   * us of each row's 3. Says which were inserted: all of them (a first
   * delivery), none (a re-delivery), or, rarely, some, by their lines (a
   * file's lines are distinct). A RETURNING clause would say so too, but cost
   * a fifth of the insert, and reading a delivery waits on these inserts. The
   * caller settles the others with upsertStored, in order, and each inserted
   * one with inserted().
   */
  insertNew(kind: FactKind, rows: readonly { learnerId: string; key: readonly string[]; content: string; line: number }[], from: number, delivery: number): 'all' | 'none' | Set<number> {
    const width = 4 + FACT_TABLES[kind].keys.length;
    const args = (this.chunkArgs[width] ??= new Array<unknown>(INSERT_CHUNK * width));
    let at = 0;
    for (let i = from; i < from + INSERT_CHUNK; i++) {
      const r = rows[i]!;
      args[at++] = r.learnerId;
      for (const k of r.key) args[at++] = k;
      args[at++] = r.content;
      args[at++] = r.line;
      args[at++] = delivery;
    }
    const { changes } = this.s.insertChunk[kind].run(args);
    if (changes === INSERT_CHUNK) return 'all';
    if (changes === 0) return 'none';
    // A stored row is this chunk's own when it has this delivery and the row's line: a key repeated in the file, or
    // stored before, keeps the line it had, and the same line is never applied twice (a resumed read skips what committed).
    const lines = new Set<number>();
    for (let i = from; i < from + INSERT_CHUNK; i++) {
      const r = rows[i]!;
      const stored = this.s.get[kind].get(r.learnerId, ...r.key) as { line: number; delivery: number };
      if (stored.delivery === delivery && stored.line === r.line) lines.add(r.line);
    }
    return lines;
  }

  /** Argument arrays of insertNew, by row width. */
  private readonly chunkArgs: unknown[][] = [];

  /** A row just inserted as a new fact: its learner is marked for derivation. */
  inserted(delivery: number, learnerId: string, marked?: Set<string>): UpsertOutcome {
    this.markOnce(delivery, learnerId, marked);
    return 'inserted';
  }

  /** A fact row whose key the ledger holds already: repeated, a conflict, unchanged or changed (see upsert). */
  upsertStored(kind: FactKind, learnerId: string, key: readonly string[], content: string, line: number, delivery: number, marked?: Set<string>): UpsertOutcome {
    const prior = this.s.get[kind].get(learnerId, ...key) as { content: string; line: number; delivery: number };
    if (prior.delivery === delivery) return prior.content === content ? 'repeated' : { conflictLine: prior.line };
    if (prior.content === content) {
      this.s.touch[kind].run(delivery, learnerId, ...key);
      return 'unchanged';
    }
    this.s.put[kind].run(learnerId, ...key, content, line, delivery);
    this.markOnce(delivery, learnerId, marked);
    return 'changed';
  }

  /**
   * Mark a learner pending. With `marked` (the learners this transaction
   * marks) the mark waits there for markPending: a file's rows come grouped by
   * learner, a dozen enrolments each, so most marks would repeat the one
   * before, and the rest cost less written together in key order (one
   * statement a row was about a tenth of the writer's time while reading).
   */
  private markOnce(delivery: number, learnerId: string, marked: Set<string> | undefined): void {
    if (marked === undefined) this.s.pending.run(delivery, learnerId);
    else marked.add(learnerId);
  }

  /**
   * Learners marked pending: the marks markOnce kept in a transaction's set
   * (before that transaction commits), and the learners a seal finds; in key
   * order, INSERT_CHUNK to a statement.
   */
  markPending(delivery: number, learnerIds: Iterable<string>): void {
    const ids = [...learnerIds].sort();
    const args = (this.markArgs ??= new Array<unknown>(INSERT_CHUNK * 2));
    let i = 0;
    for (; i + INSERT_CHUNK <= ids.length; i += INSERT_CHUNK) {
      for (let j = 0; j < INSERT_CHUNK; j++) {
        args[2 * j] = delivery;
        args[2 * j + 1] = ids[i + j];
      }
      this.s.pendingChunk.run(args);
    }
    for (; i < ids.length; i++) this.s.pending.run(delivery, ids[i]);
  }

  private markArgs: unknown[] | undefined;

  recordDeliveredDate(delivery: number, referenceDate: string): void {
    this.stmt('INSERT OR IGNORE INTO ledger_delivered_date (delivery, reference_date) VALUES (?, ?)').run(delivery, referenceDate);
  }

  deliveredDates(delivery: number): string[] {
    return this.stmt('SELECT reference_date FROM ledger_delivered_date WHERE delivery = ? ORDER BY reference_date').pluck().all(delivery) as string[];
  }

  /**
   * Rows of the delivered reference dates from earlier deliveries, which the
   * new complete counts of those dates no longer hold: deleted (in one scan of
   * the table), the learner of each row returned.
   */
  dropMissingEnrolments(referenceDates: readonly string[], delivery: number): string[] {
    if (referenceDates.length === 0) return [];
    return this.stmt('DELETE FROM ledger_enrolment WHERE delivery <> ? AND reference_date IN (SELECT value FROM json_each(?)) RETURNING learner_id')
      .pluck().all(delivery, JSON.stringify(referenceDates)) as string[];
  }

  coveredReferenceDates(): string[] {
    return this.stmt('SELECT reference_date FROM ledger_covered ORDER BY reference_date').pluck().all() as string[];
  }

  /** Each covered date with the delivery that first brought it and when that delivery was known. */
  coverage(): { referenceDate: string; delivery: number; knownAt: string }[] {
    return (this.stmt(`SELECT c.reference_date, c.delivery, COALESCE(d.known_at, d.started_at, '1970-01-01T00:00:00.000Z') AS known_at
      FROM ledger_covered c LEFT JOIN ledger_delivery d ON d.id = c.delivery ORDER BY c.reference_date`).raw(true).all() as [string, number, string][])
      .map(([referenceDate, delivery, knownAt]) => ({ referenceDate, delivery, knownAt }));
  }

  cover(referenceDate: string, delivery: number): void {
    this.stmt('INSERT OR IGNORE INTO ledger_covered (reference_date, delivery) VALUES (?, ?)').run(referenceDate, delivery);
  }

  learnersOn(referenceDate: string): string[] {
    return this.stmt('SELECT learner_id FROM ledger_enrolment WHERE reference_date = ?').pluck().all(referenceDate) as string[];
  }

  recordSeal(delivery: number, o: { dropped: number; newlyCovered: readonly string[]; learnersTotal: number }): void {
    this.stmt("UPDATE ledger_delivery SET state = 'deriving', dropped = ?, newly_covered = ?, learners_total = ? WHERE id = ?")
      .run(o.dropped, JSON.stringify(o.newlyCovered), o.learnersTotal, delivery);
  }

  pendingCount(delivery: number): number {
    return this.stmt('SELECT COUNT(*) FROM ledger_pending WHERE delivery = ?').pluck().get(delivery) as number;
  }

  /** The next learners to derive, in learner-id order; after `after` when given (a batch not yet committed is still pending). */
  nextPending(delivery: number, limit: number, after?: string): string[] {
    return after === undefined
      ? this.stmt('SELECT learner_id FROM ledger_pending WHERE delivery = ? ORDER BY learner_id LIMIT ?').pluck().all(delivery, limit) as string[]
      : this.stmt('SELECT learner_id FROM ledger_pending WHERE delivery = ? AND learner_id > ? ORDER BY learner_id LIMIT ?').pluck().all(delivery, after, limit) as string[];
  }

  /** Learners derived and appended: no longer pending, counted in the delivery. */
  derived(delivery: number, learnerIds: readonly string[], counts: { events: number; retracted: number; byType: Readonly<Record<string, number>> }): void {
    const del = this.stmt('DELETE FROM ledger_pending WHERE delivery = ? AND learner_id = ?');
    for (const id of learnerIds) del.run(delivery, id);
    const row = this.stmt('SELECT events_by_type FROM ledger_delivery WHERE id = ?').pluck().get(delivery) as string;
    this.stmt('UPDATE ledger_delivery SET learners_done = learners_done + ?, events_appended = events_appended + ?, events_retracted = events_retracted + ?, events_by_type = ? WHERE id = ?')
      .run(learnerIds.length, counts.events, counts.retracted, addByType(row, counts.byType), delivery);
  }

  // --- reference data

  upsertArea(area: string, name: string, parent: string | null): boolean {
    const prior = this.stmt('SELECT name, parent FROM ledger_area WHERE area = ?').get(area) as { name: string; parent: string | null } | undefined;
    if (prior && prior.name === name && prior.parent === parent) return false;
    this.stmt('INSERT INTO ledger_area (area, name, parent) VALUES (?, ?, ?) ON CONFLICT (area) DO UPDATE SET name = excluded.name, parent = excluded.parent').run(area, name, parent);
    return true;
  }

  upsertInstitution(i: { institution: string; name: string; board: string | null; municipality: string | null; kind: string | null }): boolean {
    const prior = this.stmt('SELECT name, board, municipality, kind FROM ledger_institution WHERE institution = ?').get(i.institution) as Record<string, unknown> | undefined;
    if (prior && prior['name'] === i.name && prior['board'] === i.board && prior['municipality'] === i.municipality && prior['kind'] === i.kind) return false;
    this.stmt(`INSERT INTO ledger_institution (institution, name, board, municipality, kind) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (institution) DO UPDATE SET name = excluded.name, board = excluded.board, municipality = excluded.municipality, kind = excluded.kind`).run(i.institution, i.name, i.board, i.municipality, i.kind);
    return true;
  }

  upsertSchoolGroup(g: { institution: string; group: string; validFrom: string; validTo: string | null }): boolean {
    const prior = this.stmt('SELECT valid_to FROM ledger_school_group WHERE institution = ? AND grp = ? AND valid_from = ?').get(g.institution, g.group, g.validFrom) as { valid_to: string | null } | undefined;
    if (prior && prior.valid_to === g.validTo) return false;
    this.stmt('INSERT INTO ledger_school_group (institution, grp, valid_from, valid_to) VALUES (?, ?, ?, ?) ON CONFLICT (institution, grp, valid_from) DO UPDATE SET valid_to = excluded.valid_to')
      .run(g.institution, g.group, g.validFrom, g.validTo);
    return true;
  }

  /** A reference-data event to append when the delivery finishes (with the ledger change that caused it). */
  addPendingReference(delivery: number, row: ReferenceRow): void {
    const seq = (this.stmt('SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger_pending_reference WHERE delivery = ?').pluck().get(delivery) as number);
    this.stmt('INSERT INTO ledger_pending_reference (delivery, seq, stream, type, data) VALUES (?, ?, ?, ?, ?)').run(delivery, seq, row.stream, row.type, JSON.stringify(row.data));
  }

  pendingReferences(delivery: number): ReferenceRow[] {
    return (this.stmt('SELECT stream, type, data FROM ledger_pending_reference WHERE delivery = ? ORDER BY seq').raw(true).all(delivery) as [string, string, string][])
      .map(([stream, type, data]) => ({ stream, type, data: JSON.parse(data) as Record<string, unknown> }));
  }

  areaParents(): Map<string, string | null> {
    const rows = this.stmt('SELECT area, parent FROM ledger_area').raw(true).all() as [string, string | null][];
    return new Map(rows);
  }

  /** Every fact of these learners, for derivation. */
  loadFacts(learnerIds: readonly string[]): Map<string, LearnerFacts> {
    return decodeFactRows(learnerIds, this.loadFactRows(learnerIds));
  }

  /**
   * The ledger rows of these learners as stored (arrays of cells, cheap to
   * hand to another thread), to be turned into facts by decodeFactRows.
   */
  loadFactRows(learnerIds: readonly string[]): FactRows {
    return this.factRows(learnerIds);
  }

  /**
   * The ledger as canonical text, rows in key order, without wall-clock times
   * (when a delivery started or finished): two ledgers that hold the same
   * facts and deliveries dump the same, however often an import was resumed.
   */
  dump(): string {
    const out: string[] = [];
    for (const [name, columns, order] of this.dumpTables()) {
      out.push(`# ${name}`);
      for (const r of this.stmt(`SELECT ${columns} FROM ${name} ORDER BY ${order}`).raw(true).all() as unknown[][]) out.push(JSON.stringify(r));
    }
    return out.join('\n') + '\n';
  }

  /**
   * The same text a line at a time, for a ledger too large for one string.
   * The rows are iterated while `write` may wait: nothing else may use the
   * connection meanwhile (a dump is a command of its own).
   */
  async dumpTo(write: (line: string) => void | Promise<void>): Promise<void> {
    for (const [name, columns, order] of this.dumpTables()) {
      await write(`# ${name}`);
      for (const r of this.stmt(`SELECT ${columns} FROM ${name} ORDER BY ${order}`).raw(true).iterate() as Iterable<unknown[]>) await write(JSON.stringify(r));
    }
  }

  /** What a dump holds, table by table: name, columns and key order. */
  private dumpTables(): [string, string, string][] {
    return [
      ...Object.values(FACT_TABLES).map((spec): [string, string, string] => [spec.table, '*', ['learner_id', ...spec.keys].join(', ')]),
      ['ledger_covered', '*', 'reference_date'],
      ['ledger_area', '*', 'area'],
      ['ledger_institution', '*', 'institution'],
      ['ledger_school_group', '*', 'institution, grp, valid_from'],
      ['ledger_delivery', 'id, dir, fingerprint, known_at, state, learners_total, learners_done, events_appended, events_retracted, events_by_type, dropped, newly_covered', 'id'],
      ['ledger_delivery_file', 'delivery, file, rows, accepted, rejected, inserted, changed, unchanged, repeated, records_done, rejects_bytes, rejects_by_code, done', 'delivery, file'],
      ['ledger_pending', '*', 'delivery, learner_id'],
      ['ledger_delivered_date', '*', 'delivery, reference_date'],
      ['ledger_pending_reference', '*', 'delivery, seq'],
    ];
  }

  /** How many facts the ledger holds of a learner. */
  factCount(learnerId: string): number {
    let n = 0;
    for (const spec of Object.values(FACT_TABLES)) n += this.stmt(`SELECT COUNT(*) FROM ${spec.table} WHERE learner_id = ?`).pluck().get(learnerId) as number;
    return n;
  }

  /** Erasure: no fact of the learner may remain. */
  forgetLearner(learnerId: string): number {
    let n = 0;
    for (const kind of Object.keys(FACT_TABLES) as FactKind[]) n += this.s.forget[kind].run(learnerId).changes;
    this.stmt('DELETE FROM ledger_pending WHERE learner_id = ?').run(learnerId);
    return n;
  }
}

/**
 * Loads the ledger rows of given learners on a connection: the ledger's own,
 * or a derive worker's read-only one on the same file (derive-batch.ts),
 * which in WAL mode reads the last committed state while the writer appends.
 */
export function sqliteFactRowsLoader(db: Database.Database): (learnerIds: readonly string[]) => FactRows {
  const load = Object.entries(FACT_TABLES).map(([kind, s]) =>
    [kind as FactKind, db.prepare(`SELECT learner_id, ${s.keys.join(', ')}, content, line FROM ${s.table} WHERE learner_id IN (SELECT value FROM json_each(?))`).raw(true)] as const);
  return (learnerIds) => {
    const ids = JSON.stringify(learnerIds);
    const rows = {} as Record<FactKind, FactRows[FactKind]>;
    for (const [kind, statement] of load) rows[kind] = statement.all(ids) as (string | number)[][];
    return rows;
  };
}
