import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deterministicEventId } from '../src/event-id.js';
import type { EventStore } from '../src/port.js';
import { openSqliteEventStore } from '../src/sqlite/index.js';
import { describeEventStoreConformance } from '../test-support/conformance.js';

const run = promisify(execFile);

function tempDb(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'leerroutes-es-'));
  return { dir, path: join(dir, 'events.db') };
}

describeEventStoreConformance('sqlite file (WAL)', async () => {
  const { dir, path } = tempDb();
  const opened: EventStore[] = [];
  const store = openSqliteEventStore({ path });
  return {
    store,
    async open() {
      const other = openSqliteEventStore({ path });
      opened.push(other);
      return other;
    },
    async cleanup() {
      for (const s of [store, ...opened]) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// ':memory:' is private to its connection, so there is no second connection to open.
describeEventStoreConformance(
  'sqlite :memory:',
  async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    return {
      store,
      open: () => Promise.reject(new Error(':memory: cannot be shared between connections')),
      cleanup: () => store.close(),
    };
  },
  { multiConnection: false },
);

describe('sqlite: two OS processes appending to one stream', () => {
  it('stores every event exactly once, with contiguous revisions, retrying on conflicts', async () => {
    const { dir, path } = tempDb();
    try {
      // No schema yet: both workers open the fresh file at the same moment, so migration races too.
      const worker = fileURLToPath(new URL('./fixtures/append-worker.ts', import.meta.url));
      const perWorker = 300;
      const spawn = (label: string) =>
        run(process.execPath, ['--import', 'tsx', worker, path, 'learner-shared', label, String(perWorker), dir, '2'], {
          cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        });
      const outputs = await Promise.all([spawn('p1'), spawn('p2')]);
      const outcomes = outputs.map((o) => JSON.parse(o.stdout) as { conflicts: number; unavailable: number });

      const store = openSqliteEventStore({ path });
      try {
        const stored = await store.readStream('learner-shared');
        expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 2 * perWorker }, (_, i) => i));
        const expected = ['p1', 'p2'].flatMap((label) =>
          Array.from({ length: perWorker }, (_, i) => deterministicEventId('worker', label, String(i))),
        );
        expect(stored.map((e) => e.eventId).sort()).toEqual(expected.sort());
        expect((await store.stats()).events).toBe(2 * perWorker);
        // How often they collided is timing dependent, so it is shown rather than asserted.
        console.info('cross-process outcomes', outcomes);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
