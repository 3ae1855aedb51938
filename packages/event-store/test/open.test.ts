import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEventStore } from '../src/open.js';
import { expectRight, newEvent } from '../test-support/conformance/helpers.js';
import { describeWithPostgres, postgresForTests } from '../test-support/postgres.js';

const pg = await postgresForTests();

describe('openEventStore', () => {
  it('opens a SQLite file for a path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leerroutes-open-'));
    try {
      const path = join(dir, 'events.db');
      const store = await openEventStore(path);
      expect(store).toMatchObject({ path });
      expectRight(await store.appendToStream('l-1', [newEvent()]));
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describeWithPostgres('with PostgreSQL', pg, (db) => {
    it('opens PostgreSQL for a postgres:// or postgresql:// URL', async () => {
      for (const url of [db.url(), db.url().replace(/^postgres:/, 'postgresql:')]) {
        const store = await openEventStore(url);
        expect(store).toMatchObject({ schema: 'event_store' });
        expectRight(await store.appendToStream('l-1', [newEvent()]));
        await store.close();
      }
    });
  });
});
