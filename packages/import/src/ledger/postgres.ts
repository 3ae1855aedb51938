import { join, resolve } from 'node:path';
import { learnerStream } from '@leerroutes/domain';
import type { StreamAppend } from '@leerroutes/event-store';
import { columnQuery, columnSql, isJoined, type PostgresEventStore, type PostgresQuery } from '@leerroutes/event-store/postgres';
import type { FactKind } from '../fact-codec.js';
import { FACT_TABLES, type FactRows } from './fact-rows.js';
import {
  deliveryOfRow,
  addByType, isPacked, REFERENCE_TABLES,
  type DeliveryRow, type FactRow, type FileProgress, type ImportLedger, type LedgerRow, type ReferenceDataRow, type ReferenceRow, type ReferenceTable, type RowOutcome,
} from './port.js';
import { ledgerSchemaOf, migrateLedger } from './postgres-schema.js';

type Cells = readonly (string | null)[];
type Stored = { content: string; line: number; delivery: number };

/** Column lists as the SQLite ledger's `SELECT *` gives them, for dump(). */
const DUMP_COLUMNS = {
  covered: 'reference_date, delivery',
  area: 'area, name, parent',
  institution: 'institution, name, board, municipality, kind',
  schoolGroup: 'institution, grp, valid_from, valid_to',
  delivery: 'id, dir, fingerprint, known_at, state, learners_total, learners_done, events_appended, events_retracted, events_by_type, dropped, newly_covered',
  file: 'delivery, file, rows, accepted, rejected, inserted, changed, unchanged, repeated, records_done, rejects_bytes, rejects_by_code, done',
  pending: 'delivery, learner_id',
  deliveredDate: 'delivery, reference_date',
  pendingReference: 'delivery, seq, stream, type, data',
};

/**
 * The ledger's statements that take a batch's keys (tests read their plans),
 * for the ledger in schema `L`. Each comes with arrays and with joined
 * columns (columnQuery): a batch's keys and rows are its columns. Lookups by
 * a list of keys go key by key through the primary keys (LATERAL; OFFSET 0
 * keeps the planner from flattening it), as the store's do (its store.ts says
 * why): as a join or `= ANY`, each batch read a whole fact table.
 */
export function ledgerStatements(L: string) {
  const t = (name: string) => `${L}.${name}`;
  const both = (make: (joined: boolean) => string): [string, string] => [make(false), make(true)];
  const keyColumns = (kind: FactKind) => ['learner_id', ...FACT_TABLES[kind].keys];
  const once = <T>(make: (kind: FactKind) => T): ((kind: FactKind) => T) => {
    const made = new Map<FactKind, T>();
    return (kind) => made.get(kind) ?? made.set(kind, make(kind)).get(kind)!;
  };
  const insertRows = (kind: FactKind, joined: boolean) => {
    const cols = keyColumns(kind);
    const n = cols.length;
    return `INSERT INTO ${t(FACT_TABLES[kind].table)} (${cols.join(', ')}, content, line, delivery)
           SELECT * FROM unnest(${[...cols.map((_, i) => columnSql(i + 1, 'text', joined)), columnSql(n + 1, 'text', joined), columnSql(n + 2, 'int', joined), columnSql(n + 3, 'int', joined)].join(', ')})`;
  };
  return {
    /** The stored rows under a batch's keys. */
    stored: once((kind) => both((joined) => {
      const cols = keyColumns(kind);
      return `SELECT ${cols.map((c) => `t.${c}`).join(', ')}, t.content, t.line, t.delivery
         FROM unnest(${cols.map((_, i) => columnSql(i + 1, 'text', joined)).join(', ')}) AS k(${cols.join(', ')})
         CROSS JOIN LATERAL (SELECT * FROM ${t(FACT_TABLES[kind].table)} t WHERE ${cols.map((c) => `t.${c} = k.${c}`).join(' AND ')} OFFSET 0) t`;
    })),
    /** Rows under keys the ledger may not hold yet, each key once: those it does hold are left as they are. */
    insertNew: once((kind) => both((joined) => `${insertRows(kind, joined)} ON CONFLICT DO NOTHING`)),
    upsert: once((kind) => both((joined) => `${insertRows(kind, joined)}
           ON CONFLICT (${keyColumns(kind).join(', ')}) DO UPDATE SET content = excluded.content, line = excluded.line, delivery = excluded.delivery`)),
    /** A derive batch's learners' facts, learner by learner. */
    factsOf: once((kind) => both((joined) => {
      const keys = keyColumns(kind);
      return `SELECT ${[...keys, 'content', 'line'].map((c) => `t.${c}`).join(', ')} FROM unnest(${columnSql(1, 'text', joined)}) AS k(learner_id)
         CROSS JOIN LATERAL (SELECT * FROM ${t(FACT_TABLES[kind].table)} t WHERE t.learner_id = k.learner_id OFFSET 0) t
         ORDER BY ${keys.map((c) => `t.${c}`).join(', ')}`;
    })),
    // The delivery goes as a column of one value, so that every parameter is a column.
    markPending: both((joined) => `INSERT INTO ${t('ledger_pending')} (delivery, learner_id) SELECT (${columnSql(1, 'int', joined)})[1], unnest(${columnSql(2, 'text', joined)}) ON CONFLICT DO NOTHING`),
    markDelivered: both((joined) => `INSERT INTO ${t('ledger_delivered_date')} (delivery, reference_date) SELECT (${columnSql(1, 'int', joined)})[1], unnest(${columnSql(2, 'text', joined)}) ON CONFLICT DO NOTHING`),
    /**
     * A derived batch: its pending rows ($1 the delivery, $2 its learners) found key by key and deleted by row id,
     * and the delivery's events by type read. Its text keeps `SELECT events_by_type` (the resume test's fault
     * injector waits for it).
     */
    batchDone: `WITH gone AS (
             SELECT p.ctid AS tid FROM unnest($2::text[]) AS k(learner_id)
             CROSS JOIN LATERAL (SELECT ctid FROM ${t('ledger_pending')} p WHERE p.delivery = $1 AND p.learner_id = k.learner_id OFFSET 0) p
           ), done AS (DELETE FROM ${t('ledger_pending')} WHERE ctid = ANY (ARRAY(SELECT tid FROM gone)))
           SELECT events_by_type FROM ${t('ledger_delivery')} WHERE id = $1`,
  };
}

/**
 * The ledger in the PostgreSQL log's database, in a schema of its own
 * (ledgerSchemaOf). Set-based: a batch of rows costs one query for the stored
 * rows under its keys, the per-row outcomes are worked out in memory in file
 * order (so a row sees the rows before it, as the SQLite loop does), and the
 * final state of each key touched is written with one statement per table.
 * Appends and the ledger rows they go with share one transaction of the log
 * (writeTransaction, under the append lock).
 */
export async function postgresImportLedger(store: PostgresEventStore): Promise<ImportLedger> {
  const L = ledgerSchemaOf(store.schema);
  await migrateLedger(store, L);
  const t = (name: string) => `${L}.${name}`;

  const deliveryOf = async (q: PostgresQuery, id: number): Promise<DeliveryRow> => {
    const r = (await q.query(`SELECT * FROM ${t('ledger_delivery')} WHERE id = $1`, [id])).rows[0] as Record<string, unknown> | undefined;
    if (!r) throw new Error(`no delivery ${id}`);
    return deliveryOfRow(id, r);
  };

  const column = (rows: readonly Record<string, unknown>[], name: string) => rows.map((r) => r[name] as string);

  const { stored, insertNew, upsert, factsOf, markPending, markDelivered, batchDone } = ledgerStatements(L);

  /** Facts of one kind, in batch order: outcomes into `out`, then the final state of every key touched written at once. */
  async function applyFacts(q: PostgresQuery, delivery: number, kind: FactKind, rows: readonly [number, FactRow][], out: RowOutcome[]): Promise<void> {
    const spec = FACT_TABLES[kind];
    const cols = ['learner_id', ...spec.keys];
    // Each row's key, made once (both passes below need it).
    const keys = rows.map(([, r]) => JSON.stringify([r.learnerId, ...r.key]));
    // Each key's first row in batch order, which is what the ledger holds of a key it did not hold before.
    const first = new Map<string, FactRow>();
    rows.forEach(([, r], j) => {
      if (!first.has(keys[j]!)) first.set(keys[j]!, r);
    });
    const firsts = [...first.values()];
    const keyCells = cols.map((_, c) => firsts.map((r) => (c === 0 ? r.learnerId : r.key[c - 1]!)));
    // Inserted first (the SQLite ledger's insertNew does the same): in a first delivery every key is new, and the batch
    // then needs no lookup of stored rows at all. When only some keys were new, the lookup finds the rows just inserted
    // too, known by this delivery and their line; those count as not held before.
    const { rowCount } = await q.query(...columnQuery(insertNew(kind), [
      ...keyCells, firsts.map((r) => r.content), firsts.map((r) => r.line), firsts.map(() => delivery),
    ]));
    const fresh = new Set<string>(rowCount === first.size ? first.keys() : []);
    const state = new Map<string, Stored>();
    if (fresh.size < first.size) {
      const found = await q.query(...columnQuery(stored(kind), keyCells));
      for (const r of found.rows as Record<string, unknown>[]) {
        const key = JSON.stringify(cols.map((c) => r[c]));
        const held = { content: String(r['content']), line: Number(r['line']), delivery: Number(r['delivery']) };
        if (rowCount !== 0 && held.delivery === delivery && held.line === first.get(key)!.line) fresh.add(key);
        else state.set(key, held);
      }
    }
    const dirty = new Set<string>();
    const pending = new Set<string>();
    const dates = new Set<string>();
    for (let j = 0; j < rows.length; j++) {
      const [i, r] = rows[j]!;
      const key = keys[j]!;
      const prior = state.get(key);
      let o: RowOutcome;
      if (prior === undefined || (prior.delivery !== delivery && prior.content !== r.content)) {
        o = prior === undefined ? 'inserted' : 'changed';
        state.set(key, { content: r.content, line: r.line, delivery });
        // A fresh key's first row is stored as it is (insertNew).
        if (!fresh.has(key)) dirty.add(key);
        pending.add(r.learnerId);
      } else if (prior.delivery === delivery) {
        o = prior.content === r.content ? 'repeated' : { conflictLine: prior.line };
      } else {
        // Unchanged: it now belongs to this delivery (its line stays that of the row first stored).
        o = 'unchanged';
        state.set(key, { ...prior, delivery });
        dirty.add(key);
      }
      if (kind === 'enrolment' && typeof o !== 'object') dates.add(r.key[0]!);
      out[i] = o;
    }
    if (dirty.size > 0) {
      const keys = [...dirty];
      const cells = keys.map((k) => JSON.parse(k) as string[]);
        await q.query(...columnQuery(upsert(kind), [
        ...cols.map((_, c) => cells.map((k) => k[c]!)), keys.map((k) => state.get(k)!.content), keys.map((k) => state.get(k)!.line), keys.map((k) => state.get(k)!.delivery),
      ]));
    }
    if (pending.size > 0) await q.query(...columnQuery(markPending, [[delivery], [...pending]]));
    if (dates.size > 0) await q.query(...columnQuery(markDelivered, [[delivery], [...dates]]));
  }

  /** Reference rows of one table: a row is new or changed unless the stored values equal its own; changed ones queue their event. */
  async function applyReferences(q: PostgresQuery, delivery: number, table: ReferenceTable, rows: readonly [number, ReferenceDataRow][], out: RowOutcome[]): Promise<void> {
    const spec = REFERENCE_TABLES[table];
    const keyOf = (k: Cells) => JSON.stringify(k);
    const distinct = new Map<string, Cells>();
    for (const [, r] of rows) distinct.set(keyOf(r.key), r.key);
    const found = await q.query(
      `SELECT ${[...spec.keys, ...spec.values].map((c) => `t.${c}`).join(', ')} FROM ${t(spec.table)} t
       JOIN unnest(${spec.keys.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS k(${spec.keys.join(', ')}) USING (${spec.keys.join(', ')})`,
      spec.keys.map((_, c) => [...distinct.values()].map((k) => k[c]!)),
    );
    const state = new Map<string, Cells>();
    for (const r of found.rows as Record<string, string | null>[]) state.set(keyOf(spec.keys.map((c) => r[c]!)), spec.values.map((c) => r[c] ?? null));
    const dirty = new Set<string>();
    const events: ReferenceRow[] = [];
    for (const [i, r] of rows) {
      const key = keyOf(r.key);
      const prior = state.get(key);
      if (prior !== undefined && prior.every((v, j) => v === (r.values[j] ?? null))) {
        out[i] = 'unchanged';
        continue;
      }
      state.set(key, r.values.map((v) => v ?? null));
      dirty.add(key);
      events.push(r.event);
      out[i] = 'inserted';
    }
    if (dirty.size > 0) {
      const keys = [...dirty];
      const cells = keys.map((k) => JSON.parse(k) as string[]);
      const all = [...spec.keys, ...spec.values];
      await q.query(
        `INSERT INTO ${t(spec.table)} (${all.join(', ')}) SELECT * FROM unnest(${all.map((_, i) => `$${i + 1}::text[]`).join(', ')})
         ON CONFLICT (${spec.keys.join(', ')}) DO UPDATE SET ${spec.values.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [...spec.keys.map((_, c) => cells.map((k) => k[c]!)), ...spec.values.map((_, c) => keys.map((k) => state.get(k)![c]!))],
      );
    }
    if (events.length > 0) {
      await q.query(
        `INSERT INTO ${t('ledger_pending_reference')} (delivery, seq, stream, type, data)
         SELECT $1, (SELECT COALESCE(MAX(seq), 0) FROM ${t('ledger_pending_reference')} WHERE delivery = $1) + ord, stream, type, data
         FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(stream, type, data, ord)`,
        [delivery, events.map((e) => e.stream), events.map((e) => e.type), events.map((e) => JSON.stringify(e.data))],
      );
    }
  }

  async function saveFileProgress(q: PostgresQuery, delivery: number, p: FileProgress): Promise<void> {
    await q.query(`INSERT INTO ${t('ledger_delivery_file')} (delivery, file, rows, accepted, rejected, inserted, changed, unchanged, repeated, records_done, rejects_bytes, rejects_by_code, done)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
      ON CONFLICT (delivery, file) DO UPDATE SET rows = excluded.rows, accepted = excluded.accepted, rejected = excluded.rejected, inserted = excluded.inserted,
        changed = excluded.changed, unchanged = excluded.unchanged, repeated = excluded.repeated, records_done = excluded.records_done,
        rejects_bytes = excluded.rejects_bytes, rejects_by_code = excluded.rejects_by_code, done = excluded.done`,
    [delivery, p.file, p.rows, p.accepted, p.rejected, p.inserted, p.changed, p.unchanged, p.repeated, p.recordsDone, p.rejectsBytes, JSON.stringify(p.rejectsByCode), p.done ? 1 : 0]);
  }

  const coveredReferenceDates = async (q: PostgresQuery): Promise<string[]> =>
    column((await q.query(`SELECT reference_date FROM ${t('ledger_covered')} ORDER BY reference_date`)).rows, 'reference_date');

  async function forget(q: PostgresQuery, learnerId: string): Promise<number> {
    const { rows } = await q.query<{ n: number }>(
      `WITH ${Object.values(FACT_TABLES).map((spec, i) => `f${i} AS (DELETE FROM ${t(spec.table)} WHERE learner_id = $1 RETURNING 1)`).join(', ')},
         p AS (DELETE FROM ${t('ledger_pending')} WHERE learner_id = $1)
       SELECT (${Object.values(FACT_TABLES).map((_, i) => `(SELECT COUNT(*) FROM f${i})`).join(' + ')})::int AS n`, [learnerId]);
    return rows[0]!.n;
  }

  const markPendingOn = (q: PostgresQuery, delivery: number, referenceDate: string) =>
    q.query(`INSERT INTO ${t('ledger_pending')} (delivery, learner_id) SELECT $1, learner_id FROM ${t('ledger_enrolment')} WHERE reference_date = $2 ON CONFLICT DO NOTHING`, [delivery, referenceDate]);

  const dumpTo = async (write: (line: string) => void | Promise<void>): Promise<void> => {
    const table = async (name: string, columns: string, order: string) => {
      await write(`# ${name}`);
      const cols = columns.split(', ');
      for (const r of (await store.query(`SELECT ${columns} FROM ${t(name)} ORDER BY ${order}`)).rows as Record<string, unknown>[]) await write(JSON.stringify(cols.map((c) => r[c])));
    };
    for (const spec of Object.values(FACT_TABLES)) {
      await table(spec.table, ['learner_id', ...spec.keys, 'content', 'line', 'delivery'].join(', '), ['learner_id', ...spec.keys].join(', '));
    }
    await table('ledger_covered', DUMP_COLUMNS.covered, 'reference_date');
    await table('ledger_area', DUMP_COLUMNS.area, 'area');
    await table('ledger_institution', DUMP_COLUMNS.institution, 'institution');
    await table('ledger_school_group', DUMP_COLUMNS.schoolGroup, 'institution, grp, valid_from');
    await table('ledger_delivery', DUMP_COLUMNS.delivery, 'id');
    await table('ledger_delivery_file', DUMP_COLUMNS.file, 'delivery, file');
    await table('ledger_pending', DUMP_COLUMNS.pending, 'delivery, learner_id');
    await table('ledger_delivered_date', DUMP_COLUMNS.deliveredDate, 'delivery, reference_date');
    await table('ledger_pending_reference', DUMP_COLUMNS.pendingReference, 'delivery, seq');
  };

  return {
    appendEncoding: 'postgres',
    lock: (command) => store.acquireLock('import', command),
    defaultRejectsPath: (delivery, rejectsDir) => join(resolve(rejectsDir ?? 'rejects'), `${store.schema}-delivery-${delivery}.csv`),

    async unfinished() {
      const r = (await store.query<{ id: number }>(`SELECT id FROM ${t('ledger_delivery')} WHERE state IN ('reading', 'deriving') ORDER BY id LIMIT 1`)).rows[0];
      return r === undefined ? null : deliveryOf(store, r.id);
    },
    async latestFinished() {
      const r = (await store.query<{ id: number; summary: string | null }>(`SELECT id, summary FROM ${t('ledger_delivery')} WHERE state = 'finished' ORDER BY id DESC LIMIT 1`)).rows[0];
      return r === undefined || r.summary === null ? null : deliveryOf(store, r.id);
    },
    async startDelivery(dir, fingerprint, startedAt, knownAt) {
      // Numbered as SQLite's INTEGER PRIMARY KEY numbers them (the highest plus one), not by a sequence, so both ledgers agree.
      const { rows } = await store.query<{ id: number }>(
        `INSERT INTO ${t('ledger_delivery')} (id, dir, fingerprint, started_at, known_at, state)
         SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, 'reading' FROM ${t('ledger_delivery')} RETURNING id`, [dir, fingerprint, startedAt, knownAt]);
      return deliveryOf(store, rows[0]!.id);
    },
    delivery: (id) => deliveryOf(store, id),
    async fileProgressAll(delivery) {
      const { rows } = await store.query(`SELECT * FROM ${t('ledger_delivery_file')} WHERE delivery = $1 ORDER BY first_read`, [delivery]);
      return (rows as Record<string, unknown>[]).map((r) => ({
        file: String(r['file']), rows: Number(r['rows']), accepted: Number(r['accepted']), rejected: Number(r['rejected']), inserted: Number(r['inserted']),
        changed: Number(r['changed']), unchanged: Number(r['unchanged']), repeated: Number(r['repeated']), recordsDone: Number(r['records_done']),
        rejectsBytes: Number(r['rejects_bytes']), rejectsByCode: JSON.parse(String(r['rejects_by_code'])) as Record<string, number>, done: Number(r['done']) === 1,
      }));
    },

    async applyRows(delivery, rows, outcome, progress) {
      await store.transaction(async (q) => {
        const out: RowOutcome[] = new Array(rows.length);
        const facts = new Map<FactKind, [number, FactRow][]>();
        const refs = new Map<ReferenceTable, [number, ReferenceDataRow][]>();
        rows.forEach((r: LedgerRow, i) => {
          if (r.kind === 'fact') (facts.get(r.fact) ?? facts.set(r.fact, []).get(r.fact)!).push([i, r]);
          else (refs.get(r.table) ?? refs.set(r.table, []).get(r.table)!).push([i, r]);
        });
        for (const [kind, group] of facts) await applyFacts(q, delivery, kind, group, out);
        for (const [table, group] of refs) await applyReferences(q, delivery, table, group, out);
        for (let i = 0; i < rows.length; i++) outcome(i, out[i]!);
        await saveFileProgress(q, delivery, progress());
      });
    },

    async seal(delivery) {
      await store.transaction(async (q) => {
        const coveredBefore = new Set(await coveredReferenceDates(q));
        const delivered = column((await q.query(`SELECT reference_date FROM ${t('ledger_delivered_date')} WHERE delivery = $1 ORDER BY reference_date`, [delivery])).rows, 'reference_date');
        let dropped = 0;
        const newlyCovered: string[] = [];
        for (const date of delivered) {
          const { rows } = await q.query<{ n: number }>(
            `WITH gone AS (DELETE FROM ${t('ledger_enrolment')} WHERE reference_date = $1 AND delivery <> $2 RETURNING learner_id),
             marked AS (INSERT INTO ${t('ledger_pending')} (delivery, learner_id) SELECT $2, learner_id FROM gone ON CONFLICT DO NOTHING)
             SELECT COUNT(*)::int AS n FROM gone`, [date, delivery]);
          dropped += rows[0]!.n;
          if (!coveredBefore.has(date)) {
            await q.query(`INSERT INTO ${t('ledger_covered')} (reference_date, delivery) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [date, delivery]);
            newlyCovered.push(date);
          }
        }
        // A newly covered date can mean a learner left (or came back) who is in no file of this delivery.
        const covered = await coveredReferenceDates(q);
        for (const date of newlyCovered) {
          const i = covered.indexOf(date);
          for (const neighbour of [covered[i - 1], covered[i + 1]]) {
            if (neighbour !== undefined && coveredBefore.has(neighbour)) await markPendingOn(q, delivery, neighbour);
          }
        }
        await q.query(
          `UPDATE ${t('ledger_delivery')} SET state = 'deriving', dropped = $1, newly_covered = $2,
             learners_total = (SELECT COUNT(*) FROM ${t('ledger_pending')} WHERE delivery = $3) WHERE id = $3`,
          [dropped, JSON.stringify(newlyCovered), delivery]);
      });
    },

    coveredReferenceDates: () => coveredReferenceDates(store),
    async areaParents() {
      const { rows } = await store.query<{ area: string; parent: string | null }>(`SELECT area, parent FROM ${t('ledger_area')}`);
      return new Map(rows.map((r) => [r.area, r.parent]));
    },
    async nextPending(delivery, limit, after) {
      // Two statements rather than one with `$2 IS NULL OR ...`, so that each is a plain range scan of the primary key.
      const { rows } = after === undefined
        ? await store.query(`SELECT learner_id FROM ${t('ledger_pending')} WHERE delivery = $1 ORDER BY learner_id LIMIT $2`, [delivery, limit])
        : await store.query(`SELECT learner_id FROM ${t('ledger_pending')} WHERE delivery = $1 AND learner_id > $3 ORDER BY learner_id LIMIT $2`, [delivery, limit, after]);
      return column(rows, 'learner_id');
    },
    async loadFactRows(ids) {
      const out = {} as Record<FactKind, (string | number)[][]>;
      for (const [kind, spec] of Object.entries(FACT_TABLES) as [FactKind, (typeof FACT_TABLES)[FactKind]][]) {
        const cols = ['learner_id', ...spec.keys, 'content', 'line'];
        const { rows } = await store.query(...columnQuery(factsOf(kind), [[...new Set(ids)]]));
        out[kind] = (rows as Record<string, string | number>[]).map((r) => cols.map((c) => r[c]!));
      }
      return out as FactRows;
    },
    readStreams: (streams) => store.readStreamsNamed(streams),
    async commitDerived(delivery, ids, counts, appends) {
      return store.writeTransaction(async (tx) => {
        if (isJoined(appends)) await tx.appendJoined(appends);
        else if (isPacked(appends)) throw new Error('appends packed for the SQLite log cannot go into a PostgreSQL log');
        else if (appends.length > 0) await tx.append(appends);
        const before = (await tx.query<{ events_by_type: string }>(
          batchDone, [delivery, ids])).rows[0]!.events_by_type;
        const { rows } = await tx.query<{ learners_done: number }>(
          `UPDATE ${t('ledger_delivery')} SET learners_done = learners_done + $2, events_appended = events_appended + $3, events_retracted = events_retracted + $4,
             events_by_type = $5 WHERE id = $1 RETURNING learners_done`,
          [delivery, ids.length, counts.events, counts.retracted, addByType(before, counts.byType)]);
        return rows[0]!.learners_done;
      });
    },

    async pendingReferences(delivery) {
      const { rows } = await store.query<{ stream: string; type: string; data: string }>(`SELECT stream, type, data FROM ${t('ledger_pending_reference')} WHERE delivery = $1 ORDER BY seq`, [delivery]);
      return rows.map((r) => ({ stream: r.stream, type: r.type, data: JSON.parse(r.data) as Record<string, unknown> }));
    },
    async coverage() {
      const { rows } = await store.query<{ reference_date: string; delivery: number; known_at: string }>(
        `SELECT c.reference_date, c.delivery, COALESCE(d.known_at, d.started_at, '1970-01-01T00:00:00.000Z') AS known_at
         FROM ${t('ledger_covered')} c LEFT JOIN ${t('ledger_delivery')} d ON d.id = c.delivery ORDER BY c.reference_date`);
      return rows.map((r) => ({ referenceDate: r.reference_date, delivery: r.delivery, knownAt: r.known_at }));
    },
    async finish(delivery, appends, finishedAt, summary) {
      return store.writeTransaction(async (tx) => {
        const results = await tx.append(appends);
        await tx.query(
          `WITH dates AS (DELETE FROM ${t('ledger_delivered_date')} WHERE delivery = $1), refs AS (DELETE FROM ${t('ledger_pending_reference')} WHERE delivery = $1)
           UPDATE ${t('ledger_delivery')} SET state = 'finished', finished_at = $2, summary = $3 WHERE id = $1`,
          [delivery, finishedAt, JSON.stringify(summary(results))]);
        return results;
      });
    },

    dumpTo,
    async dump() {
      const out: string[] = [];
      await dumpTo((line) => { out.push(line); });
      return out.join('\n') + '\n';
    },

    async factCount(learnerId) {
      const { rows } = await store.query<{ n: number }>(
        `SELECT (${Object.values(FACT_TABLES).map((s) => `(SELECT COUNT(*) FROM ${t(s.table)} WHERE learner_id = $1)`).join(' + ')})::int AS n`, [learnerId]);
      return rows[0]!.n;
    },
    forgetLearner: (learnerId) => store.transaction((q) => forget(q, learnerId)),
    eraseLearner: (learnerId, audit) => store.writeTransaction(async (tx) => {
      const gone = { eventsRemoved: await tx.eraseStream(learnerStream(learnerId)), factsRemoved: await forget(tx, learnerId) };
      await tx.append(audit(gone));
      return gone;
    }),
  };
}
