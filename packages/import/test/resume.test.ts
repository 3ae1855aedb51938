/**
 * An import that stops half-way (here: its progress callback throws at a
 * chosen moment, standing in for a crash between two committed batches; the
 * real SIGKILL is exercised by `pnpm faults`) and is run again with the same
 * command ends with exactly the log and ledger of an uninterrupted import.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { PostgresLockedError, type PostgresEventStore } from '@leerroutes/event-store/postgres';
import { LogLockedError, type SqliteEventStore } from '@leerroutes/event-store/sqlite';
import { postgresForTests } from '@leerroutes/event-store/test-support/postgres';
import { importDirectory, type ImportProgress } from '../src/index.js';
import { describeEachStore, HEADERS, row, workspace, type FileName, type Workspace } from './fixtures.js';

const pg = await postgresForTests();

const learners = Array.from({ length: 30 }, (_, i) => `L${String(i).padStart(3, '0')}`);
const first = {
  'learners.csv': learners.map((id, i) => `${id},2000-0${1 + (i % 9)},${i % 2 ? 'f' : 'm'},2011-08-01,0,middle,none,NL`),
  'advice.csv': learners.map((id) => `${id},2011-2012,2012-03-01,01PO,final,havo,`),
  'enrollments.csv': learners.flatMap((id) => [row(id, 2012, 'vo', '10AA', 'havo', 1), row(id, 2013, 'vo', '10AA', 'havo', 2)]),
  'areas.csv': ['NL,Nederland,', 'RDAM,Rotterdam,NL'],
};
/** The 2013 count again, corrected (a third of the learners moved down, one left), plus 2014. */
const second = {
  'enrollments.csv': learners.flatMap((id, i) => [
    ...(i === 7 ? [] : [row(id, 2013, 'vo', '10AA', i % 3 === 0 ? 'vmbo-t' : 'havo', 2)]),
    ...(i === 7 ? [] : [row(id, 2014, 'vo', '10AA', i % 3 === 0 ? 'vmbo-t' : 'havo', 3)]),
  ]),
  'institutions.csv': ['10AA,Het College,B1,GM0599,vo'],
};

class Stop extends Error {}

/** Throws at the n-th progress report of the given phase: the import stops between two committed batches. */
const stopAt = (phase: ImportProgress['phase'], n: number) => {
  let seen = 0;
  return (p: ImportProgress) => {
    if (p.phase === phase && ++seen === n) throw new Stop(`stopped at ${phase} ${n}`);
  };
};

async function state(ws: Workspace): Promise<string> {
  const lines: string[] = [];
  for await (const batch of ws.store.readAll()) for (const e of batch) lines.push(JSON.stringify([e.position, e.stream, e.revision, e.eventId, e.type, e.data, e.knownAt]));
  return `${lines.join('\n')}\n${await (await ws.ledger()).dump()}`;
}

describeEachStore('an interrupted import, run again', pg, (kind) => {
  let ws: Workspace;
  let reference: string;
  // The delivered files live outside the workspaces, so every run reads the very same files.
  let files: string;
  beforeAll(() => {
    files = mkdtempSync(join(tmpdir(), 'leerroutes-deliveries-'));
    for (const [name, content] of [['d1', first], ['d2', second]] as const) {
      mkdirSync(join(files, name));
      for (const [file, lines] of Object.entries(content)) writeFileSync(join(files, name, file), [HEADERS[file as FileName], ...lines].join('\n') + '\n');
    }
  });
  afterAll(() => rmSync(files, { recursive: true, force: true }));
  const deliveries = () => [join(files, 'd1'), join(files, 'd2')];
  const run = (dir: string, knownAt: string, extra: Partial<Parameters<typeof importDirectory>[0]> = {}) =>
    importDirectory({ dir, store: ws.store, ...kind.importOptions(ws.root), knownAt, batchRows: 7, batchLearners: 4, ...extra });

  // The uninterrupted import of both deliveries, once: every test reads the same delivered files.
  beforeAll(async () => {
    ws = await workspace(kind);
    const [d1, d2] = deliveries();
    await run(d1!, '2023-11-01');
    await run(d2!, '2024-11-01');
    reference = await state(ws);
    await ws.close();
  });
  beforeEach(async () => { ws = await workspace(kind); });
  afterEach(async () => { await ws.close(); });

  const cases: [string, 0 | 1, ImportProgress['phase'], number][] = [
    ['while reading the first delivery', 0, 'read', 3],
    ['while deriving the first delivery', 0, 'derive', 2],
    ['while reading the corrected re-delivery', 1, 'read', 2],
    ['while deriving the corrected re-delivery', 1, 'derive', 3],
  ];
  for (const [name, which, phase, n] of cases) {
    it(`ends as if never interrupted when stopped ${name}`, async () => {
      const [d1, d2] = deliveries();
      const dirs = [d1!, d2!];
      const knownAt = ['2023-11-01', '2024-11-01'];
      for (let i = 0; i < which; i++) await run(dirs[i]!, knownAt[i]!);
      await expect(run(dirs[which]!, knownAt[which]!, { onProgress: stopAt(phase, n) })).rejects.toThrow(Stop);
      const resumedFrom: string[] = [];
      const again = await run(dirs[which]!, knownAt[which]!, { onResume: (d) => resumedFrom.push(d.state) });
      expect(resumedFrom).toEqual([phase === 'read' ? 'reading' : 'deriving']);
      expect(again.resumed).toBe(true);
      for (let i = which + 1; i < dirs.length; i++) await run(dirs[i]!, knownAt[i]!);
      expect(await state(ws)).toBe(reference);
    });
  }

  it('refuses a delivery with an unreadable header before storing anything of it', async () => {
    const dir = join(files, 'bad-header');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'learners.csv'), [HEADERS['learners.csv'], ...first['learners.csv']].join('\n') + '\n');
    writeFileSync(join(dir, 'enrollments.csv'), `${HEADERS['enrollments.csv']},grade\n`);
    await expect(run(dir, '2023-11-01')).rejects.toThrow(/enrollments\.csv.*duplicate/i);
    expect(await ws.store.headPosition()).toBe(0);
    expect(await (await ws.ledger()).unfinished()).toBeNull();
    // Mended, it imports as the first delivery.
    writeFileSync(join(dir, 'enrollments.csv'), [HEADERS['enrollments.csv'], ...first['enrollments.csv']].join('\n') + '\n');
    await expect(run(dir, '2023-11-01')).resolves.toMatchObject({ delivery: 1 });
  });

  it('refuses another directory while a delivery is half read, naming the one to finish', async () => {
    const [d1, d2] = deliveries();
    await expect(run(d1!, '2023-11-01', { onProgress: stopAt('read', 2) })).rejects.toThrow(Stop);
    await expect(run(d2!, '2024-11-01')).rejects.toThrow(/delivery 1 of .*d1 was interrupted while its files were being read/);
  });

  it('finishes a half-derived delivery of another directory first, then imports the one asked for', async () => {
    const [d1, d2] = deliveries();
    await expect(run(d1!, '2023-11-01', { onProgress: stopAt('derive', 2) })).rejects.toThrow(Stop);
    const resumed: number[] = [];
    const summary = await run(d2!, '2024-11-01', { onResume: (d) => resumed.push(d.id) });
    expect(resumed).toEqual([1]);
    expect(summary.delivery).toBe(2);
    expect(await state(ws)).toBe(reference);
  });

  if (kind.name === 'SQLite') it('lets one import run at a time, and takes over the lock of one that was killed', async () => {
    const [d1] = deliveries();
    const db = (ws.store as SqliteEventStore).database;
    // Another live process (our parent) holds the lock.
    const release = (ws.store as SqliteEventStore).acquireLock('import', 'import');
    release();
    db.prepare("INSERT INTO log_lock (name, pid, host, started, since, command) VALUES ('import', ?, ?, NULL, '2026-01-01T00:00:00.000Z', 'import')")
      .run(process.ppid, (await import('node:os')).hostname());
    await expect(run(d1!, '2023-11-01')).rejects.toThrow(LogLockedError);
    await expect(run(d1!, '2023-11-01')).rejects.toThrow(new RegExp(`another import is running on this log \\(pid ${process.ppid}`));
    // A holder killed with SIGKILL leaves its row behind; its process is gone, so the next import takes the lock over.
    db.prepare("UPDATE log_lock SET pid = 2147483646 WHERE name = 'import'").run();
    await expect(run(d1!, '2023-11-01')).resolves.toMatchObject({ delivery: 1 });
    expect(db.prepare("SELECT COUNT(*) FROM log_lock WHERE name = 'import'").pluck().get()).toBe(0);
  });

  if (kind.name === 'PostgreSQL') it('keeps a derived batch\'s events and its ledger rows in one transaction: a batch that fails half-way leaves nothing of it', async () => {
    const [d1, d2] = deliveries();
    const real = ws.store as PostgresEventStore;
    let commits = 0;
    // The log as the import sees it, but the second derived batch fails after its events were appended, before its ledger rows are written.
    const faulty = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'writeTransaction') return Reflect.get(target, prop, receiver) as unknown;
        return ((fn) => target.writeTransaction((tx) => fn({
          append: (appends) => tx.append(appends),
          appendJoined: (appends) => tx.appendJoined(appends),
          eraseStream: (stream) => tx.eraseStream(stream),
          query: (text, values) => {
            if (/SELECT events_by_type/.test(text) && ++commits === 2) throw new Stop('the ledger write of derived batch 2 failed');
            return tx.query(text, values);
          },
        }))) satisfies PostgresEventStore['writeTransaction'];
      },
    });
    await expect(run(d1!, '2023-11-01', { store: faulty })).rejects.toThrow(Stop);
    const delivery = await (await ws.ledger()).unfinished();
    expect(delivery).toMatchObject({ state: 'deriving', learnersDone: 4 });
    // Batch 1 (four learners) is in the log; of batch 2 nothing is.
    expect((await real.stats()).streamsByCategory['learner']).toBe(4);
    await run(d1!, '2023-11-01');
    await run(d2!, '2024-11-01');
    expect(await state(ws)).toBe(reference);
  });

  if (kind.name === 'PostgreSQL') it('lets one import run at a time, naming the one that runs, and lets the next in once it stopped or was killed', async () => {
    const [d1] = deliveries();
    const store = ws.store as PostgresEventStore;
    // What another process's import holds while it runs: the log's import lock, on a session of its own.
    const other = await store.acquireLock('import', 'import');
    await expect(run(d1!, '2023-11-01')).rejects.toThrow(PostgresLockedError);
    await expect(run(d1!, '2023-11-01')).rejects.toThrow(new RegExp(`another import is running on this log \\(leerroutes import, pid ${process.pid} on `));
    expect(await store.headPosition()).toBe(0);
    expect(await (await ws.ledger()).unfinished()).toBeNull();
    await other();
    // A holder killed with SIGKILL loses its session, and the lock with it.
    await store.acquireLock('import', 'import');
    await store.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'leerroutes import%'");
    await expect(retry(() => run(d1!, '2023-11-01'))).resolves.toMatchObject({ delivery: 1 });
  });
});

/** A backend that was told to end may hold its locks a moment longer. */
async function retry<T>(fn: () => Promise<T>, tries = 50): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof PostgresLockedError) || i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
