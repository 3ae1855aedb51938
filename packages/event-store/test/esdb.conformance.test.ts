import { describe, it } from 'vitest';
import { openEsdbEventStore } from '../src/esdb/index.js';
import type { EventStore } from '../src/port.js';
import { describeEventStoreConformance } from '../test-support/conformance.js';

/**
 * Runs only against a live server, e.g.
 *   EVENTSTORE_URL='esdb://localhost:2113?tls=false' pnpm vitest run packages/event-store/test/esdb.conformance.test.ts
 * Without it one test stands in, skipped with the reason (also under CI=true: no EventStoreDB runs there).
 * Stream names are unique per run, so a server shared between runs is fine.
 */
const connectionString = process.env.EVENTSTORE_URL;

if (!connectionString) {
  describe('EventStoreDB adapter', () => {
    const renamed = process.env.ESDB_CONNECTION_STRING ? ' (ESDB_CONNECTION_STRING is set, but the variable is now EVENTSTORE_URL)' : '';
    // Listed with its reason after the run's summary (vitest.config.ts).
    it('needs EVENTSTORE_URL', (ctx) => ctx.skip(`EVENTSTORE_URL is not set${renamed}; the EventStoreDB conformance suite needs a server`));
  });
} else {
  describeEventStoreConformance(
    'EventStoreDB',
    async () => {
      const store = openEsdbEventStore(connectionString);
      const opened: EventStore[] = [];
      return {
        store,
        async open() {
          const other = openEsdbEventStore(connectionString);
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
}
