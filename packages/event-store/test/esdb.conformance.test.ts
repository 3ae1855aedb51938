import { describe } from 'vitest';
import { openEsdbEventStore } from '../src/esdb/index.js';
import type { EventStore } from '../src/port.js';
import { describeEventStoreConformance } from '../test-support/conformance.js';

/**
 * Runs only against a live server, e.g.
 *   ESDB_CONNECTION_STRING='esdb://localhost:2113?tls=false' pnpm vitest run packages/event-store/test/esdb.conformance.test.ts
 * Stream names are unique per run, so a server shared between runs is fine.
 */
const connectionString = process.env.ESDB_CONNECTION_STRING;

describe.skipIf(!connectionString)('EventStoreDB adapter (needs ESDB_CONNECTION_STRING)', () => {
  describeEventStoreConformance(
    'EventStoreDB',
    async () => {
      const store = openEsdbEventStore(connectionString!);
      const opened: EventStore[] = [];
      return {
        store,
        async open() {
          const other = openEsdbEventStore(connectionString!);
          opened.push(other);
          return other;
        },
        async cleanup() {
          for (const s of [store, ...opened]) await s.close();
        },
      };
    },
    // Tombstoned events stay visible in $all until the server scavenges.
    { erasurePurgesAll: false },
  );
});
