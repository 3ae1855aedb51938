/**
 * The import on the PostgreSQL event store against the same import on
 * SQLite: the same deliveries must give the same events (ids, streams,
 * revisions, payloads) and the same ledger, so that a log can move from one
 * store to the other and be imported into further without a difference.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresEventStore, PostgresLockedError, type PostgresEventStore } from '@leerroutes/event-store/postgres';
import { describeWithPostgres, postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { importDirectory, type ImportSummary } from '../src/index.js';
import { HEADERS, postgresStores, row, sqliteStores, workspace, type FileName, type StoreKind, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

const ids = Array.from({ length: 12 }, (_, i) => `L${String(i).padStart(2, '0')}`);
const first = {
  'learners.csv': ids.map((id, i) => `${id},2000-0${1 + (i % 9)},${i % 2 ? 'f' : 'm'},2011-08-01,0,middle,none,RDAM`),
  'advice.csv': ids.map((id) => `${id},2011-2012,2012-03-01,01PO,final,havo,`),
  'enrollments.csv': [
    ...ids.flatMap((id) => [row(id, 2012, 'vo', '10AA', 'havo', 1), row(id, 2013, 'vo', '10AA', 'havo', 2)]),
    row('L00', 2012, 'vo', '10AA', 'havo', 1), // an identical repeat, many batches later: repeated
    row('L01', 2013, 'vo', '10AA', 'vwo', 2), // same key as an earlier row, other content: rejected
    row('L02', 2012, 'vo', '10AA', 'hovo', 1), // an unknown level: rejected by the parser
    row('X1', 2012, 'vo', '10AA', 'vwo', 1), row('X1', 2012, 'vo', '10AA', 'vwo', 1), row('X1', 2012, 'vo', '10AA', 'havo', 1), // within one batch
  ],
  // An area defined twice in one delivery: both count, and both definitions are appended.
  'areas.csv': ['NL,Nederland,', 'RDAM,Rotterdam,NL', 'RDAM,Rotterdam (gemeente),NL'],
  'institutions.csv': ['10AA,Het College,B1,GM0599,vo', '20BB,Lyceum,B2,GM0599,vo'],
};
/** 2013 counted again and corrected, 2014 new; a changed advice, a changed and an unchanged institution. */
const second = {
  'advice.csv': ids.map((id, i) => `${id},2011-2012,2012-03-01,01PO,final,${i % 4 === 0 ? 'vwo' : 'havo'},`),
  'enrollments.csv': ids.flatMap((id, i) => i === 5 ? [] : [
    row(id, 2013, i % 3 === 0 ? 'vo' : 'vo', i % 3 === 0 ? '20BB' : '10AA', i % 3 === 0 ? 'vmbo-t' : 'havo', 2),
    row(id, 2014, 'vo', '10AA', 'havo', 3),
  ]),
  'institutions.csv': ['10AA,Het College,B1,GM0599,vo', '20BB,Het Lyceum,B2,GM0599,vo'],
};

let files: string;
beforeAll(() => {
  files = mkdtempSync(join(tmpdir(), 'leerroutes-pg-deliveries-'));
  for (const [name, content] of [['d1', first], ['d2', second]] as const) {
    mkdirSync(join(files, name));
    for (const [file, lines] of Object.entries(content)) writeFileSync(join(files, name, file), [HEADERS[file as FileName], ...lines].join('\n') + '\n');
  }
});
afterAll(() => rmSync(files, { recursive: true, force: true }));

/**
 * Everything of an event but its transaction time and its position, in log
 * order: positions are the store's own (SQLite may leave gaps where PostgreSQL does not).
 */
async function log(ws: Workspace): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of ws.store.readAll()) {
    for (const e of batch) lines.push(JSON.stringify([e.eventId, e.type, e.stream, e.revision, e.schemaVersion, e.occurredOn, e.knownAt, e.data, e.metadata]));
  }
  return lines;
}

/** A summary without what depends on the machine (time) or the store (where the rejects went). */
const comparable = ({ seconds: _s, rowsPerSecond: _r, eventsPerSecond: _e, rejectsFile, ...rest }: ImportSummary) => ({ ...rest, rejects: rejectsFile === null ? null : readFileSync(rejectsFile, 'utf8') });

describeWithPostgres('the import on PostgreSQL', pg, (db) => {
  async function importBoth(kind: StoreKind) {
    const ws = await workspace(kind);
    // Small batches: keys repeat within a batch and across batches, and derivation takes several.
    const opts = { batchRows: 5, batchLearners: 3 };
    const summaries = [
      await ws.import(join(files, 'd1'), { ...opts, knownAt: '2023-11-01' }),
      await ws.import(join(files, 'd2'), { ...opts, knownAt: '2024-11-01' }),
    ];
    return { ws, summaries: summaries.map(comparable), log: await log(ws), ledger: await (await ws.ledger()).dump() };
  }

  it('gives the events and the ledger of the SQLite import of the same deliveries, a first one and a correcting one', async () => {
    const lite = await importBoth(sqliteStores);
    const post = await importBoth(postgresStores(db));
    try {
      // The deliveries exercise what could differ: conflicts, repeats, rejects, retractions, changed reference data.
      expect(lite.summaries[0]!.rejectsByReason).toEqual({ 'duplicate-key': 2, 'unknown-level': 1 });
      expect(lite.summaries[0]!.files.find((f) => f.file === 'enrollments.csv')).toMatchObject({ repeated: 2 });
      expect(lite.summaries[1]!.eventsRetracted).toBeGreaterThan(0);
      expect(lite.summaries[1]!.eventsByType['InstitutionDefined']).toBe(1);
      expect(lite.log.length).toBeGreaterThan(ids.length * 4);

      expect(post.summaries).toEqual(lite.summaries);
      expect(post.log).toEqual(lite.log);
      expect(post.ledger).toBe(lite.ledger);
    } finally {
      await lite.ws.close();
      await post.ws.close();
    }
  });

  it('forgets a learner\'s facts on erasure and counts them first', async () => {
    const ws = await workspace(postgresStores(db));
    try {
      await ws.import(join(files, 'd1'), { knownAt: '2023-11-01' });
      const ledger = await ws.ledger();
      // One learner row, one advice, two enrolments.
      expect(await ledger.factCount('L03')).toBe(4);
      expect(await ledger.forgetLearner('L03')).toBe(4);
      expect(await ledger.factCount('L03')).toBe(0);
      expect(await ledger.factCount('L04')).toBe(4);
      expect((await ledger.dump()).split('\n').filter((l) => l.includes('"L03"'))).toEqual([]);
    } finally {
      await ws.close();
    }
  });

  it('puts the rejects, without a file or directory given, in ./rejects under the name of the log\'s schema (a PostgreSQL log has no directory)', async () => {
    const ws = await workspace(postgresStores(db));
    try {
      const ledger = await ws.ledger();
      const schema = (ws.store as PostgresEventStore).schema;
      expect(ledger.defaultRejectsPath(3)).toBe(join(process.cwd(), 'rejects', `${schema}-delivery-3.csv`));
      expect(ledger.defaultRejectsPath(3, join(ws.root, 'out'))).toBe(join(ws.root, 'out', `${schema}-delivery-3.csv`));
      const summary = await ws.import(join(files, 'd1'), { knownAt: '2023-11-01' });
      expect(summary.rejectsFile).toBe(join(ws.root, 'rejects', `${schema}-delivery-1.csv`));
      expect(readFileSync(summary.rejectsFile!, 'utf8')).toContain('enrollments.csv,');
    } finally {
      await ws.close();
    }
  });

  it('runs one import at a time: a second one started while the first runs is refused, naming it, and the first ends undisturbed', async () => {
    const ws = await workspace(postgresStores(db));
    const real = ws.store as PostgresEventStore;
    // Another process on the same log: a store of its own (its own pool and sessions) on the same schema.
    const elsewhere = await openPostgresEventStore({ connectionString: db.url(), schema: real.schema });
    try {
      const dir = join(files, 'd1');
      let reading = false;
      let second: Promise<unknown> | undefined;
      // Once the first import reads (it holds the import lock then), its next write waits until the second import has given up or finished.
      const first = new Proxy(real, {
        get(target, prop, receiver) {
          if (prop !== 'writeTransaction' || !reading) return Reflect.get(target, prop, receiver) as unknown;
          return (async (fn) => {
            second ??= importDirectory({ dir, store: elsewhere, ...ws.kind.importOptions(ws.root), knownAt: '2023-11-01' }).then((s) => s, (err: unknown) => err);
            await second;
            return target.writeTransaction(fn);
          }) satisfies PostgresEventStore['writeTransaction'];
        },
      });
      const summary = await importDirectory({ dir, store: first, ...ws.kind.importOptions(ws.root), knownAt: '2023-11-01', onProgress: (p) => { if (p.phase === 'read') reading = true; } });
      const refused = await second;
      expect(refused).toBeInstanceOf(PostgresLockedError);
      expect((refused as Error).message).toMatch(new RegExp(`^another import is running on this log \\(leerroutes import, pid ${process.pid} on [^,]+, since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(backend \\d+`));
      expect(summary).toMatchObject({ delivery: 1, alreadyImported: false });
      expect(summary.eventsAppended).toBeGreaterThan(0);
      // Once the first has finished, the second is let in (and finds the delivery imported).
      await expect(importDirectory({ dir, store: elsewhere, ...ws.kind.importOptions(ws.root), knownAt: '2023-11-01' })).resolves.toMatchObject({ delivery: 1, alreadyImported: true });
    } finally {
      await elsewhere.close();
      await ws.close();
    }
  });
});
