import { describe } from 'vitest';
import { openEsdbEventStore } from '../src/esdb/index.js';
import type { EventStore } from '../src/port.js';
import { describeEventStoreConformance } from '../test-support/conformance.js';

/**
 * Runs only against a live server, e.g.
 *   EVENTSTORE_URL='esdb://localhost:2113?tls=false' pnpm vitest run packages/event-store/test/esdb.conformance.test.ts
 * Without it the suite is skipped, with the reason printed (also under CI=true: no EventStoreDB runs there).
 * Stream names are unique per run, so a server shared between runs is fine.
 */
const connectionString = process.env.EVENTSTORE_URL;
if (!connectionString) {
  const renamed = process.env.ESDB_CONNECTION_STRING ? ' (ESDB_CONNECTION_STRING is set, but the variable is now EVENTSTORE_URL)' : '';
  console.warn(`skipping the EventStoreDB conformance suite: EVENTSTORE_URL is not set${renamed}`);
}

describe.skipIf(!connectionString)('EventStoreDB adapter (needs EVENTSTORE_URL)', () => {
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
