import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import {
  COVERAGE_STREAM, CURRENT_SCHEMA_VERSION, learnerStream, schoolYearOf, type ExistingEvent,
} from '@leerroutes/domain';
import { deterministicEventId, type EventStore, type NewEvent, type RecordedEvent, type StreamAppend } from '@leerroutes/event-store';
import { readCsv } from './csv.js';
import { readItemBatches, type ReadItem } from './read-items.js';
import { startStripedRead } from './read-stripes.js';
import { startThreadRead, type ThreadRead } from './read-thread.js';
import type { DeriveInput, DeriveOutput, DeriveSetup } from './derive-batch.js';
import type { Worker } from 'node:worker_threads';
import { defaultDeriveWorkers, inlineDeriver, threadDeriver } from './derive-thread.js';
import { startImportWorker } from './worker.js';
import { ImportError } from './errors.js';
import { REGISTRATION_FILES, type FactFile, type ReferenceFile } from './files.js';
import { openLedger } from './ledger/open.js';
import type { DeliveryRow, FileProgress, ImportLedger, LedgerRow, RowOutcome } from './ledger/port.js';
import { RejectsWriter, type RawRow } from './rejects.js';
import type { RowReject } from './rows.js';
import type { FileSummary, ImportSummary } from './summary.js';

export interface ImportProgress {
  readonly phase: 'read' | 'derive';
  readonly file: string;
  readonly rows: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly learnersDone: number;
  readonly learnersTotal: number;
}

export interface ImportOptions {
  readonly dir: string;
  /**
   * The event log: the SQLite or the PostgreSQL event store. The ledger lives
   * beside it (in the log's file, or in its database) and commits with the appends.
   */
  readonly store: EventStore;
  /** Kept for callers of the earlier API: the ledger now always lives beside the log. */
  readonly ledgerPath?: string;
  /** When the source delivered these facts (ISO date or timestamp); default: when the delivery started. */
  readonly knownAt?: string;
  readonly rejectsFile?: string;
  /**
   * Where a delivery's rejects go when no rejectsFile is given. Default: a
   * `rejects` directory beside a SQLite log; `./rejects` for PostgreSQL, whose
   * log has no directory of its own.
   */
  readonly rejectsDir?: string;
  readonly onProgress?: (p: ImportProgress) => void;
  /** Told when an interrupted delivery is taken up again, before its work resumes. */
  readonly onResume?: (delivery: { readonly id: number; readonly dir: string; readonly state: 'reading' | 'deriving'; readonly learnersDone: number; readonly learnersTotal: number }) => void;
  readonly clock?: () => Date;
  /** Learners derived per append transaction. */
  readonly batchLearners?: number;
  /** Rows read per ledger transaction (default 5000). */
  readonly batchRows?: number;
  /** Derive in a worker thread while the log is appended to (default); false derives in the calling thread. */
  readonly deriveInThread?: boolean;
  /** Worker threads deriving (default: two, or one on a single core). */
  readonly deriveWorkers?: number;
  /** Bytes read from a file at a time (default READ_CHUNK_BYTES, 128 KiB). */
  readonly readChunkBytes?: number;
  /** Bytes of a stripe of a large file, which the workers read in turns (default STRIPE_BYTES, 512 KiB; read-stripes.ts). */
  readonly stripeBytes?: number;
}

export { ImportError } from './errors.js';

export { eventsToAppend } from './derive-batch.js';

const ROW_BATCH = 5000;

/**
 * Import a directory of yearly registration files (SPEC section 7) as one
 * delivery that survives being killed at any instant. Its state lives in the
 * ledger, beside the log (ledger/port.ts):
 *
 * 1. reading: each file's rows are validated and upserted into the ledger in
 *    batches; a batch's upserts, the learners it changed (marked pending) and
 *    the file's read position commit together. Killed here, the same command
 *    skips the records already committed and reads on. The file is read,
 *    split into records, validated and turned into ledger rows in an import
 *    worker, a few chunks ahead of this thread, which only applies the rows
 *    (read-thread.ts); with deriveInThread: false all of it happens here.
 * 2. sealing (one transaction): a delivered reference date is the complete
 *    count for that date, so earlier rows of it that this delivery lacks are
 *    dropped and their learners marked pending; newly covered dates mark the
 *    learners of neighbouring dates.
 * 3. deriving: pending learners, in id order and in batches, are derived and
 *    reconciled with their streams; a batch's appended events and the removal
 *    of its learners from the pending set commit together.
 * 4. finishing: reference data and coverage events are appended and the
 *    delivery is marked finished, together.
 *
 * Event ids are content addressed, so nothing depends on when or how often a
 * step ran: an interrupted import, run again with the same command, ends with
 * exactly the log and ledger of an uninterrupted one.
 */
export async function importDirectory(options: ImportOptions): Promise<ImportSummary> {
  const clock = options.clock ?? (() => new Date());
  const t0 = performance.now();
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ImportError(`no such directory: ${options.dir}`);
  const present = REGISTRATION_FILES.filter((f) => existsSync(join(dir, f.name)));
  if (present.length === 0) throw new ImportError(`${options.dir} holds none of ${REGISTRATION_FILES.map((f) => f.name).join(', ')}`);
  const knownAtAsked = options.knownAt === undefined ? undefined : normaliseKnownAt(options.knownAt);

  // A file whose header cannot be read refuses the whole delivery before anything of it is stored:
  // otherwise a delivery could be left half read with files that can never be read to its end.
  for (const f of present) await checkHeader(join(dir, f.name), f.required);
  const ledger = await openLedger(options.store);
  const release = await ledger.lock('import');
  try {
    let delivery = await ledger.unfinished();
    if (delivery !== null) {
      const same = delivery.dir === dir && delivery.fingerprint === fingerprint(dir, present);
      if (delivery.state === 'reading' && !same) {
        throw new ImportError(delivery.dir === dir
          ? `the files in ${dir} changed since delivery ${delivery.id} was interrupted while they were being read; put the delivered files back and run the import again to finish it`
          : `delivery ${delivery.id} of ${delivery.dir} was interrupted while its files were being read; run 'pathways import ${delivery.dir}' again to finish it first`);
      }
      if (same && knownAtAsked !== undefined && knownAtAsked !== delivery.knownAt) {
        throw new ImportError(`delivery ${delivery.id} of ${dir} was started with known-at ${delivery.knownAt}; run it again with that date to finish it`);
      }
      options.onResume?.({ id: delivery.id, dir: delivery.dir, state: delivery.state as 'reading' | 'deriving', learnersDone: delivery.learnersDone, learnersTotal: delivery.learnersTotal });
      const summary = await runDelivery(delivery, options, ledger, present, clock, t0, true);
      // The interrupted delivery was this one: finishing it is what the command asked for.
      if (same) return summary;
    }
    // The same files as the latest delivery add nothing; counting them again as a new delivery would only
    // renumber the ledger, so a command that is simply repeated (after its catch-up was interrupted, say) is a no-op.
    const latest = await ledger.latestFinished();
    if (latest !== null && latest.dir === dir && latest.fingerprint === fingerprint(dir, present) && (knownAtAsked === undefined || knownAtAsked === latest.knownAt)) {
      const seconds = (performance.now() - t0) / 1000;
      return {
        delivery: latest.id, dir, resumed: false, alreadyImported: true, knownAt: latest.knownAt, files: [], missingFiles: [],
        rejected: 0, rejectsByReason: {}, rejectsFile: null, droppedEnrolments: 0, newlyCoveredReferenceDates: [], learnersRederived: 0,
        eventsAppended: 0, eventsByType: {}, eventsRetracted: 0, seconds, rowsPerSecond: 0, eventsPerSecond: 0,
      };
    }
    const startedAt = clock().toISOString();
    delivery = await ledger.startDelivery(dir, fingerprint(dir, present), startedAt, knownAtAsked ?? startedAt);
    return await runDelivery(delivery, options, ledger, present, clock, performance.now(), false);
  } finally {
    await release();
  }
}

/**
 * The header is the first line: read in small chunks, so that only the first
 * few records are read with it. In chunks of 1 MiB every import first read a
 * MiB of each large file, 145-200 ms at 110,000 learners, then threw it away.
 */
const HEADER_CHUNK_BYTES = 16 * 1024;

async function checkHeader(path: string, required: readonly string[]): Promise<void> {
  const records = readCsv(path, required, undefined, HEADER_CHUNK_BYTES);
  try {
    await records.next();
  } finally {
    await records.return(undefined);
  }
}

/** What identifies a delivery's files: names, sizes and modification times. */
function fingerprint(dir: string, files: readonly { name: string }[]): string {
  const h = createHash('sha1');
  for (const f of files) {
    const st = statSync(join(dir, f.name));
    h.update(`${f.name}\u0000${st.size}\u0000${st.mtimeMs}\u0000`);
  }
  return h.digest('hex');
}

async function runDelivery(
  start: DeliveryRow, options: ImportOptions, ledger: ImportLedger, present: readonly (FactFile | ReferenceFile)[],
  clock: () => Date, t0: number, resumed: boolean,
): Promise<ImportSummary> {
  const id = start.id;
  const rejectsPath = options.rejectsFile ?? ledger.defaultRejectsPath(id, options.rejectsDir);
  // Started now, so that they are loaded (a good part of a second through tsx) by the time the files are read.
  const deriveWorkers = options.deriveInThread === false ? 0 : Math.max(1, options.deriveWorkers ?? defaultDeriveWorkers());
  const pool = Array.from({ length: deriveWorkers }, () => startImportWorker());
  try {
    if (start.state === 'reading') {
      const done = await ledger.fileProgressAll(id);
      const rejects = RejectsWriter.resume(rejectsPath, Math.max(0, ...done.map((p) => p.rejectsBytes)));
      const progressOf = (file: FactFile | ReferenceFile) => done.find((p) => p.file === file.name);
      // Each file is read on a worker (taking turns) while the one before it is applied, so that its first chunks are
      // ready; a large fact file read from its start by all of them, in stripes (read-stripes.ts).
      const read = (i: number): ThreadRead | null => {
        const file = present[i];
        const stored = file && progressOf(file);
        if (file === undefined || pool.length === 0 || stored?.done) return null;
        const path = join(start.dir, file.name);
        const skip = stored?.recordsDone ?? 0;
        const striped = file.kind === 'fact' && skip === 0 ? startStripedRead(pool, file, path, options.readChunkBytes, options.stripeBytes) : null;
        return striped ?? startThreadRead(pool[i % pool.length]!, file, path, skip, options.readChunkBytes);
      };
      let next = read(0);
      try {
        for (const [i, file] of present.entries()) {
          const path = join(start.dir, file.name);
          const current = next;
          next = read(i + 1);
          const items = (skip: number) => {
            if (current === null) return readItemBatches(file, path, skip, options.readChunkBytes);
            if (current.skip !== skip) throw new Error(`${file.name} was read from record ${current.skip}, not ${skip}`);
            return current.items();
          };
          try {
            await readFile(file, items, id, progressOf(file), ledger, rejects, options);
          } finally {
            current?.stop();
          }
        }
      } finally {
        next?.stop();
        await rejects.close();
      }
      await ledger.seal(id);
    }
    await derive(id, options, ledger, start.knownAt, deriveWorkers === 0 ? null : pool);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return finish(id, ledger, rejectsPath, clock, t0, resumed);
}

// --- 1. reading

type RowItem = Extract<ReadItem, { kind: 'row' }>;

async function readFile(
  file: FactFile | ReferenceFile, items: (skip: number) => AsyncIterable<Iterable<ReadItem>>, delivery: number, stored: FileProgress | undefined,
  ledger: ImportLedger, rejects: RejectsWriter, options: ImportOptions,
): Promise<void> {
  const progress: FileProgress = stored ?? {
    file: file.name, rows: 0, accepted: 0, rejected: 0, inserted: 0, changed: 0, unchanged: 0, repeated: 0,
    recordsDone: 0, rejectsBytes: 0, rejectsByCode: {}, done: false,
  };
  if (progress.done) return;
  const reject = (line: number, r: RowReject, raw: RawRow) => {
    progress.rejected++;
    progress.rejectsByCode[r.code] = (progress.rejectsByCode[r.code] ?? 0) + 1;
    rejects.write(file.name, line, r, raw);
  };
  /** Each row's outcome, counted in the file's progress; a conflicting duplicate is rejected after all. */
  const count = (r: LedgerRow, item: RowItem, outcome: RowOutcome) => {
    if (typeof outcome === 'object') {
      const f = r as Extract<LedgerRow, { kind: 'fact' }>;
      progress.accepted--;
      const raw = typeof item.raw === 'function' ? item.raw({ line: f.line, offset: item.offset! }) : item.raw;
      reject(f.line, { code: 'duplicate-key', message: `same natural key (${[f.learnerId, ...f.key].join(', ')}) as line ${outcome.conflictLine} with different content` }, raw);
    } else if (r.kind === 'reference') {
      progress[outcome === 'unchanged' ? 'unchanged' : 'inserted']++;
    } else {
      progress[outcome]++;
    }
  };
  let batch: LedgerRow[] = [];
  let raws: RowItem[] = [];
  let records = 0;
  // One ledger transaction per batch: its rows, their outcomes' rejects and the file's read position commit together.
  const commit = async (final: boolean) => {
    const [rows, rawRows] = [batch, raws];
    batch = [];
    raws = [];
    await ledger.applyRows(delivery, rows, (i, o) => count(rows[i]!, rawRows[i]!, o), () => {
      progress.recordsDone = records;
      progress.done = final;
      progress.rejectsBytes = rejects.flush();
      return progress;
    });
  };
  for await (const chunk of items(progress.recordsDone)) for (const item of chunk) {
    switch (item.kind) {
      case 'skipped':
        records += item.records;
        continue;
      case 'bytes':
        options.onProgress?.({ phase: 'read', file: file.name, rows: progress.rows, bytes: item.bytes, totalBytes: item.totalBytes, learnersDone: 0, learnersTotal: 0 });
        continue;
      case 'reject':
        records++;
        progress.rows++;
        reject(item.line, item.reject, item.raw);
        continue;
      case 'row':
        records++;
        progress.rows++;
        progress.accepted++;
        batch.push(item.row);
        raws.push(item);
        if (batch.length >= (options.batchRows ?? ROW_BATCH)) await commit(false);
    }
  }
  await commit(true);
}

// --- 3. deriving

async function derive(delivery: number, options: ImportOptions, ledger: ImportLedger, knownAt: string, workers: readonly Worker[] | null): Promise<void> {
  // On worker threads, each worker loads its batches' facts from the ledger's file, if it has one: the writer then
  // neither reads them nor posts them over, and that was a tenth of its time.
  const workersLoad = workers !== null && ledger.factsFile !== undefined;
  const setup: DeriveSetup = {
    delivery, knownAt, coveredReferenceDates: await ledger.coveredReferenceDates(), areaParents: [...await ledger.areaParents()], encoding: ledger.appendEncoding,
    ...(workersLoad ? { factsFile: ledger.factsFile } : {}),
  };
  const size = options.batchLearners ?? 1000;
  const total = (await ledger.delivery(delivery)).learnersTotal;
  // Nothing left to derive (a resumed delivery killed after its last batch).
  if ((await ledger.nextPending(delivery, 1)).length === 0) return;
  const deriver = workers === null ? inlineDeriver(setup) : threadDeriver(setup, workers);
  /** The next batches are read and handed to the deriver before the current one is appended. */
  const next = async (after: string | undefined) => {
    const ids = await ledger.nextPending(delivery, size, after);
    if (ids.length === 0) return null;
    const output = deriver.derive(await deriveInput(ids, ledger, !workersLoad));
    // Settled later, or never when an earlier batch fails: that must not surface as an unhandled rejection.
    output.catch(() => undefined);
    return { ids, output };
  };
  try {
    const inFlight: { ids: string[]; output: Promise<DeriveOutput> }[] = [];
    let last: string | undefined;
    let more = true;
    const fill = async () => {
      while (more && inFlight.length < deriver.ahead + 1) {
        const b = await next(last);
        if (b === null) more = false;
        else {
          inFlight.push(b);
          last = b.ids[b.ids.length - 1];
        }
      }
    };
    for (;;) {
      // The batch to append and, behind it, `ahead` more being derived meanwhile.
      await fill();
      const batch = inFlight.shift();
      if (batch === undefined) break;
      const { appends, counts } = await batch.output;
      const r = await ledger.commitDerived(delivery, batch.ids, counts, appends);
      if (E.isLeft(r)) {
        const err = r.left;
        throw new ImportError(err.kind === 'WrongExpectedRevision'
          ? `another writer changed ${err.stream} during the import (expected revision ${String(err.expected)}, found ${String(err.actual)}); run the import again: it goes on where it stopped`
          : `event store unavailable: ${err.message}`);
      }
      options.onProgress?.({ phase: 'derive', file: '', rows: 0, bytes: 0, totalBytes: 0, learnersDone: r.right, learnersTotal: total });
    }
  } finally {
    await deriver.close();
  }
}

/**
 * What derivation needs of these learners: their ledger rows (unless the
 * deriver loads them) and, only for learners whose stream exists (none on a
 * first import), its imported events.
 */
async function deriveInput(ids: readonly string[], ledger: ImportLedger, withFacts: boolean): Promise<DeriveInput> {
  const streams = await ledger.readStreams(ids.map(learnerStream));
  const existing: [string, number, ExistingEvent[]][] = [];
  for (const id of ids) {
    const events = streams.get(learnerStream(id));
    if (events !== undefined && events.length > 0) existing.push([id, events[events.length - 1]!.revision, events.map(toExisting)]);
  }
  return { learnerIds: ids, facts: withFacts ? await ledger.loadFactRows(ids) : null, existing };
}

function toExisting(e: RecordedEvent): ExistingEvent {
  const key = typeof e.metadata['key'] === 'string' ? e.metadata['key'] : null;
  return e.type === 'Retracted'
    ? { eventId: e.eventId, type: e.type, key: null, retracts: (e.data as { retracted: string[] }).retracted }
    : { eventId: e.eventId, type: e.type, key };
}

// --- 4. finishing

async function finish(
  delivery: number, ledger: ImportLedger, rejectsPath: string, clock: () => Date, t0: number, resumed: boolean,
): Promise<ImportSummary> {
  const d = await ledger.delivery(delivery);
  const byStream = new Map<string, NewEvent[]>();
  const add = (stream: string, e: NewEvent) => (byStream.get(stream) ?? byStream.set(stream, []).get(stream)!).push(e);
  for (const [i, ref] of (await ledger.pendingReferences(delivery)).entries()) {
    const { source: _source, ...content } = ref.data;
    add(ref.stream, {
      eventId: deterministicEventId(ref.type, JSON.stringify(content), String(delivery), String(i)), type: ref.type,
      schemaVersion: CURRENT_SCHEMA_VERSION[ref.type as keyof typeof CURRENT_SCHEMA_VERSION], data: ref.data, occurredOn: null, knownAt: d.knownAt,
    });
  }
  // Every covered date has its coverage event; those of earlier deliveries are already stored and skipped by id.
  for (const c of await ledger.coverage()) {
    add(COVERAGE_STREAM, {
      eventId: deterministicEventId('ReferenceDateCovered', c.referenceDate), type: 'ReferenceDateCovered', schemaVersion: CURRENT_SCHEMA_VERSION.ReferenceDateCovered,
      data: { referenceDate: c.referenceDate, schoolYear: schoolYearOf(c.referenceDate), delivery: c.delivery, occurredOn: c.referenceDate, source: { system: 'import', file: `delivery-${c.delivery}` } },
      occurredOn: c.referenceDate, knownAt: c.delivery === delivery ? d.knownAt : c.knownAt,
    });
  }
  const appends: StreamAppend[] = [...byStream].map(([stream, events]) => ({ stream, expectedRevision: 'any', events }));
  const progress = await ledger.fileProgressAll(delivery);
  const files: FileSummary[] = progress.map((p) => ({
    file: p.file, rows: p.rows, accepted: p.accepted, rejected: p.rejected, inserted: p.inserted, changed: p.changed, unchanged: p.unchanged, repeated: p.repeated,
  }));
  const byCode: Record<string, number> = {};
  for (const p of progress) for (const [k, v] of Object.entries(p.rejectsByCode)) byCode[k] = (byCode[k] ?? 0) + v;
  const rejected = files.reduce((n, f) => n + f.rejected, 0);
  const seconds = (performance.now() - t0) / 1000;
  const rows = files.reduce((n, f) => n + f.rows, 0);
  let referenceEvents = 0;
  const byType = { ...d.eventsByType };
  const summary = (): ImportSummary => ({
    delivery, dir: d.dir, resumed, alreadyImported: false, files,
    missingFiles: REGISTRATION_FILES.filter((f) => f.kind === 'fact' && !files.some((s) => s.file === f.name)).map((f) => f.name),
    rejected, rejectsByReason: byCode, rejectsFile: rejected > 0 ? rejectsPath : null,
    droppedEnrolments: d.dropped, newlyCoveredReferenceDates: d.newlyCovered,
    learnersRederived: d.learnersDone, eventsAppended: d.eventsAppended + referenceEvents, eventsByType: byType, eventsRetracted: d.eventsRetracted,
    knownAt: d.knownAt, seconds, rowsPerSecond: rows / seconds, eventsPerSecond: (d.eventsAppended + referenceEvents) / seconds,
  });
  const r = await ledger.finish(delivery, appends, clock().toISOString(), (results) => {
    // Each reference stream holds one event type; on a resumed finish some may be stored already (and skipped).
    results.forEach((result, i) => {
      if (result.appended === 0) return;
      referenceEvents += result.appended;
      const type = appends[i]!.events[0]!.type;
      byType[type] = (byType[type] ?? 0) + result.appended;
    });
    return summary();
  });
  if (E.isLeft(r)) throw new ImportError(`could not append reference data: ${JSON.stringify(r.left)}`);
  return summary();
}

/** knownAt is compared as text with recordedAt, so both are full ISO timestamps. */
export function normaliseKnownAt(input: string): string {
  const s = input.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00.000Z`;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new ImportError(`--known-at '${input}' is not a date (2017-06-01) or timestamp`);
  return d.toISOString();
}
