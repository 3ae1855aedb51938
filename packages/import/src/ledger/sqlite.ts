import { basename, dirname, extname, join, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { learnerStream } from '@leerroutes/domain';
import type { RecordedEvent, StreamAppend } from '@leerroutes/event-store';
import type { SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { INSERT_CHUNK, Ledger } from './sqlite-ledger.js';
import { isJoined, isPacked, type FactRow, type ImportLedger, type LedgerRow, type ReferenceDataRow, type RowOutcome } from './port.js';

/**
 * The ledger in the SQLite log's own file, on the log's connection: every
 * call is synchronous work in one transaction (a batch's rows are upserted
 * one by one, prepared statements, no await between them), wrapped in a
 * promise only at the batch boundary.
 */
export function sqliteImportLedger(store: SqliteEventStore): ImportLedger {
  const ledger = new Ledger(store.database);
  const now = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };
  return {
    appendEncoding: 'sqlite',
    lock: (command) => now(() => {
      const release = store.acquireLock('import', command);
      return async () => release();
    }),
    defaultRejectsPath(delivery, rejectsDir) {
      const log = resolve(store.path);
      return join(rejectsDir === undefined ? join(dirname(log), 'rejects') : resolve(rejectsDir), `${basename(log, extname(log))}-delivery-${delivery}.csv`);
    },

    unfinished: () => now(() => ledger.unfinished()),
    latestFinished: () => now(() => ledger.latestFinished()),
    startDelivery: (dir, fingerprint, startedAt, knownAt) => now(() => ledger.delivery(ledger.startDelivery(dir, fingerprint, startedAt, knownAt))),
    delivery: (id) => now(() => ledger.delivery(id)),
    fileProgressAll: (delivery) => now(() => ledger.fileProgressAll(delivery)),

    applyRows: (delivery, rows, outcome, progress) => now(() => ledger.transaction(() => {
      // A handful of reference dates over a whole batch: each recorded once (the insert is idempotent).
      const dates = new Set<string>();
      // Learners marked pending in this transaction (a set per transaction: one that rolls back takes its marks with it).
      const marked = new Set<string>();
      for (let i = 0; i < rows.length;) {
        const r = rows[i]!;
        if (r.kind === 'fact' && sameKind(rows, i, INSERT_CHUNK)) {
          // A chunk of one kind: its new facts inserted in one statement, then every row's outcome settled in order.
          const inserted = ledger.insertNew(r.fact, rows as readonly FactRow[], i, delivery);
          for (let j = i; j < i + INSERT_CHUNK; j++) {
            const f = rows[j] as FactRow;
            outcome(j, upsertFact(ledger, f, delivery, dates, marked, inserted === 'all' || (inserted !== 'none' && inserted.has(f.line))));
          }
          i += INSERT_CHUNK;
          continue;
        }
        const o: RowOutcome = r.kind === 'fact' ? upsertFact(ledger, r, delivery, dates, marked) : upsertReference(ledger, r, delivery);
        outcome(i, o);
        i++;
      }
      ledger.markPending(delivery, marked);
      for (const d of dates) ledger.recordDeliveredDate(delivery, d);
      ledger.saveFileProgress(delivery, progress());
    })),

    seal: (delivery) => now(() => ledger.transaction(() => {
      const coveredBefore = new Set(ledger.coveredReferenceDates());
      const newlyCovered: string[] = [];
      const delivered = ledger.deliveredDates(delivery);
      const gone = ledger.dropMissingEnrolments(delivered, delivery);
      const dropped = gone.length;
      ledger.markPending(delivery, gone);
      for (const date of delivered) {
        if (!coveredBefore.has(date)) {
          ledger.cover(date, delivery);
          newlyCovered.push(date);
        }
      }
      // A newly covered date can mean a learner left (or came back) who is in no file of this delivery.
      const covered = ledger.coveredReferenceDates();
      for (const date of newlyCovered) {
        const i = covered.indexOf(date);
        for (const neighbour of [covered[i - 1], covered[i + 1]]) {
          if (neighbour !== undefined && coveredBefore.has(neighbour)) ledger.markPending(delivery, ledger.learnersOn(neighbour));
        }
      }
      ledger.recordSeal(delivery, { dropped, newlyCovered, learnersTotal: ledger.pendingCount(delivery) });
    })),

    coveredReferenceDates: () => now(() => ledger.coveredReferenceDates()),
    areaParents: () => now(() => ledger.areaParents()),
    nextPending: (delivery, limit, after) => now(() => ledger.nextPending(delivery, limit, after)),
    loadFactRows: (ids) => now(() => ledger.loadFactRows(ids)),
    ...(store.path === ':memory:' ? {} : { factsFile: resolve(store.path) }),
    async readStreams(streams) {
      // One query for which exist; a first import reads none.
      const out = new Map<string, RecordedEvent[]>();
      for (const stream of (await store.streamRevisions(streams)).keys()) {
        const events = await store.readStream(stream);
        if (events.length > 0) out.set(stream, events);
      }
      return out;
    },
    commitDerived: (delivery, ids, counts, appends) => now(() => {
      const r = store.writeTransaction((tx) => {
        if (isPacked(appends)) tx.appendPacked(appends);
        else if (isJoined(appends)) throw new Error('appends joined for the PostgreSQL log cannot go into a SQLite log');
        else if (appends.length > 0) tx.append(appends);
        ledger.derived(delivery, ids, counts);
      });
      return E.isLeft(r) ? r : E.right(ledger.delivery(delivery).learnersDone);
    }),

    pendingReferences: (delivery) => now(() => ledger.pendingReferences(delivery)),
    coverage: () => now(() => ledger.coverage()),
    finish: (delivery, appends: readonly StreamAppend[], finishedAt, summary) => now(() => store.writeTransaction((tx) => {
      const results = tx.append(appends);
      ledger.finish(delivery, finishedAt, summary(results));
      return results;
    })),

    dump: () => now(() => ledger.dump()),
    dumpTo: (write) => ledger.dumpTo(write),
    factCount: (id) => now(() => ledger.factCount(id)),
    forgetLearner: (id) => now(() => ledger.transaction(() => ledger.forgetLearner(id))),
    eraseLearner: (id, audit) => now(() => store.writeTransaction((tx) => {
      const gone = { eventsRemoved: tx.eraseStream(learnerStream(id)), factsRemoved: ledger.forgetLearner(id) };
      tx.append(audit(gone));
      return gone;
    }, { secureDelete: true })),
  };
}

/** Whether rows[from, from + n) are all fact rows of rows[from]'s kind. */
function sameKind(rows: readonly LedgerRow[], from: number, n: number): boolean {
  if (from + n > rows.length) return false;
  const first = rows[from]!;
  if (first.kind !== 'fact') return false;
  for (let i = from + 1; i < from + n; i++) {
    const r = rows[i]!;
    if (r.kind !== 'fact' || r.fact !== first.fact) return false;
  }
  return true;
}

/** One fact row's outcome; `insertedNow` when a multi-row insert already tried it (true: it inserted the row). */
function upsertFact(ledger: Ledger, r: FactRow, delivery: number, dates: Set<string>, marked: Set<string>, insertedNow?: boolean): RowOutcome {
  const o = insertedNow === undefined
    ? ledger.upsert(r.fact, r.learnerId, r.key, r.content, r.line, delivery, marked)
    : insertedNow ? ledger.inserted(delivery, r.learnerId, marked) : ledger.upsertStored(r.fact, r.learnerId, r.key, r.content, r.line, delivery, marked);
  if (r.fact === 'enrolment' && typeof o !== 'object') dates.add(r.key[0]!);
  return o;
}

function upsertReference(ledger: Ledger, r: ReferenceDataRow, delivery: number): RowOutcome {
  const [k, v] = [r.key, r.values];
  const changed = r.table === 'area'
    ? ledger.upsertArea(k[0]!, v[0]!, v[1] ?? null)
    : r.table === 'institution'
      ? ledger.upsertInstitution({ institution: k[0]!, name: v[0]!, board: v[1] ?? null, municipality: v[2] ?? null, kind: v[3] ?? null })
      : ledger.upsertSchoolGroup({ institution: k[0]!, group: k[1]!, validFrom: k[2]!, validTo: v[0] ?? null });
  if (!changed) return 'unchanged';
  ledger.addPendingReference(delivery, r.event);
  return 'inserted';
}
