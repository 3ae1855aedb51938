/**
 * The gap problem: a log that hands out positions when a transaction inserts
 * but makes them visible when it commits lets a reader's checkpoint pass a
 * position that is still to come, and that event is never read. These tests
 * show the problem on a plain sequence-numbered table, then that the adapter
 * does not have it: deterministically (an append stopped halfway holds back
 * every later one), and under load (writer processes against a tailing
 * subscription). Both adapter tests fail against a variant of the adapter that
 * takes positions from a sequence without the append lock (tried by hand:
 * the fast append commits past the gated one, and the subscription misses
 * about one event in twelve).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { RecordedEvent } from '../src/port.js';
import { openPostgresEventStore } from '../src/postgres/index.js';
import { expectRight, newEvent, readAllAfter, waitFor, waitUntil } from '../test-support/conformance/helpers.js';
import { describeWithPostgres, postgresForTests, withApplicationName } from '../test-support/postgres.js';
import { batchLength, workerEventId } from './fixtures/pg-worker-events.js';

const run = promisify(execFile);
const pgForTests = await postgresForTests();

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

describeWithPostgres('PostgreSQL: positions become visible in order (the gap problem)', pgForTests, (db) => {

  it('without the fix: a reader of a sequence-numbered table skips an event that commits after a later one', async () => {
    // What the adapter must not do, spelled out with plain SQL: positions from a sequence, no append lock.
    const [slow, fast, reader] = await Promise.all([connect(db.url()), connect(db.url()), connect(db.url())]);
    try {
      await reader.query('CREATE SCHEMA naive; CREATE TABLE naive.events (position bigserial PRIMARY KEY, label text NOT NULL)');
      await slow.query('BEGIN');
      await slow.query("INSERT INTO naive.events (label) VALUES ('slow')"); // takes position 1, not yet committed
      await fast.query("INSERT INTO naive.events (label) VALUES ('fast')"); // takes position 2, commits at once

      const read = async (after: number) =>
        (await reader.query<{ position: string }>('SELECT position FROM naive.events WHERE position > $1 ORDER BY position', [after])).rows.map((r) =>
          Number(r.position),
        );
      const seen = await read(0);
      const checkpoint = seen[seen.length - 1]!;
      await slow.query('COMMIT');
      seen.push(...(await read(checkpoint)));

      expect(seen).toEqual([2]);
      expect(await read(0)).toEqual([1, 2]); // position 1 exists, and the tailing reader never saw it
    } finally {
      await Promise.all([slow, fast, reader].map((c) => c.end()));
    }
  });

  it('an append that holds positions but has not committed keeps every later append invisible until it commits', async () => {
    const schema = 'gated';
    const gateKey = 4242;
    const url = db.url();
    // Long lock timeouts: the slow append waits at the gate, the fast one behind it, as long as the test says.
    const slowWriter = await openPostgresEventStore({ connectionString: url, schema, lockTimeoutMs: 60_000 });
    const fastWriter = await openPostgresEventStore({ connectionString: withApplicationName(url, 'gap-fast-writer'), schema, lockTimeoutMs: 60_000 });
    const reader = await openPostgresEventStore({ connectionString: url, schema });
    const gate = await connect(url);
    try {
      // A trigger stops an insert of a 'Gated' event until the test opens the gate: that append has its
      // positions and is inside its transaction, like a writer descheduled just before COMMIT.
      await gate.query(`
        CREATE FUNCTION ${schema}.wait_at_gate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.type = 'Gated' THEN PERFORM pg_advisory_xact_lock_shared(${gateKey}); END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER gate BEFORE INSERT ON ${schema}.events FOR EACH ROW EXECUTE FUNCTION ${schema}.wait_at_gate();`);
      expectRight(await slowWriter.appendToStream('learner-before', [newEvent()]));
      const start = await reader.headPosition();

      const delivered: RecordedEvent[] = [];
      const sub = reader.subscribeToAll((batch) => void delivered.push(...batch), { after: start, pollIntervalMs: 10 });
      await sub.caughtUp();

      await gate.query('SELECT pg_advisory_lock($1)', [gateKey]);
      const slowEvent = newEvent({ type: 'Gated' });
      const slow = slowWriter.appendToStream('learner-slow', [slowEvent]);
      await waitUntil(
        async () => (await gate.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [gateKey])).rowCount! > 0,
        'the slow append waiting at the gate',
      );

      const fastEvent = newEvent();
      let fastSettled = false;
      const fast = fastWriter.appendToStream('learner-fast', [fastEvent]).finally(() => (fastSettled = true));
      const fastBlocked = waitUntil(
        async () =>
          fastSettled ||
          (await gate.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'gap-fast-writer' AND wait_event_type = 'Lock'`)).rowCount! > 0,
        'the fast append waiting for the slow one',
      ).then(() => (fastSettled ? ('committed' as const) : ('waits' as const)));
      // A log that let the later append commit now would have a visible position above an invisible one.
      expect(await Promise.race([fast.then(() => 'committed' as const), fastBlocked])).toBe('waits');
      expect((await readAllAfter(reader, start)).flat()).toEqual([]);

      await gate.query('SELECT pg_advisory_unlock($1)', [gateKey]);
      const [slowResult, fastResult] = [expectRight(await slow), expectRight(await fast)];
      expect(slowResult.position!).toBeLessThan(fastResult.position!);

      await waitFor(() => delivered.length === 2);
      await sub.stop();
      expect(delivered.map((e) => e.eventId)).toEqual([slowEvent.eventId, fastEvent.eventId]);
    } finally {
      await gate.end();
      await Promise.all([slowWriter, fastWriter, reader].map((s) => s.close()));
    }
  });

  it('writer processes appending small batches: a tailing subscription sees every committed event once, in position order', async () => {
    const schema = 'tailed';
    const url = db.url();
    const store = await openPostgresEventStore({ connectionString: url, schema });
    const barrier = mkdtempSync(join(tmpdir(), 'leerroutes-pg-gap-'));
    try {
      const seen: number[] = [];
      // Small batches and a short poll, besides NOTIFY, so the reader reads while writers are mid-transaction.
      const sub = store.subscribeToAll((batch) => void seen.push(...batch.map((e) => e.position)), { batchSize: 20, pollIntervalMs: 2 });
      await sub.caughtUp();

      const workers = 4;
      const batches = 100;
      const worker = fileURLToPath(new URL('./fixtures/pg-append-worker.ts', import.meta.url));
      const labels = Array.from({ length: workers }, (_, i) => `w${i + 1}`);
      await Promise.all(
        labels.map((label) =>
          run(process.execPath, ['--import', 'tsx', worker, url, schema, label, String(batches), barrier, String(workers)], {
            cwd: fileURLToPath(new URL('../../..', import.meta.url)),
          }),
        ),
      );

      const head = await store.headPosition();
      await waitFor(() => seen.length > 0 && seen[seen.length - 1]! >= head, 30_000);
      await sub.stop();

      const stored = (await readAllAfter(store, 0, 5000)).flat();
      const expectedIds = labels.flatMap((label) =>
        Array.from({ length: batches }, (_, b) => Array.from({ length: batchLength(b) }, (_, k) => workerEventId(label, b, k))).flat(),
      );
      expect(new Set(stored.map((e) => e.eventId))).toEqual(new Set(expectedIds));
      expect(stored).toHaveLength(expectedIds.length);
      // Exactly once and in order: the positions seen are the positions stored, as a list.
      expect(seen).toEqual(stored.map((e) => e.position));
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    } finally {
      rmSync(barrier, { recursive: true, force: true });
      await store.close();
    }
  });
});
